// Check 10: what Cloud Logging and Cloud Monitoring make of a service's requests (docs/platform.md
// "Monitoring and Logging: unsettled"): a request log's timestamp and severity, and how long request_count
// takes to count a request. One service takes the stream (10a), an unknown path (10c) and the counted
// request (10d); a second runs the image with the stream-app's switch that answers 500 (10b). Google's hello
// sample answers every path 200 at once, so with it 10a and 10b are not run and 10c falls back to the
// front end's 403.
import type { Json } from './cloud-run-rest';
import type { HttpAnswer, LiveContext } from './context';
import {
  answeredBy,
  createService,
  mustUpdate,
  revisionTarget,
  short,
  template,
  tryIdToken,
  untilPublic,
} from './building-blocks';
import type { Group } from './checks';
import { parseTime, pointSum, refusal, requestLogFilter, type CountQuery } from './observability-rest';
import { METRICS_DELAY_S, type Observation, type Observe } from './questions';

const LOGGING = 'Cloud Logging entries.list';
const MONITORING = 'Cloud Monitoring timeSeries.list';
/** The stream-app's switch that makes `/` answer 500 every time (examples/stream-app/README.md). */
const ANSWERS_500 = [
  { name: 'STREAM_APP_FAULT', value: 'error-rate' },
  { name: 'STREAM_APP_ERROR_PERCENT', value: '100' },
];
/** Logs and points are read from a while before the group began: the runner's clock is not Google's. */
const CLOCK_SLACK_MS = 5 * 60_000;

/** One request to a service: the answer or why there is none, and when it was sent and ended. */
interface Sent {
  path: string;
  answer?: HttpAnswer;
  error?: string;
  start: number;
  end: number;
}

/** A request log the check waits for: found by the `lc` query value in httpRequest.requestUrl. */
interface Wanted {
  id: string;
  marker: string;
  read(entry: Json): Observation;
}

export const observability: Group = async (ctx, resources, observe) => {
  const since = ctx.now() - CLOCK_SLACK_MS;
  const [mainId, errId] = [`${ctx.prefix}-obs`, `${ctx.prefix}-obs-err`];
  const [r1, e1] = [`${mainId}-r1`, `${errId}-r1`];
  const filter = requestLogFilter(ctx.project, ctx.region, [mainId, errId], since);
  const countQuery = (end: number): CountQuery => ({
    project: ctx.project,
    region: ctx.region,
    service: mainId,
    revision: r1,
    start: since,
    end,
  });

  // Both APIs first: a refusal is the rows' observation, and with both refused nothing is deployed.
  const [logsRefused, metricsRefused] = await Promise.all([
    refused(ctx, LOGGING, async () => {
      const got = await ctx.observability.entries(ctx.project, filter, 1);
      return 'refused' in got ? got.refused : undefined;
    }),
    refused(ctx, MONITORING, async () => {
      const answer = await ctx.observability.requestCount(countQuery(ctx.now()));
      return answer.status === 200 ? undefined : answer;
    }),
  ]);
  if (logsRefused)
    for (const id of ['10a', '10b', '10c']) observe(id, { observed: logsRefused, agrees: 'n/a' });
  if (metricsRefused) observe('10d', { observed: metricsRefused, agrees: 'n/a' });
  if (logsRefused && metricsRefused) return;

  const errTemplate = template(ctx, e1);
  ((errTemplate.containers as Json[])[0].env as Json[]).push(...ANSWERS_500);
  // allSettled: a create still in flight when the other fails must not race the clean-up.
  const created = await Promise.allSettled([
    createService(ctx, resources, 'obs', { template: template(ctx, r1), traffic: [revisionTarget(r1, 100)] }),
    logsRefused
      ? undefined
      : createService(ctx, resources, 'obs-err', {
          template: errTemplate,
          traffic: [revisionTarget(e1, 100)],
        }),
  ]);
  for (const c of created) if (c.status === 'rejected') throw c.reason;
  const [main, err] = created.map((c) => (c.status === 'fulfilled' ? c.value : undefined));

  // request_count counts what reached the revision: tally every answer that came from it.
  let reached = 0;
  const mainCtx: LiveContext = {
    ...ctx,
    get: async (url, options) => {
      const answer = await ctx.get(url, options);
      if (answeredBy(answer, [r1])) reached += 1;
      return answer;
    },
  };
  const mainUri = String(main!.service.uri);
  const mainToken = await reach(mainCtx, main!.name, mainUri);
  const marker = (id: string) => `${ctx.prefix}.${id}`;
  const waits: Array<Promise<void>> = [];

  if (!logsRefused && err) {
    const errUri = String(err.service.uri);
    const errToken = await reach(ctx, err.name, errUri);
    const hold = ctx.timing.streamHoldMs;
    const every = Math.max(50, Math.min(1000, Math.floor(hold / 5)));
    const [stream, five, four] = await Promise.all([
      send(
        mainCtx,
        mainUri,
        `/events?interval=${every}&count=${Math.floor(hold / every) + 1}`,
        marker('10a'),
        {
          idToken: mainToken,
          timeoutMs: hold + ctx.timing.requestMs,
        },
      ),
      send(ctx, errUri, '/', marker('10b'), { idToken: errToken }),
      send(mainCtx, mainUri, '/sd-live-check-no-such-path', marker('10c'), { idToken: mainToken }),
    ]);
    const wanted: Wanted[] = [];

    const held = stream.end - stream.start;
    const streamed =
      stream.answer?.status === 200 &&
      /text\/event-stream/.test(stream.answer.headers['content-type'] ?? '') &&
      held >= hold * 0.8;
    if (!streamed)
      observe('10a', {
        observed: `not run: the image held no stream open (${summarise(stream)}; examples/stream-app serves /events)`,
        agrees: 'n/a',
      });
    else wanted.push({ id: '10a', marker: marker('10a'), read: (entry) => readTimestamp(entry, stream) });

    if (five.answer && five.answer.status >= 500)
      wanted.push({ id: '10b', marker: marker('10b'), read: (entry) => readSeverity(entry, five, [e1]) });
    else
      observe('10b', {
        observed: `not run: the image has no way to answer 5xx on demand (${summarise(five)} with STREAM_APP_FAULT=error-rate)`,
        agrees: 'n/a',
      });

    // The hello sample answers every path 200: then a request without a token to the private service.
    let fourxx = four;
    if (!(four.answer && four.answer.status >= 400 && four.answer.status < 500) && errToken !== undefined)
      fourxx = await send(ctx, errUri, '/', marker('10c-no-token'), {});
    if (fourxx.answer && fourxx.answer.status >= 400 && fourxx.answer.status < 500) {
      const sent = fourxx;
      wanted.push({
        id: '10c',
        marker: marker(sent === four ? '10c' : '10c-no-token'),
        read: (entry) => readSeverity(entry, sent, [r1, e1]),
      });
    } else
      observe('10c', {
        observed: `not observed: no 4xx (${summarise(four)}${fourxx === four ? '' : `; without a token: ${summarise(fourxx)}`})`,
        agrees: 'n/a',
      });
    waits.push(awaitLogs(ctx, observe, filter, wanted));
  }

  if (!metricsRefused) {
    // The last request to the revision: once all that reached it are counted, so is this one.
    const last = await send(mainCtx, mainUri, '/health', marker('10d'), { idToken: mainToken });
    if (!last.answer || !answeredBy(last.answer, [r1]))
      observe('10d', {
        observed: `not observed: the app did not answer (${summarise(last)})`,
        agrees: 'n/a',
      });
    else waits.push(awaitCount(ctx, observe, countQuery, reached, last.end));
  }
  await Promise.all(waits);
};

/** Why an API cannot be read (a refusal, or a call that failed), or undefined when it answers. */
async function refused(
  ctx: LiveContext,
  api: string,
  call: () => Promise<{ status: number; body: Json } | undefined>,
): Promise<string | undefined> {
  try {
    const answer = await call();
    return answer ? refusal(api, answer) : undefined;
  } catch (err) {
    if (ctx.signal.aborted) throw err;
    return `not observed: ${api} failed: ${(err as Error).message.slice(0, 200)}`;
  }
}

/** An ID token for the service or, without one (user credentials), the service made public. */
async function reach(ctx: LiveContext, name: string, uri: string): Promise<string | undefined> {
  const minted = await tryIdToken(ctx, uri);
  if ('token' in minted) return minted.token;
  ctx.log(`no ID token (${minted.error}): making ${short(name)} public`);
  await mustUpdate(ctx, name, { invokerIamDisabled: true }, ['invokerIamDisabled']);
  // /health: the stream-app's `/` answers 500 on the 10b service.
  const open = await untilPublic(ctx, `${uri}/health`, ctx.now(), ctx.timing.publicMs);
  if (open.observed.startsWith('no 200')) throw new Error(`${short(name)} never became public`);
  return undefined;
}

/** GET `path` with `lc=<marker>`, the value the request log is found by; never throws unless aborted. */
async function send(
  ctx: LiveContext,
  uri: string,
  path: string,
  marker: string,
  options: { idToken?: string; timeoutMs?: number },
): Promise<Sent> {
  const url = `${uri}${path}${path.includes('?') ? '&' : '?'}lc=${encodeURIComponent(marker)}`;
  const start = ctx.now();
  try {
    const answer = await ctx.get(url, options);
    return { path, answer, start, end: ctx.now() };
  } catch (err) {
    if (ctx.signal.aborted) throw err;
    return { path, error: (err as Error).message.slice(0, 160), start, end: ctx.now() };
  }
}

const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

function summarise(sent: Sent): string {
  const after = `after ${secs(sent.end - sent.start)}`;
  if (!sent.answer) return `GET ${sent.path} failed ${after}: ${sent.error ?? '?'}`;
  const type = (sent.answer.headers['content-type'] ?? '').split(';')[0];
  return `GET ${sent.path} answered HTTP ${sent.answer.status}${type ? ` ${type}` : ''} ${after}`;
}

/** 10a: the entry's timestamp nearer the stream's start or its end, and whether it was received before the end. */
function readTimestamp(entry: Json, stream: Sent): Observation {
  const lasted = stream.end - stream.start;
  const at = parseTime(entry.timestamp);
  const received = parseTime(entry.receiveTimestamp);
  const part = (t: number | undefined, early: string, late: string) =>
    t === undefined ? undefined : t - stream.start < lasted / 2 ? early : late;
  const observed =
    [part(at, 'start (arrival)', 'end'), part(received, 'written before it ends', 'written when it ends')]
      .filter(Boolean)
      .join(', ') || 'no timestamp';
  const rel = (t: number | undefined) =>
    t === undefined ? 'absent' : `${secs(t - stream.start)} after sending`;
  const latency = String(((entry.httpRequest ?? {}) as Json).latency ?? '?');
  return {
    observed,
    note: `timestamp ${rel(at)}, receiveTimestamp ${rel(received)}; the stream lasted ${secs(lasted)} (httpRequest.latency ${latency})`,
  };
}

/** 10b, 10c: the entry's severity (DEFAULT when absent, as proto3 JSON leaves it out). */
function readSeverity(entry: Json, sent: Sent, revisions: string[]): Observation {
  const from = sent.answer && answeredBy(sent.answer, revisions) ? 'the app' : 'the front end';
  const status = ((entry.httpRequest ?? {}) as Json).status;
  return {
    observed: typeof entry.severity === 'string' ? entry.severity : 'DEFAULT',
    note: `HTTP ${sent.answer?.status ?? '?'} from ${from} (GET ${sent.path}); httpRequest.status ${String(status ?? '?')}`,
  };
}

/** Throttled or failing on Google's side: worth another read. */
const retryable = (status: number) => status === 429 || status >= 500;

/** Reads the request logs until every wanted entry is listed, or timing.logsMs passes. */
async function awaitLogs(
  ctx: LiveContext,
  observe: Observe,
  filter: string,
  wanted: Wanted[],
): Promise<void> {
  const left = new Map(wanted.map((w) => [w.marker, w]));
  const started = ctx.now();
  let trouble = '';
  while (left.size > 0) {
    try {
      const got = await ctx.observability.entries(ctx.project, filter);
      if ('refused' in got && !retryable(got.refused.status)) {
        for (const w of left.values())
          observe(w.id, { observed: refusal(LOGGING, got.refused), agrees: 'n/a' });
        return;
      }
      if ('refused' in got) trouble = refusal(LOGGING, got.refused);
      else
        for (const entry of got.entries) {
          const w = left.get(markerOf(entry));
          if (!w) continue;
          observe(w.id, w.read(entry));
          left.delete(w.marker);
        }
    } catch (err) {
      if (ctx.signal.aborted) throw err;
      trouble = (err as Error).message.slice(0, 200);
    }
    if (left.size === 0 || ctx.now() - started >= ctx.timing.logsMs) break;
    await ctx.sleep(ctx.timing.observeEveryMs);
  }
  for (const w of left.values())
    observe(w.id, {
      observed: `no request log within ${Math.round(ctx.timing.logsMs / 1000)} s`,
      agrees: 'no',
      note: trouble || undefined,
    });
}

function markerOf(entry: Json): string {
  try {
    return new URL(String(((entry.httpRequest ?? {}) as Json).requestUrl ?? '')).searchParams.get('lc') ?? '';
  } catch {
    return '';
  }
}

/** Reads request_count until it reaches `atLeast` (every request that reached the revision), or timing.metricsMs passes. */
async function awaitCount(
  ctx: LiveContext,
  observe: Observe,
  query: (end: number) => CountQuery,
  atLeast: number,
  endedAt: number,
): Promise<void> {
  let counted = 0;
  let trouble = '';
  const every = `read every ${secs(ctx.timing.observeEveryMs)}`;
  for (;;) {
    try {
      const answer = await ctx.observability.requestCount(query(ctx.now()));
      if (answer.status === 200) {
        counted = pointSum(answer.body);
        if (counted >= atLeast) {
          const s = (ctx.now() - endedAt) / 1000;
          observe('10d', {
            observed: `${s.toFixed(1)} s`,
            agrees: s <= METRICS_DELAY_S ? 'yes' : 'no',
            note: `request_count ${counted} of the ${atLeast} requests the revision answered, the last one counted; ${every}`,
          });
          return;
        }
      } else if (!retryable(answer.status)) {
        observe('10d', { observed: refusal(MONITORING, answer), agrees: 'n/a' });
        return;
      } else trouble = refusal(MONITORING, answer);
    } catch (err) {
      if (ctx.signal.aborted) throw err;
      trouble = (err as Error).message.slice(0, 200);
    }
    if (ctx.now() - endedAt >= ctx.timing.metricsMs) break;
    await ctx.sleep(ctx.timing.observeEveryMs);
  }
  observe('10d', {
    observed: `not counted within ${Math.round(ctx.timing.metricsMs / 1000)} s`,
    agrees: 'no',
    note: [`request_count ${counted} of ${atLeast}; ${every}`, trouble].filter(Boolean).join('; '),
  });
}
