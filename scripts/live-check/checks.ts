// The live checks: groups of checks that each deploy their own short-lived services and report observations
// through `observe`; groups share nothing but the context, so one stuck check cannot spoil another's row.
// The questions they answer are in questions.ts, the steps they take in building-blocks.ts.
import { describeError, type Json } from './cloud-run-rest';
import type { LiveContext, Resources } from './context';
import {
  answeredBy,
  classifyAnswer,
  createService,
  ENV_NAME,
  mustUpdate,
  revisionOutcome,
  revisionTarget,
  seconds,
  short,
  snippet,
  TAG,
  tagUri,
  template,
  tryIdToken,
  untilPublic,
  update,
  urlShape,
} from './building-blocks';
import type { Observe } from './questions';
import { observability } from './observability-checks';

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

  // AIP-154: a stale etag should be ABORTED; docs/platform.md "Optimistic concurrency" says unverified.
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

/** Check 2: a failed revision, then a traffic-only update (docs/platform.md "After a failed revision"). */
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

/** Check 3: what an update without updateMask resets (docs/platform.md "No mask = full replacement"). */
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

/** Check 4: the default startup probe and a container port change (docs/platform.md "Default startup probe"). */
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

/** Check 5: how long after a traffic update's operation is done the split really holds (docs/platform.md "Routing changes take time"). */
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

/** Check 6a: time to public through invokerIamDisabled (docs/platform.md "Public access and IAM"). */
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
  observability,
};
