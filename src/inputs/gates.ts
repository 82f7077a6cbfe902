// Gates: the stream-health panel beside each traffic step, the optional Monitoring and Logging gates, and
// what a step does with an inconclusive or failed check.
import type { GateSettings, GateUse } from '../core/config';
import { parseDuration } from '../core/durations';
import { INGESTION_DELAY_MS } from '../core/metric-gate';
import {
  DEFAULT_PANEL_PROBES,
  DEFAULT_PANEL_STREAMS,
  DEFAULT_PANEL_THRESHOLDS,
  type PanelThresholds,
} from '../core/stream-panel';
import { parseEnum, parseInteger } from './scalars';
import { parseMillis } from './smoke';
import { type InputName, listOf, type Problems, show } from './shared';

export const GATE_USES: readonly GateUse[] = ['auto', 'off', 'required'];
const INCONCLUSIVE = ['pass', 'hold', 'fail'] as const;

/** `panel_thresholds` keys: each a PanelThresholds field, in snake_case; `*_floor` keys are durations. */
const THRESHOLD_KEYS: Record<
  string,
  { field: keyof PanelThresholds; kind: 'ratio' | 'ms' | 'count' | 'probability' }
> = {
  first_event_ratio: { field: 'firstEventRatio', kind: 'ratio' },
  first_event_floor: { field: 'firstEventFloorMs', kind: 'ms' },
  gap_ratio: { field: 'gapRatio', kind: 'ratio' },
  gap_floor: { field: 'gapFloorMs', kind: 'ms' },
  min_rate_ratio: { field: 'minRateRatio', kind: 'ratio' },
  min_events_for_rate: { field: 'minEventsForRate', kind: 'count' },
  count_p: { field: 'countP', kind: 'probability' },
  min_count_excess: { field: 'minCountExcess', kind: 'count' },
  min_resume_rate: { field: 'minResumeRate', kind: 'ratio' },
  min_resume_tries: { field: 'minResumeTries', kind: 'count' },
  ping_ratio: { field: 'pingRatio', kind: 'ratio' },
  ping_floor: { field: 'pingFloorMs', kind: 'ms' },
  min_stream_seconds: { field: 'minStreamSeconds', kind: 'count' },
  min_signals: { field: 'minSignals', kind: 'count' },
};

/** `first_event_ratio=3,gap_floor=2s`: the panel's thresholds, each key overriding its default; every problem named. */
export function parsePanelThresholds(text: string, problems: Problems): PanelThresholds | undefined {
  const out: PanelThresholds = { ...DEFAULT_PANEL_THRESHOLDS };
  const expected = `\`key=value\` pairs separated by commas, keys from ${listOf(Object.keys(THRESHOLD_KEYS))}`;
  let ok = true;
  for (const part of text
    .split(/[,\n]/)
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [key, value = ''] = part.split('=').map((s) => s.trim());
    const known = THRESHOLD_KEYS[key];
    if (!known) {
      problems.add('panel_thresholds', `${show(key)} is not a panel threshold`, expected);
      ok = false;
      continue;
    }
    const parsed =
      known.kind === 'ms'
        ? parseDuration(value)
        : /^[0-9]+(\.[0-9]+)?$/.test(value)
          ? Number(value)
          : undefined;
    const bad =
      parsed === undefined ||
      (known.kind === 'count' && !Number.isInteger(parsed)) ||
      (known.kind === 'ratio' && !(parsed > 0)) ||
      (known.kind === 'probability' && !(parsed > 0 && parsed < 1));
    if (bad) {
      const what =
        known.kind === 'ms'
          ? 'a duration such as `500ms` or `2s`'
          : known.kind === 'count'
            ? 'a whole number'
            : known.kind === 'probability'
              ? 'a probability between 0 and 1 such as `0.001`'
              : 'a number above 0 such as `2` or `0.5`';
      problems.add('panel_thresholds', `${key}=${show(value)} is not ${what}`, expected);
      ok = false;
      continue;
    }
    out[known.field] = parsed as number;
  }
  return ok ? out : undefined;
}

/** The gates section: every input checked, every problem added; undefined when any was bad. */
export function parseGates(text: (name: InputName) => string, problems: Problems): GateSettings | undefined {
  const given = (name: InputName) => text(name) !== '';
  const panelStreams = given('panel_streams')
    ? parseInteger('panel_streams', text('panel_streams'), 0, 20, problems)
    : DEFAULT_PANEL_STREAMS;
  const panelProbes = given('panel_probes')
    ? parseInteger('panel_probes', text('panel_probes'), 0, 50, problems)
    : DEFAULT_PANEL_PROBES;
  const panelThresholds = parsePanelThresholds(text('panel_thresholds'), problems);
  const metrics = given('metric_gate')
    ? parseEnum('metric_gate', text('metric_gate'), GATE_USES, problems)
    : 'auto';
  const logs = given('log_gate') ? parseEnum('log_gate', text('log_gate'), GATE_USES, problems) : 'auto';
  const metricsDelayMs = given('metrics_delay')
    ? parseMillis('metrics_delay', text('metrics_delay'), 0, 900_000, problems)
    : INGESTION_DELAY_MS;
  const onInconclusive = given('gate_inconclusive')
    ? parseEnum('gate_inconclusive', text('gate_inconclusive'), INCONCLUSIVE, problems)
    : 'pass';
  const holdCapMs = given('gate_hold_cap')
    ? parseMillis('gate_hold_cap', text('gate_hold_cap'), 0, 3_600_000, problems)
    : 300_000;
  const failuresBeforeRollback = given('gate_failures')
    ? parseInteger('gate_failures', text('gate_failures'), 1, 10, problems)
    : 1;
  if (panelStreams === 0 && given('panel_thresholds'))
    problems.warn('panel_thresholds', 'is ignored: `panel_streams` is `0`, so the panel is off');
  if (panelStreams === 0 && given('panel_probes'))
    problems.warn('panel_probes', 'is ignored: `panel_streams` is `0`, so the panel is off');
  if (onInconclusive !== 'hold' && given('gate_hold_cap'))
    problems.warn(
      'gate_hold_cap',
      `is ignored: \`gate_inconclusive\` is \`${onInconclusive}\`, not \`hold\``,
    );
  if (metrics === 'off' && given('metrics_delay'))
    problems.warn('metrics_delay', 'is ignored: `metric_gate` is `off`');
  if (
    panelStreams === undefined ||
    panelProbes === undefined ||
    !panelThresholds ||
    !metrics ||
    !logs ||
    metricsDelayMs === undefined ||
    !onInconclusive ||
    holdCapMs === undefined ||
    failuresBeforeRollback === undefined
  )
    return undefined;
  return {
    panelStreams,
    panelProbes,
    panelThresholds,
    metrics,
    logs,
    metricsDelayMs,
    policy: { onInconclusive, holdCapMs, onHoldCapReached: 'fail', failuresBeforeRollback },
  };
}
