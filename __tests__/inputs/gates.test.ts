// The gates section of the inputs (src/inputs/gates.ts): defaults, overrides, and every problem at once.
import { parseInputs } from '../../src/inputs';
import { DEFAULT_PANEL_THRESHOLDS } from '../../src/core/stream-panel';
import { PUSH, REQUIRED, problemsOf, reader } from './fixtures';

const gates = (inputs: Record<string, string>) =>
  parseInputs(reader({ ...REQUIRED, ...inputs }), PUSH, {}).gates;

describe('parseInputs: step gates', () => {
  test('defaults: 3 panel streams and 5 probes a second, both observability gates on when allowed, a 3 min delay, inconclusive passes', () => {
    expect(gates({})).toEqual({
      panelStreams: 3,
      panelProbes: 5,
      panelThresholds: DEFAULT_PANEL_THRESHOLDS,
      metrics: 'auto',
      logs: 'auto',
      metricsDelayMs: 180_000,
      policy: {
        onInconclusive: 'pass',
        holdCapMs: 300_000,
        onHoldCapReached: 'fail',
        failuresBeforeRollback: 1,
      },
    });
  });

  test('overrides, thresholds by key with durations for the floors', () => {
    const g = gates({
      panel_streams: '5',
      panel_probes: '0',
      panel_thresholds: 'first_event_ratio=3, gap_floor=2s,min_signals=8,count_p=0.0001',
      metric_gate: 'required',
      log_gate: 'off',
      metrics_delay: '4m',
      gate_inconclusive: 'hold',
      gate_hold_cap: '10m',
      gate_failures: '2',
    });
    expect([g.panelStreams, g.panelProbes]).toEqual([5, 0]);
    expect(g.panelThresholds).toEqual({
      ...DEFAULT_PANEL_THRESHOLDS,
      firstEventRatio: 3,
      gapFloorMs: 2000,
      minSignals: 8,
      countP: 0.0001,
    });
    expect([g.metrics, g.logs, g.metricsDelayMs]).toEqual(['required', 'off', 240_000]);
    expect(g.policy).toEqual({
      onInconclusive: 'hold',
      holdCapMs: 600_000,
      onHoldCapReached: 'fail',
      failuresBeforeRollback: 2,
    });
  });

  test('every bad value is named at once, before any API call, with what is expected', () => {
    const problems = problemsOf({
      panel_streams: '-1',
      panel_probes: '51',
      panel_thresholds: 'first_event=2,gap_floor=soon,min_signals=2.5,ping_ratio=0,count_p=1',
      metric_gate: 'yes',
      metrics_delay: '1h',
      gate_inconclusive: 'maybe',
      gate_failures: '0',
    });
    expect(problems.map((p) => `\`${p.input}\`: ${p.message}`)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^`panel_streams`: "-1" is not a whole number/),
        expect.stringMatching(
          /^`panel_thresholds`: "first_event" is not a panel threshold; expected `key=value` pairs/,
        ),
        expect.stringMatching(/^`panel_thresholds`: gap_floor="soon" is not a duration/),
        expect.stringMatching(/^`panel_thresholds`: min_signals="2.5" is not a whole number/),
        expect.stringMatching(/^`panel_thresholds`: ping_ratio="0" is not a number above 0/),
        expect.stringMatching(/^`panel_thresholds`: count_p="1" is not a probability between 0 and 1/),
        expect.stringMatching(/^`panel_probes`: 51 is out of range/),
        expect.stringMatching(
          /^`metric_gate`: "yes" is not a known value; expected one of `auto`, `off`, `required`/,
        ),
        expect.stringMatching(/^`metrics_delay`: "1h" is not a duration from 0 s to 900 s/),
        expect.stringMatching(/^`gate_inconclusive`: "maybe" is not a known value/),
        expect.stringMatching(/^`gate_failures`: 0 is out of range/),
      ]),
    );
  });

  test('inputs the chosen gates never read are warned about', () => {
    const config = parseInputs(
      reader({
        ...REQUIRED,
        panel_streams: '0',
        panel_thresholds: 'gap_ratio=3',
        panel_probes: '5',
        gate_hold_cap: '1m',
        metric_gate: 'off',
        metrics_delay: '1m',
      }),
      PUSH,
      {},
    );
    expect(config.inputWarnings).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/`panel_thresholds`: is ignored: `panel_streams` is `0`/),
        expect.stringMatching(/`panel_probes`: is ignored: `panel_streams` is `0`/),
        expect.stringMatching(/`gate_hold_cap`: is ignored: `gate_inconclusive` is `pass`/),
        expect.stringMatching(/`metrics_delay`: is ignored: `metric_gate` is `off`/),
      ]),
    );
  });
});
