// An incremental parser for `text/event-stream`, following the WHATWG HTML rules for interpreting an
// event stream (html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation).
// It takes text already decoded from UTF-8 (the caller uses TextDecoder with `stream: true`) in chunks
// of any size and returns what each chunk completed. Pure: no I/O, no clock.

/** What the stream yields, in order: dispatched events, comments, and `retry:` values. */
export type SseItem =
  | {
      kind: 'event';
      /** The last event ID buffer at dispatch (it persists across events); absent while it is empty. */
      id?: string;
      /** The `event:` field, or `message` when none was given. */
      event: string;
      data: string;
    }
  /** A line starting with `:` (e.g. a heartbeat), with the colon and one following space removed. */
  | { kind: 'comment'; text: string }
  /** A `retry:` field whose value is all ASCII digits: the reconnection time the server asks for. */
  | { kind: 'retry'; ms: number };

/** One stream's parser: feed it decoded text as it arrives, then end it. */
export interface SseParser {
  /** Feeds the next piece of decoded text; returns the items completed by it, in stream order. */
  push(chunk: string): SseItem[];
  /** Ends the stream: an event not yet closed by a blank line, or an unterminated line, is discarded (per spec). */
  end(): SseItem[];
}

const BOM = '\uFEFF';
const LF = '\n';
const CR = '\r';

/** Characters kept of one line or one event's data (1 MiB): beyond that a probe keeps only the start. */
export const MAX_TEXT = 1 << 20;

/** Room kept beyond `maxText` in a partial line for its field name and colon (`data: `, `event: `). */
const FIELD_ROOM = 16;

/**
 * Creates a parser holding the per-stream state: partial line, data/event-type buffers, last event ID.
 * `maxText` caps what it holds AS IT READS: a line, an event's data and a comment keep at most that many
 * characters (a 1 MiB event costs `maxText`, not 1 MiB); line ends and dispatch are still found exactly,
 * so only the text of an oversized field is cut. An `id:` longer than the cap is cut too.
 */
export function createSseParser(maxText: number = MAX_TEXT): SseParser {
  const lineCap = maxText + FIELD_ROOM;
  let started = false;
  let ended = false;
  let partialLine = '';
  // A CR ended the previous chunk: an LF at the start of the next chunk belongs to the same line end.
  let skipLeadingLf = false;
  let dataBuffer = '';
  let eventTypeBuffer = '';
  let lastEventId = '';

  function dispatch(out: SseItem[]): void {
    // Spec: an empty data buffer resets the buffers without dispatching; the last event ID still stands.
    if (dataBuffer === '') {
      eventTypeBuffer = '';
      return;
    }
    const data = dataBuffer.endsWith(LF) ? dataBuffer.slice(0, -1) : dataBuffer;
    const item: SseItem = {
      kind: 'event',
      event: eventTypeBuffer === '' ? 'message' : eventTypeBuffer,
      data,
    };
    if (lastEventId !== '') item.id = lastEventId;
    out.push(item);
    dataBuffer = '';
    eventTypeBuffer = '';
  }

  function processLine(line: string, out: SseItem[]): void {
    if (line === '') {
      dispatch(out);
      return;
    }
    if (line.startsWith(':')) {
      const text = line.slice(1);
      out.push({ kind: 'comment', text: (text.startsWith(' ') ? text.slice(1) : text).slice(0, maxText) });
      return;
    }
    const colon = line.indexOf(':');
    let field = line;
    let value = '';
    if (colon >= 0) {
      field = line.slice(0, colon);
      value = line.slice(colon + 1);
      if (value.startsWith(' ')) value = value.slice(1);
    }
    switch (field) {
      case 'event':
        eventTypeBuffer = value;
        break;
      case 'data':
        if (dataBuffer.length < maxText) dataBuffer = (dataBuffer + value + LF).slice(0, maxText);
        break;
      case 'id':
        if (!value.includes('\u0000')) lastEventId = value.slice(0, maxText);
        break;
      case 'retry':
        if (/^[0-9]+$/.test(value)) out.push({ kind: 'retry', ms: Number.parseInt(value, 10) });
        break;
      default:
        // Unknown fields are ignored.
        break;
    }
  }

  return {
    push(chunk: string): SseItem[] {
      const out: SseItem[] = [];
      if (ended || chunk === '') return out;
      let text = chunk;
      if (!started) {
        started = true;
        if (text.startsWith(BOM)) text = text.slice(1);
      }
      let pos = 0;
      if (skipLeadingLf) {
        skipLeadingLf = false;
        if (text.startsWith(LF)) pos = 1;
      }
      while (pos < text.length) {
        const cr = text.indexOf(CR, pos);
        const lf = text.indexOf(LF, pos);
        const eol = cr < 0 ? lf : lf < 0 ? cr : Math.min(cr, lf);
        if (eol < 0) {
          // A probe must survive a server that never ends a line: keep at most the cap of it.
          if (partialLine.length < lineCap) partialLine = (partialLine + text.slice(pos)).slice(0, lineCap);
          break;
        }
        const rest = partialLine.length < lineCap ? text.slice(pos, Math.min(eol, pos + lineCap)) : '';
        const line = (partialLine + rest).slice(0, lineCap);
        partialLine = '';
        pos = eol + 1;
        if (text[eol] === CR) {
          if (pos < text.length) {
            if (text[pos] === LF) pos += 1;
          } else {
            skipLeadingLf = true;
          }
        }
        processLine(line, out);
      }
      return out;
    },
    end(): SseItem[] {
      ended = true;
      partialLine = '';
      dataBuffer = '';
      eventTypeBuffer = '';
      return [];
    },
  };
}
