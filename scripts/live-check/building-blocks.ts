// The building blocks of the live checks: services made from the check image and changed with or without an
// updateMask, and the answers read back as observations (who answered, how long it took, the URL's shape).
import { ApiCallError, describeError, type ApiAnswer, type Json, type Operation } from './cloud-run-rest';
import type { HttpAnswer, LiveContext, Resources } from './context';
import { APP_ANSWERS, GOOGLE_404, IMMEDIATE, type Observation } from './questions';

export const ENV_NAME = 'LIVE_CHECK_REVISION';
export const TAG = 'lc';

/** A full service name in the run's project and region. */
function serviceName(ctx: LiveContext, id: string): string {
  return `${parent(ctx)}/services/${id}`;
}

function parent(ctx: LiveContext): string {
  return `projects/${ctx.project}/locations/${ctx.region}`;
}

/** A revision template of the check image; the env var makes every revision's template distinct. */
export function template(ctx: LiveContext, revision: string, port = 8080, startupProbe?: Json): Json {
  return {
    revision,
    containers: [
      {
        image: ctx.image,
        ports: [{ containerPort: port }],
        env: [{ name: ENV_NAME, value: revision }],
        ...(startupProbe ? { startupProbe } : {}),
      },
    ],
  };
}

export const revisionTarget = (revision: string, percent: number, tag?: string): Json => ({
  type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION',
  revision,
  percent,
  ...(tag ? { tag } : {}),
});

/** Creates service `<prefix>-<suffix>` and waits for it; it is tracked for clean-up before the call. */
export async function createService(
  ctx: LiveContext,
  resources: Resources,
  suffix: string,
  service: Json,
): Promise<{ id: string; name: string; service: Json }> {
  const id = `${ctx.prefix}-${suffix}`;
  const name = serviceName(ctx, id);
  resources.track(name);
  ctx.log(`create ${id}`);
  const answer = await ctx.run.createService(parent(ctx), id, service);
  if (answer.status !== 200) throw new ApiCallError(`create ${id}`, answer);
  const op = await ctx.run.awaitOperation(
    answer.body as unknown as Operation,
    ctx.timing.operationMs,
    ctx.signal,
  );
  if (op.error) throw new Error(`creating ${id} failed: code ${op.error.code} ${op.error.message}`);
  return { id, name, service: await ctx.run.getService(name) };
}

/** The outcome of an update: refused at once, or the operation's end (with or without an error). */
export type UpdateOutcome = { refused: ApiAnswer } | { op: Operation };

export async function update(
  ctx: LiveContext,
  name: string,
  body: Json,
  mask?: string[],
): Promise<UpdateOutcome> {
  ctx.log(`update ${name.split('/').pop()}${mask ? ` updateMask=${mask.join(',')}` : ' (no updateMask)'}`);
  const answer = await ctx.run.updateService(name, body, mask);
  if (answer.status !== 200) return { refused: answer };
  return {
    op: await ctx.run.awaitOperation(answer.body as unknown as Operation, ctx.timing.operationMs, ctx.signal),
  };
}

/** An update that must succeed (a step towards a check, not the check itself). */
export async function mustUpdate(ctx: LiveContext, name: string, body: Json, mask?: string[]): Promise<void> {
  const outcome = await update(ctx, name, body, mask);
  if ('refused' in outcome) throw new ApiCallError(`update ${name}`, outcome.refused);
  if (outcome.op.error)
    throw new Error(`update of ${name} failed: code ${outcome.op.error.code} ${outcome.op.error.message}`);
}

/** `revision ready` / `revision fails` / `refused: HTTP …` for an update that creates a revision. */
export function revisionOutcome(outcome: UpdateOutcome): Observation {
  if ('refused' in outcome)
    return {
      observed: `refused: HTTP ${outcome.refused.status}`,
      note: describeError(outcome.refused).slice(0, 240),
    };
  if (outcome.op.error)
    return {
      observed: 'revision fails',
      note: `operation error code ${outcome.op.error.code}: ${outcome.op.error.message.slice(0, 200)}`,
    };
  return { observed: 'revision ready' };
}

export const short = (name: unknown) =>
  String(name ?? '')
    .split('/')
    .pop() ?? '';

/** Which of `revisions` served `answer`: `X-Revision` header, JSON `revision`, or the name in the page. */
export function answeredBy(answer: HttpAnswer, revisions: string[]): string | undefined {
  const header = answer.headers['x-revision'];
  if (header && revisions.includes(header)) return header;
  try {
    const json = JSON.parse(answer.body) as { revision?: unknown };
    if (typeof json.revision === 'string' && revisions.includes(json.revision)) return json.revision;
  } catch {
    // not JSON: the hello sample's HTML page names its revision (K_REVISION)
  }
  return revisions.find((r) => new RegExp(`(^|[^a-z0-9-])${r}([^a-z0-9-]|$)`).test(answer.body));
}

/** Whether an answer came from the app (it names its revision) or from Google's front end. */
export function classifyAnswer(answer: HttpAnswer, revisions: string[]): Observation {
  if (answeredBy(answer, revisions))
    return { observed: APP_ANSWERS, note: `HTTP ${answer.status} from the app` };
  if (answer.status === 404 && /<html/i.test(answer.body))
    return { observed: GOOGLE_404, note: snippet(answer.body) };
  return { observed: `HTTP ${answer.status}, not from the app`, note: snippet(answer.body) };
}

export function snippet(body: string): string {
  return body
    .replace(/<style[\s\S]*?<\/style>/gi, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 160);
}

/** Seconds as a row value; at most 1 s counts as "at once", which is what the emulator assumes. */
export function seconds(ms: number): Observation {
  const s = ms / 1000;
  return {
    observed: s < 1 ? IMMEDIATE : `${s.toFixed(1)} s`,
    agrees: s < 1 ? 'yes' : 'no',
    note: `${s.toFixed(2)} s`,
  };
}

/** A URL with the parts that differ per run or project replaced, so the committed report names no project. */
export function urlShape(url: string, serviceId: string): string {
  return url
    .replace(serviceId, 'SERVICE')
    .replace(/^(https:\/\/SERVICE-)\d+\./, '$1PROJECT_NUMBER.')
    .replace(/^(https:\/\/SERVICE-)[a-z0-9]+-([a-z]{2})\.a\.run\.app/, '$1HASH-$2.a.run.app')
    .replace(/^(http:\/\/127\.0\.0\.1:)\d+/, '$1PORT');
}

export function tagUri(service: Json, tag: string): string | undefined {
  const statuses = (service.trafficStatuses ?? []) as Json[];
  return statuses.find((t) => t.tag === tag)?.uri as string | undefined;
}

/** An ID token for `audience`, or why there is none (user credentials cannot mint one). */
export async function tryIdToken(
  ctx: LiveContext,
  audience: string,
): Promise<{ token: string } | { error: string }> {
  try {
    return { token: await ctx.idToken(audience) };
  } catch (err) {
    if (ctx.signal.aborted) throw err;
    return { error: (err as Error).message.slice(0, 200) };
  }
}

/** Polls `url` without a token until it answers 200, or `limitMs` passes. */
export async function untilPublic(
  ctx: LiveContext,
  url: string,
  since: number,
  limitMs: number,
): Promise<Observation> {
  let last: HttpAnswer | undefined;
  while (ctx.now() - since < limitMs) {
    try {
      last = await ctx.get(url);
      if (last.status === 200) return seconds(ctx.now() - since);
    } catch (err) {
      if (ctx.signal.aborted) throw err;
    }
    await ctx.sleep(ctx.timing.probeEveryMs);
  }
  return {
    observed: `no 200 within ${Math.round(limitMs / 1000)} s`,
    agrees: 'no',
    note: last ? `last answer HTTP ${last.status}` : undefined,
  };
}
