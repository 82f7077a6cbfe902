// Where a release's traffic stood, over time, as the emulator's Cloud Run API reports it: polls
// GET services/<id> (with a token from the emulator's WIF chain, as any client gets one) and records when the
// candidate first got traffic and when the service was back on its baseline alone. Each moment seen by a
// poll is sharpened to the end of the operation that made it, from the emulator's wire log
// (GET /emulator/calls: the services.update's arrival and its operation's start and done).
import type { IdentityPoolClient } from 'google-auth-library';
import type { Emulator } from '../../emulator/emulator';

/** How often the service is read, ms. */
const POLL_MS = 200;

export interface TrafficTimeline {
  /** Epoch ms the candidate first served users (a split giving it more than 0 %), undefined if never. */
  firstTrafficAt?: number;
  /** Epoch ms the split was back on the baseline alone after that, undefined if never. */
  restoredAt?: number;
  /** Reads of the service that failed (the figures stand only if they are few). */
  failedReads: number;
}

interface Split {
  revision: string;
  percent: number;
}

/** Watches one service until `stop()`; `baseline` is the revision that serves 100 % before the release. */
export function watchTraffic(
  e: Emulator,
  auth: IdentityPoolClient,
  service: string,
  baseline: string,
): { stop(): Promise<TrafficTimeline> } {
  const name = `projects/${e.endpoints.project}/locations/us-central1/services/${service}`;
  const timeline: TrafficTimeline = { failedReads: 0 };
  let lastPoll = performance.timeOrigin + performance.now();
  let running = true;
  const pollOnce = async () => {
    const at = performance.timeOrigin + performance.now();
    const split = await read(e, auth, name).catch(() => undefined);
    if (!split) timeline.failedReads++;
    else {
      const onCandidate = split.some((t) => t.revision !== baseline && t.percent > 0);
      const onBaseline = split.some((t) => t.revision === baseline && t.percent === 100);
      if (timeline.firstTrafficAt === undefined && onCandidate)
        timeline.firstTrafficAt = landedAt(e, name, lastPoll, at);
      else if (timeline.firstTrafficAt !== undefined && timeline.restoredAt === undefined && onBaseline)
        timeline.restoredAt = landedAt(e, name, lastPoll, at);
    }
    lastPoll = at;
  };
  const loop = (async () => {
    while (running) {
      await pollOnce();
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      // The action may exit within a poll of its last write: one more read sees where traffic ended.
      await pollOnce();
      return timeline;
    },
  };
}

async function read(e: Emulator, auth: IdentityPoolClient, name: string): Promise<Split[]> {
  const { token } = await auth.getAccessToken();
  const res = await fetch(`${e.endpoints.runApi.url}/v2/${name}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  if (!res.ok) throw new Error(`GET ${name}: ${res.status}`);
  const body = (await res.json()) as { trafficStatuses?: Array<{ revision?: string; percent?: number }> };
  return (body.trafficStatuses ?? []).map((t) => ({ revision: t.revision ?? '', percent: t.percent ?? 0 }));
}

/**
 * The moment a change seen at `seenAt` (and not at `before`) landed: the end of the operation of this
 * service's latest services.update before `seenAt`, when the wire log shows it done in that window; else
 * `seenAt` (at most one poll late).
 */
function landedAt(e: Emulator, name: string, before: number, seenAt: number): number {
  const wire = e.api.wire;
  const update = [...wire.log]
    .reverse()
    .find((c) => c.method === 'services.update' && c.name === name && c.at <= seenAt);
  if (!update) return seenAt;
  // The operation starts as the update is accepted, a few ms after its arrival.
  const op = wire.operations
    .filter((o) => o.startedAt >= update.at - 1 && o.startedAt - update.at < 200 && o.doneAt !== undefined)
    .sort((a, b) => a.startedAt - b.startedAt)[0];
  return op?.doneAt !== undefined && op.doneAt >= before - 1 && op.doneAt <= seenAt + 1 ? op.doneAt : seenAt;
}
