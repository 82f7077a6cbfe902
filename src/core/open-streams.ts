// What Cloud Monitoring's open-stream counts say beyond a step's verdict: how the revision that lost its
// traffic drains, and how much each open stream sends, candidate beside baseline. Shown in the log and the
// report, never judged: a new version may send more or less per stream on purpose, and a silent stream
// is the panel's to judge. Pure: no I/O, no clock.
import type { GateNumber, OpenStreamSample } from './metric-gate';

export interface DrainPrediction {
  /** Open streams at the latest sample (0 without samples). */
  openNow: number;
  /** When the old revision's streams end at the latest: the change plus the request timeout. */
  deadline: number;
  /** When they are expected to end: the trend of the samples, never past the deadline. */
  predictedEndAt: number;
  detail: string;
}

/** Points of the open-stream series a drain's detail shows. */
const DRAIN_POINTS = 10;

/**
 * When the old revision's open streams end: at the latest one request timeout after the traffic change
 * (docs/platform.md "A stream is one request"); sooner when the samples fall, by a straight line through
 * the samples since the highest one. `shiftedAt` defaults to the first sample, which is no earlier.
 */
export function predictDrain(
  samples: readonly OpenStreamSample[],
  timeoutSeconds: number,
  shiftedAt?: number,
): DrainPrediction {
  const sorted = [...samples].sort((a, b) => a.at - b.at);
  const anchor = shiftedAt ?? sorted[0]?.at ?? 0;
  const deadline = anchor + timeoutSeconds * 1000;
  const last = sorted[sorted.length - 1];
  if (!last)
    return {
      openNow: 0,
      deadline,
      predictedEndAt: deadline,
      detail: 'no samples: drained by the timeout at the latest',
    };
  if (last.streams <= 0)
    return { openNow: 0, deadline, predictedEndAt: last.at, detail: 'drained: no open streams' };
  const peak = sorted.reduce((best, s, i) => (s.streams >= sorted[best].streams ? i : best), 0);
  const tail = sorted.slice(peak);
  let predicted = deadline;
  if (tail.length >= 2) {
    const mt = tail.reduce((a, s) => a + s.at, 0) / tail.length;
    const ms = tail.reduce((a, s) => a + s.streams, 0) / tail.length;
    const cov = tail.reduce((a, s) => a + (s.at - mt) * (s.streams - ms), 0);
    const varT = tail.reduce((a, s) => a + (s.at - mt) ** 2, 0);
    const slope = varT > 0 ? cov / varT : 0;
    if (slope < 0) predicted = Math.min(deadline, Math.round(last.at + last.streams / -slope));
  }
  const minutes = (t: number) => `${Math.max(0, Math.round((t - last.at) / 60_000))} min`;
  // The open streams over time, a point a sample: the last DRAIN_POINTS of them, oldest first.
  const series = sorted
    .slice(-DRAIN_POINTS)
    .map((s) => s.streams)
    .join(' → ');
  return {
    openNow: last.streams,
    deadline,
    predictedEndAt: predicted,
    detail:
      predicted < deadline
        ? `${last.streams} open streams (${series}, a minute apart); at the current rate drained in about ${minutes(predicted)}, by the request timeout in ${minutes(deadline)} at the latest`
        : `${last.streams} open streams (${series}, a minute apart); not falling yet: drained by the request timeout in ${minutes(deadline)} at the latest`,
  };
}

/**
 * Bytes sent per open stream-minute, candidate beside baseline, over one window: the revision's
 * `container/network/sent_bytes_count` divided by its open streams summed over the window's minutes
 * (`max_request_concurrencies`, docs/platform.md "Cloud Run metrics: sampling and delay"). A stream
 * that stays open and silent shows as a fall here before any request ends.
 */
export function bytesPerStreamMinute(
  bytes: Readonly<Record<string, number>>,
  open: Readonly<Record<string, readonly OpenStreamSample[]>>,
  candidate: string,
  baseline: string,
  query?: string,
): GateNumber {
  const perMinute = (revision: string): string => {
    const streamMinutes = (open[revision] ?? []).reduce((sum, s) => sum + Math.max(0, s.streams), 0);
    const sent = bytes[revision];
    if (sent === undefined) return 'no data';
    if (streamMinutes === 0) return 'no open streams';
    return formatBytes(sent / streamMinutes);
  };
  return {
    label: 'sent bytes per open stream-minute (shown, not judged)',
    value: `candidate ${perMinute(candidate)}, baseline ${perMinute(baseline)}`,
    ...(query !== undefined && { query }),
  };
}

function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${(n / (1024 * 1024)).toFixed(1)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${Math.round(n)} B`;
}
