import { createSseParser, MAX_TEXT, type SseItem } from '../../src/core/sse-parser';

// Every rule here comes from the WHATWG HTML "Interpreting an event stream" section
// (html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation).

/** Feeds the chunks in order, then ends the stream; returns everything that came out. */
function parseChunks(chunks: string[]): SseItem[] {
  const parser = createSseParser();
  const items: SseItem[] = [];
  for (const chunk of chunks) items.push(...parser.push(chunk));
  items.push(...parser.end());
  return items;
}

const ev = (data: string, event = 'message', id?: string): SseItem =>
  id === undefined ? { kind: 'event', event, data } : { kind: 'event', id, event, data };

describe('createSseParser: one rule per row (WHATWG event stream interpretation)', () => {
  const cases: Array<[string, string, SseItem[]]> = [
    ['LF line ends', 'data: a\n\n', [ev('a')]],
    ['CRLF line ends', 'data: a\r\n\r\n', [ev('a')]],
    ['CR line ends', 'data: a\r\r', [ev('a')]],
    ['mixed line ends in one stream', 'data: a\r\n\ndata: b\r\rdata: c\n\r\n', [ev('a'), ev('b'), ev('c')]],
    [
      'multi-line data joined with LF, final LF removed',
      'data: one\ndata: two\ndata: three\n\n',
      [ev('one\ntwo\nthree')],
    ],
    ['only one leading space is stripped', 'data:  two spaces\n\n', [ev(' two spaces')]],
    ['no space after the colon', 'data:x\n\n', [ev('x')]],
    ['a colon inside the value is kept', 'data: a:b: c\n\n', [ev('a:b: c')]],
    ['a line without a colon is the field name with an empty value', 'data\ndata\n\n', [ev('\n')]],
    ['an empty data line gives an empty-string event', 'data:\n\n', [ev('')]],
    ['event sets the type', 'event: tick\ndata: 1\n\n', [ev('1', 'tick')]],
    [
      'the type resets to message after dispatch',
      'event: tick\ndata: 1\n\ndata: 2\n\n',
      [ev('1', 'tick'), ev('2')],
    ],
    ['an empty event field means message', 'event:\ndata: 1\n\n', [ev('1')]],
    ['id is carried by the event', 'id: 7\ndata: x\n\n', [ev('x', 'message', '7')]],
    [
      'the last event ID persists across events',
      'id: 7\ndata: x\n\ndata: y\n\n',
      [ev('x', 'message', '7'), ev('y', 'message', '7')],
    ],
    [
      'an empty id field clears the last event ID',
      'id: 7\ndata: x\n\nid\ndata: y\n\n',
      [ev('x', 'message', '7'), ev('y')],
    ],
    [
      'an id containing U+0000 is ignored',
      'id: 7\ndata: x\n\nid: 8\u00009\ndata: y\n\n',
      [ev('x', 'message', '7'), ev('y', 'message', '7')],
    ],
    [
      'no data: not dispatched, but the id still updates',
      'id: 5\nevent: ping\n\ndata: later\n\n',
      [ev('later', 'message', '5')],
    ],
    ['a blank line alone dispatches nothing', '\n\n\r\n', []],
    [
      'comment lines',
      ': heartbeat\n:no-space\n:\n',
      [
        { kind: 'comment', text: 'heartbeat' },
        { kind: 'comment', text: 'no-space' },
        { kind: 'comment', text: '' },
      ],
    ],
    [
      'a comment inside an event does not end it',
      'data: a\n: ping\ndata: b\n\n',
      [{ kind: 'comment', text: 'ping' }, ev('a\nb')],
    ],
    ['retry with ASCII digits', 'retry: 1500\n', [{ kind: 'retry', ms: 1500 }]],
    ['retry with a non-digit is ignored', 'retry: 1.5\nretry: -1\nretry: 10s\nretry:\n', []],
    ['unknown fields are ignored', 'foo: bar\nData: no\ndata: yes\n\n', [ev('yes')]],
    ['a field name with a trailing space is unknown', 'data : x\ndata: y\n\n', [ev('y')]],
    ['a leading BOM is stripped', '\uFEFFdata: a\n\n', [ev('a')]],
    ['only one leading BOM is stripped', '\uFEFF\uFEFFdata: a\n\n', []],
    ['a BOM later in the stream is data', 'data: \uFEFFa\n\n', [ev('\uFEFFa')]],
    ['a final event without its blank line is discarded', 'data: a\n\ndata: b\n', [ev('a')]],
    ['an unterminated last line is discarded', 'data: a\n\n: partial', [ev('a')]],
    ['non-ASCII text passes through', 'data: héllo ✓ 🚀\n\n', [ev('héllo ✓ 🚀')]],
  ];

  it.each(cases)('%s', (_name, stream, expected) => {
    expect(parseChunks([stream])).toEqual(expected);
  });
});

describe('createSseParser: chunk boundaries', () => {
  it('treats CR at the end of one chunk and LF at the start of the next as one line end', () => {
    // Were they two line ends, the blank line would dispatch `a` and the second event would differ.
    expect(parseChunks(['data: a\r', '\ndata: b\r', '\n\r', '\n'])).toEqual([ev('a\nb')]);
  });

  it('treats CR then CR across chunks as two line ends', () => {
    expect(parseChunks(['data: a\r', '\r'])).toEqual([ev('a')]);
  });

  it('strips the BOM when it arrives in its own chunk, after empty chunks', () => {
    expect(parseChunks(['', '\uFEFF', 'data: a\n\n'])).toEqual([ev('a')]);
  });

  it('does not strip a BOM that starts the second chunk', () => {
    expect(parseChunks(['data: a\n\n', '\uFEFFdata: b\n\n'])).toEqual([ev('a')]);
  });

  it('returns items from the chunk that completes them', () => {
    const parser = createSseParser();
    expect(parser.push('data: a')).toEqual([]);
    expect(parser.push('\n')).toEqual([]);
    expect(parser.push('\n: hb\n')).toEqual([ev('a'), { kind: 'comment', text: 'hb' }]);
    expect(parser.push('data: b\n')).toEqual([]);
    expect(parser.end()).toEqual([]);
    expect(parser.push('\n')).toEqual([]);
  });

  // A sample touching every rule; every split at every position (one and two cuts) gives the same items.
  const sample =
    '\uFEFF: welcome\r\nretry: 2000\r\nid: 1\r\nevent: tick\r\ndata: {"n":1}\r\n\r\n' +
    'data: line1\rdata: line2\r\r' +
    'id: 2\ndata:no-space\n: hb\n\n' +
    'id\nevent: bye\ndata\n\n' +
    'data: é✓\r\n\n' +
    'data: unfinished\n';
  const expected: SseItem[] = [
    { kind: 'comment', text: 'welcome' },
    { kind: 'retry', ms: 2000 },
    ev('{"n":1}', 'tick', '1'),
    ev('line1\nline2', 'message', '1'),
    { kind: 'comment', text: 'hb' },
    ev('no-space', 'message', '2'),
    ev('', 'bye'),
    ev('é✓'),
  ];

  it('parses the sample in one chunk', () => {
    expect(parseChunks([sample])).toEqual(expected);
  });

  it('gives the same items whatever the split (every position)', () => {
    for (let i = 0; i <= sample.length; i += 1) {
      expect([i, parseChunks([sample.slice(0, i), sample.slice(i)])]).toEqual([i, expected]);
    }
  });

  it('gives the same items whatever the split (every pair of positions)', () => {
    // Compared as text for speed; the unsplit parse is checked against `expected` above.
    const want = JSON.stringify(parseChunks([sample]));
    const differing: string[] = [];
    for (let i = 0; i <= sample.length; i += 1) {
      for (let j = i; j <= sample.length; j += 1) {
        const got = JSON.stringify(parseChunks([sample.slice(0, i), sample.slice(i, j), sample.slice(j)]));
        if (got !== want) differing.push(`cuts at ${i} and ${j}: ${got}`);
      }
    }
    expect(differing).toEqual([]);
  });

  it('gives the same items one character at a time', () => {
    expect(parseChunks([...sample])).toEqual(expected);
  });

  it('gives the same items when UTF-8 bytes are split anywhere and decoded with stream: true', () => {
    const bytes = new TextEncoder().encode(sample);
    for (let i = 0; i <= bytes.length; i += 1) {
      // ignoreBOM keeps the BOM in the text, so the parser's own stripping is what is tested.
      const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
      const chunks = [
        decoder.decode(bytes.slice(0, i), { stream: true }),
        decoder.decode(bytes.slice(i), { stream: true }),
        decoder.decode(),
      ];
      expect([i, parseChunks(chunks)]).toEqual([i, expected]);
    }
  });
});

test('a line that never ends, or endless data, is kept to MAX_TEXT characters so a probe survives it', () => {
  const parser = createSseParser();
  const chunk = 'x'.repeat(64 * 1024);
  parser.push('data: ');
  for (let i = 0; i < 40; i++) parser.push(chunk);
  const [event] = parser.push('\n\n');
  expect(event).toMatchObject({ kind: 'event' });
  expect((event as { data: string }).data.length).toBeLessThanOrEqual(MAX_TEXT);
  expect(parser.push('data: after\n\n')).toEqual([{ kind: 'event', event: 'message', data: 'after' }]);
});

describe('issue 12: clipping as it reads', () => {
  it('holds at most maxText of a 1 MiB event fed in 64 KiB pieces, and parses what follows', () => {
    const parser = createSseParser(4096);
    const text = `id: 1\ndata: ${'y'.repeat(1 << 20)}\n\n: ${'z'.repeat(1 << 20)}\ndata: next\n\n`;
    const items = [];
    for (let i = 0; i < text.length; i += 65_536) items.push(...parser.push(text.slice(i, i + 65_536)));
    expect(items.map((item) => (item.kind === 'event' ? item.data.length : item.kind))).toEqual([
      4096,
      'comment',
      4,
    ]);
    expect(items[1]).toMatchObject({ kind: 'comment' });
    expect((items[1] as { text: string }).text).toHaveLength(4096);
    expect(items[2]).toMatchObject({ kind: 'event', id: '1', data: 'next' });
  });
});
