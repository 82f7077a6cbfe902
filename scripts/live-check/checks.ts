// The questions only Google can settle, each next to what the emulator (and so every test of the action)
// assumes. A check deploys its own short-lived services and reports observations through `observe`;
// groups of checks share nothing but the context, so one stuck check cannot spoil another's row.
import { ApiCallError, describeError, type ApiAnswer, type Json, type Operation } from './cloud-run-rest';
import type { HttpAnswer, LiveContext, Resources } from './context';
import type { Agreement } from './report';

/** What a check saw for one question. Without `agrees`, it agrees when `observed` equals the assumption. */
export interface Observation {
  observed: string;
  agrees?: Agreement;
  note?: string;
}

export type Observe = (id: string, observation: Observation) => void;

/** One row of the table: the emulator's assumption, the group of checks that observes it. */
export interface Question {
  id: string;
  group: string;
  check: string;
  assumes: string;
}

const GOOGLE_404 = "Google's 404 page (the app never sees it)";
const APP_ANSWERS = 'the app answers';
const IMMEDIATE = '0 s (at once)';

/** The emulator's assumptions, in report order (sources: FACTS.md and emulator/README.md). */
export const QUESTIONS: Question[] = [
  { id: '1a', group: 'base', check: 'GET /healthz on the service URL', assumes: GOOGLE_404 },
  { id: '1b', group: 'base', check: 'GET /health on the service URL', assumes: APP_ANSWERS },
  {
    id: '2a',
    group: 'sticky',
    check: 'a revision whose startup probe targets a wrong port (9999, container 8080)',
    assumes: 'revision fails',
  },
  {
    id: '2b',
    group: 'sticky',
    check: 'after that failure, PATCH updateMask=traffic moving a tag',
    assumes: 'operation error, traffic applied',
  },
  {
    id: '3a',
    group: 'mask',
    check: 'PATCH without updateMask, body only `traffic`',
    assumes: 'refused: HTTP 400 INVALID_ARGUMENT',
  },
  {
    id: '3b',
    group: 'mask',
    check: 'PATCH without updateMask, body = echoed template + traffic (no description/labels)',
    assumes: 'description and labels reset',
  },
  {
    id: '3c',
    group: 'mask',
    check: 'PATCH updateMask=traffic, body only `traffic`',
    assumes: 'description and labels kept',
  },
  {
    id: '4a',
    group: 'port',
    check: 'startup probe read back after creating with containerPort 8080 and no probe',
    assumes: 'tcpSocket.port 8080',
  },
  {
    id: '4b',
    group: 'port',
    check: 'containerPort 8081, the read-back probe echoed unchanged',
    assumes: 'revision fails',
  },
  {
    id: '4c',
    group: 'port',
    check: 'containerPort 8081, the probe moved to 8081',
    assumes: 'revision ready',
  },
  {
    id: '5',
    group: 'shift',
    check:
      "seconds from a traffic update's operation done to 100 of 100 consecutive answers from the new target",
    assumes: IMMEDIATE,
  },
  {
    id: '6a',
    group: 'public',
    check: 'seconds from PATCH updateMask=invokerIamDisabled (true) done to an unauthenticated 200',
    assumes: IMMEDIATE,
  },
  {
    id: '6b',
    group: 'iam',
    check: 'seconds from setIamPolicy (allUsers as roles/run.invoker) to an unauthenticated 200',
    assumes: IMMEDIATE,
  },
  {
    id: '7',
    group: 'base',
    check: 'an ID token with audience Service.uri, sent to a tag URL',
    assumes: 'HTTP 200',
  },
  {
    id: '8',
    group: 'base',
    check: 'PATCH with an etag read before a later update',
    assumes: 'HTTP 409 ABORTED',
  },
  {
    id: '9',
    group: 'base',
    check: 'Service.urls[]',
    assumes: '2 URLs, Service.uri among them',
  },
];

// ---- building blocks --------------------------------------------------------------------------------

const ENV_NAME = 'LIVE_CHECK_REVISION';
const TAG = 'lc';

/** A full service name in the run's project and region. */
function serviceName(ctx: LiveContext, id: string): string {
  return `${parent(ctx)}/services/${id}`;
}

function parent(ctx: LiveContext): string {
  return `projects/${ctx.project}/locations/${ctx.region}`;
}

/** A revision template of the check image; the env var makes every revision's template distinct. */
function template(ctx: LiveContext, revision: string, port = 8080, startupProbe?: Json): Json {
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

const revisionTarget = (revision: string, percent: number, tag?: string): Json => ({
  type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION',
  revision,
  percent,
  ...(tag ? { tag } : {}),
});

/** Creates service `<prefix>-<suffix>` and waits for it; it is tracked for clean-up before the call. */
async function createService(
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
type UpdateOutcome = { refused: ApiAnswer } | { op: Operation };

async function update(ctx: LiveContext, name: string, body: Json, mask?: string[]): Promise<UpdateOutcome> {
  ctx.log(`update ${name.split('/').pop()}${mask ? ` updateMask=${mask.join(',')}` : ' (no updateMask)'}`);
  const answer = await ctx.run.updateService(name, body, mask);
  if (answer.status !== 200) return { refused: answer };
  return {
    op: await ctx.run.awaitOperation(answer.body as unknown as Operation, ctx.timing.operationMs, ctx.signal),
  };
}

/** An update that must succeed (a step towards a check, not the check itself). */
async function mustUpdate(ctx: LiveContext, name: string, body: Json, mask?: string[]): Promise<void> {
  const outcome = await update(ctx, name, body, mask);
  if ('refused' in outcome) throw new ApiCallError(`update ${name}`, outcome.refused);
  if (outcome.op.error)
    throw new Error(`update of ${name} failed: code ${outcome.op.error.code} ${outcome.op.error.message}`);
}

/** `revision ready` / `revision fails` / `refused: HTTP …` for an update that creates a revision. */
function revisionOutcome(outcome: UpdateOutcome): Observation {
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

const short = (name: unknown) =>
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

function snippet(body: string): string {
  return body
    .replace(/<style[\s\S]*?<\/style>/gi, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 160);
}

/** Seconds as a row value; at most 1 s counts as "at once", which is what the emulator assumes. */
function seconds(ms: number): Observation {
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

function tagUri(service: Json, tag: string): string | undefined {
  const statuses = (service.trafficStatuses ?? []) as Json[];
  return statuses.find((t) => t.tag === tag)?.uri as string | undefined;
}

/** An ID token for `audience`, or why there is none (user credentials cannot mint one). */
async function tryIdToken(
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
async function untilPublic(
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

// ---- the groups -------------------------------------------------------------------------------------

export type Group = (ctx: LiveContext, resources: Resources, observe: Observe) => Promise<void>;

/** Checks 1, 7, 8 and the URLs, on one private service with a tag, description and labels. */
const base: Group = async (ctx, resources, observe) => {
  const id = `${ctx.prefix}-base`;
  const r1 = `${id}-r1`;
  const { name, service } = await createService(ctx, resources, 'base', {
    description: 'stream-deploy live check',
    labels: { 'stream-deploy-live-check': 'base' },
    template: template(ctx, r1),
    traffic: [revisionTarget(r1, 100, TAG)],
  });
  const uri = String(service.uri ?? '');
  const urls = ((service.urls ?? []) as string[]).map(String);
  observe('9', {
    observed:
      urls.length === 2 && urls.includes(uri)
        ? '2 URLs, Service.uri among them'
        : `${urls.length} URL(s)${urls.includes(uri) ? ', Service.uri among them' : ', Service.uri not among them'}`,
    note: `urls: ${urls.map((u) => urlShape(u, id)).join(', ') || '(none)'}; uri: ${urlShape(uri, id)}`,
  });

  const minted = await tryIdToken(ctx, uri);
  if ('error' in minted) {
    for (const id of ['1a', '1b', '7'])
      observe(id, { observed: `not observed: cannot mint an ID token: ${minted.error}`, agrees: 'n/a' });
  } else {
    const token = minted.token;
    observe('1a', classifyAnswer(await ctx.get(`${uri}/healthz`, { idToken: token }), [r1]));
    observe('1b', classifyAnswer(await ctx.get(`${uri}/health`, { idToken: token }), [r1]));
    const tagUrl = tagUri(service, TAG);
    if (!tagUrl) observe('7', { observed: `no trafficStatuses[].uri for tag ${TAG}`, agrees: 'no' });
    else {
      const answer = await ctx.get(tagUrl, { idToken: token });
      observe('7', {
        observed: `HTTP ${answer.status}`,
        note: answer.status === 200 ? `answered by ${answeredBy(answer, [r1]) ?? '?'}` : snippet(answer.body),
      });
    }
  }

  // AIP-154: a stale etag should be ABORTED; FACTS.md "optimistic concurrency" says unverified.
  const stale = String(service.etag ?? '');
  await mustUpdate(ctx, name, { description: 'stream-deploy live check (1)', etag: stale }, ['description']);
  const outcome = await update(ctx, name, { description: 'stream-deploy live check (2)', etag: stale }, [
    'description',
  ]);
  if ('refused' in outcome) {
    const status = String(((outcome.refused.body.error ?? {}) as Json).status ?? '');
    observe('8', {
      observed: `HTTP ${outcome.refused.status} ${status}`.trim(),
      note: describeError(outcome.refused).slice(0, 200),
    });
  } else {
    observe('8', {
      observed: outcome.op.error
        ? `accepted, operation error ${outcome.op.error.code}`
        : 'accepted (etag not enforced)',
    });
  }
};

/** Check 2: a failed revision, then a traffic-only update (FACTS.md "after a failed revision"). */
const sticky: Group = async (ctx, resources, observe) => {
  const id = `${ctx.prefix}-sticky`;
  const [r1, r2] = [`${id}-r1`, `${id}-r2`];
  const { name } = await createService(ctx, resources, 'sticky', {
    template: template(ctx, r1),
    traffic: [revisionTarget(r1, 100)],
  });
  const wrongPort = { tcpSocket: { port: 9999 }, failureThreshold: 1, periodSeconds: 1, timeoutSeconds: 1 };
  const bad = await update(
    ctx,
    name,
    { template: template(ctx, r2, 8080, wrongPort), traffic: [revisionTarget(r1, 100)] },
    ['template', 'traffic'],
  );
  observe('2a', revisionOutcome(bad));
  let premise = 'the failed revision is the wrong-port one';
  if ('refused' in bad || !bad.op.error) {
    // Check 2b needs a failed revision: make one from a command the image does not have.
    const missing = template(ctx, `${id}-r3`);
    ((missing.containers as Json[])[0] as Json).command = ['/sd-live-check-no-such-command'];
    const other = await update(ctx, name, { template: missing, traffic: [revisionTarget(r1, 100)] }, [
      'template',
      'traffic',
    ]);
    premise = `2a did not fail, so a revision with a missing command: ${revisionOutcome(other).observed}`;
  }

  const moved = await update(ctx, name, { traffic: [revisionTarget(r1, 100, TAG)] }, ['traffic']);
  if ('refused' in moved) {
    observe('2b', { observed: `refused: HTTP ${moved.refused.status}`, note: describeError(moved.refused) });
    return;
  }
  const after = await ctx.run.getService(name);
  const applied = ((after.traffic ?? []) as Json[]).some((t) => t.tag === TAG && short(t.revision) === r1);
  const served = tagUri(after, TAG) !== undefined;
  observe('2b', {
    observed: `${moved.op.error ? 'operation error' : 'operation succeeded'}, traffic ${applied ? 'applied' : 'not applied'}`,
    note: [
      moved.op.error ? `error code ${moved.op.error.code}: ${moved.op.error.message.slice(0, 160)}` : '',
      `tag URL ${served ? 'present' : 'absent'} in trafficStatuses`,
      premise,
      `terminalCondition ${String(((after.terminalCondition ?? {}) as Json).state ?? '?')}`,
    ]
      .filter(Boolean)
      .join('; '),
  });
};

/** Check 3: what an update without updateMask resets (FACTS.md "update without updateMask"). */
const mask: Group = async (ctx, resources, observe) => {
  const id = `${ctx.prefix}-mask`;
  const r1 = `${id}-r1`;
  const description = 'stream-deploy live check';
  const labels = { 'stream-deploy-live-check': 'mask' };
  const { name } = await createService(ctx, resources, 'mask', {
    description,
    labels,
    template: template(ctx, r1),
    traffic: [revisionTarget(r1, 100)],
  });
  const kept = async (): Promise<{ observed: string; note: string }> => {
    const s = await ctx.run.getService(name);
    const hasDescription = s.description === description;
    const hasLabels = ((s.labels ?? {}) as Json)['stream-deploy-live-check'] === 'mask';
    const observed =
      hasDescription && hasLabels
        ? 'description and labels kept'
        : !hasDescription && !hasLabels
          ? 'description and labels reset'
          : `description ${hasDescription ? 'kept' : 'reset'}, labels ${hasLabels ? 'kept' : 'reset'}`;
    return {
      observed,
      note: `description ${JSON.stringify(s.description ?? null)}, labels ${JSON.stringify(s.labels ?? {})}`,
    };
  };
  const restore = () => mustUpdate(ctx, name, { description, labels }, ['description', 'labels']);
  const traffic = [revisionTarget(r1, 100)];

  const bare = await update(ctx, name, { traffic });
  if ('refused' in bare) {
    const status = String(((bare.refused.body.error ?? {}) as Json).status ?? '');
    observe('3a', {
      observed: `refused: HTTP ${bare.refused.status} ${status}`.trim(),
      note: describeError(bare.refused).slice(0, 200),
    });
  } else {
    const after = await kept();
    observe('3a', {
      observed: bare.op.error
        ? `accepted, operation error ${bare.op.error.code}`
        : `accepted: ${after.observed}`,
      note: after.note,
    });
    await restore();
  }

  const masked = await update(ctx, name, { traffic }, ['traffic']);
  if ('refused' in masked)
    observe('3c', {
      observed: `refused: HTTP ${masked.refused.status}`,
      note: describeError(masked.refused),
    });
  else observe('3c', await kept());

  const current = await ctx.run.getService(name);
  const whole = await update(ctx, name, { template: current.template as Json, traffic });
  if ('refused' in whole)
    observe('3b', {
      observed: `refused: HTTP ${whole.refused.status}`,
      note: describeError(whole.refused).slice(0, 200),
    });
  else if (whole.op.error)
    observe('3b', { observed: `operation error ${whole.op.error.code}`, note: whole.op.error.message });
  else observe('3b', await kept());
};

/** Check 4: the default startup probe and a container port change (FACTS.md "default startup probe"). */
const port: Group = async (ctx, resources, observe) => {
  const id = `${ctx.prefix}-port`;
  const { name, service } = await createService(ctx, resources, 'port', {
    template: template(ctx, `${id}-r1`, 8080),
    traffic: [revisionTarget(`${id}-r1`, 100)],
  });
  const container = (((service.template as Json).containers ?? []) as Json[])[0] ?? {};
  const probe = container.startupProbe as Json | undefined;
  const tcp = probe?.tcpSocket as Json | undefined;
  observe('4a', {
    observed: !probe
      ? 'no startup probe'
      : tcp
        ? tcp.port !== undefined
          ? `tcpSocket.port ${String(tcp.port)}`
          : 'tcpSocket without a port'
        : `a ${Object.keys(probe).find((k) => k.endsWith('Get') || k === 'grpc') ?? 'non-TCP'} probe`,
    note: probe ? JSON.stringify(probe) : undefined,
  });

  const moved = (revision: string, probePort?: number): Json => {
    const t = structuredClone(service.template as Json);
    t.revision = revision;
    const c = ((t.containers as Json[]) ?? [])[0];
    c.ports = [{ ...(((c.ports as Json[]) ?? [])[0] ?? {}), containerPort: 8081 }];
    c.env = [{ name: ENV_NAME, value: revision }];
    if (probePort !== undefined && c.startupProbe && (c.startupProbe as Json).tcpSocket)
      (c.startupProbe as Json).tcpSocket = {
        ...((c.startupProbe as Json).tcpSocket as Json),
        port: probePort,
      };
    return t;
  };
  observe('4b', revisionOutcome(await update(ctx, name, { template: moved(`${id}-r2`) }, ['template'])));
  observe(
    '4c',
    revisionOutcome(await update(ctx, name, { template: moved(`${id}-r3`, 8081) }, ['template'])),
  );
};

/** Check 5: how long after a traffic update's operation is done the split really holds (FACTS.md "Traffic routing changes are not instantaneous"). */
const shift: Group = async (ctx, resources, observe) => {
  const id = `${ctx.prefix}-shift`;
  const [r1, r2] = [`${id}-r1`, `${id}-r2`];
  const { name, service } = await createService(ctx, resources, 'shift', {
    template: template(ctx, r1),
    traffic: [revisionTarget(r1, 100)],
  });
  await mustUpdate(ctx, name, { template: template(ctx, r2), traffic: [revisionTarget(r1, 100)] }, [
    'template',
    'traffic',
  ]);
  const uri = String(service.uri);
  const minted = await tryIdToken(ctx, uri);
  let token: string | undefined;
  let how = 'with an ID token';
  if ('token' in minted) token = minted.token;
  else {
    // No ID token (e.g. user credentials): make this service public and wait until it answers.
    await mustUpdate(ctx, name, { invokerIamDisabled: true }, ['invokerIamDisabled']);
    const open = await untilPublic(ctx, uri, ctx.now(), ctx.timing.publicMs);
    if (open.observed.startsWith('no 200')) throw new Error('service never became public');
    how = `without a token (made public: no ID token, ${minted.error})`;
  }
  await mustUpdate(ctx, name, { traffic: [revisionTarget(r2, 100)] }, ['traffic']);
  const done = ctx.now();
  let streak = 0;
  let streakStart = done;
  let requests = 0;
  while (ctx.now() - done < ctx.timing.settleMs) {
    const started = ctx.now();
    let by: string | undefined;
    try {
      by = answeredBy(await ctx.get(uri, { idToken: token }), [r1, r2]);
    } catch (err) {
      if (ctx.signal.aborted) throw err;
    }
    requests += 1;
    if (by === r2) {
      if (streak === 0) streakStart = started;
      streak += 1;
      if (streak === 100) {
        const result = seconds(streakStart - done);
        observe('5', {
          ...result,
          note: `${result.note}; ${requests} requests ${how}, the last 100 all from ${r2}`,
        });
        return;
      }
    } else streak = 0;
  }
  observe('5', {
    observed: `no 100-request streak within ${Math.round(ctx.timing.settleMs / 1000)} s`,
    agrees: 'no',
    note: `${requests} requests`,
  });
};

/** Check 6a: time to public through invokerIamDisabled (FACTS.md "public access"). */
const publicAccess: Group = async (ctx, resources, observe) => {
  const id = `${ctx.prefix}-pub`;
  const { name, service } = await createService(ctx, resources, 'pub', {
    template: template(ctx, `${id}-r1`),
    traffic: [revisionTarget(`${id}-r1`, 100)],
  });
  const uri = String(service.uri);
  const before = await ctx.get(uri);
  const outcome = await update(ctx, name, { invokerIamDisabled: true }, ['invokerIamDisabled']);
  if ('refused' in outcome) {
    observe('6a', {
      observed: `refused: HTTP ${outcome.refused.status}`,
      agrees: 'no',
      note: describeError(outcome.refused),
    });
    return;
  }
  if (outcome.op.error) {
    observe('6a', {
      observed: `operation error ${outcome.op.error.code}`,
      agrees: 'no',
      note: outcome.op.error.message,
    });
    return;
  }
  const result = await untilPublic(ctx, uri, ctx.now(), ctx.timing.publicMs);
  observe('6a', { ...result, note: `${result.note ?? ''}; before: HTTP ${before.status} without a token` });
};

/** Check 6b: time to public through an allUsers binding (IAM propagation: typically 2 min, up to 7). */
const iamBinding: Group = async (ctx, resources, observe) => {
  if (!ctx.checkIamBinding) {
    observe('6b', { observed: 'not run (pass --check-iam-binding)', agrees: 'n/a' });
    return;
  }
  const id = `${ctx.prefix}-iam`;
  const { name, service } = await createService(ctx, resources, 'iam', {
    template: template(ctx, `${id}-r1`),
    traffic: [revisionTarget(`${id}-r1`, 100)],
  });
  const policy = await ctx.run.getIamPolicy(name);
  const bindings = [
    ...((policy.bindings ?? []) as Json[]),
    { role: 'roles/run.invoker', members: ['allUsers'] },
  ];
  const answer = await ctx.run.setIamPolicy(name, { ...policy, bindings });
  if (answer.status !== 200) {
    observe('6b', {
      observed: `refused: HTTP ${answer.status}`,
      agrees: 'no',
      note: `${describeError(answer).slice(0, 200)} (Domain Restricted Sharing refuses allUsers)`,
    });
    return;
  }
  observe('6b', await untilPublic(ctx, String(service.uri), ctx.now(), ctx.timing.publicMs));
};

/** Every group by name; they run side by side. */
export const GROUPS: Record<string, Group> = {
  base,
  sticky,
  mask,
  port,
  shift,
  public: publicAccess,
  iam: iamBinding,
};
