// Open streams beyond a step's verdict (src/core/open-streams.ts): the drain of the revision that lost its
// traffic, and the bytes each open stream sends, candidate beside baseline.
import { bytesPerStreamMinute, predictDrain } from '../../src/core/open-streams';

const T0 = Date.parse('2026-03-01T12:00:00Z');
const MIN = 60_000;

describe('predictDrain', () => {
  const at = (m: number, streams: number) => ({ at: T0 + m * MIN, streams });

  test.each([
    ['no samples: the timeout bounds it', [], 0, T0 + 3600_000],
    ['drained', [at(1, 40), at(2, 0)], 0, T0 + 2 * MIN],
    ['falling 10 a minute from 40', [at(1, 60), at(2, 50), at(3, 40)], 40, T0 + 7 * MIN],
    ['flat: the timeout', [at(1, 40), at(2, 40), at(3, 40)], 40, T0 + 3600_000],
    ['falling slowly: never past the timeout', [at(1, 1000), at(2, 999)], 999, T0 + 3600_000],
  ])('%s', (_name, samples, openNow, predictedEndAt) => {
    const d = predictDrain(samples, 3600, T0);
    expect(d.openNow).toBe(openNow);
    expect(d.predictedEndAt).toBe(predictedEndAt);
    expect(d.deadline).toBe(T0 + 3600_000);
  });

  test('the detail shows the open streams over time, oldest first, and the predicted end', () => {
    expect(predictDrain([at(1, 60), at(2, 50), at(3, 40)], 3600, T0).detail).toBe(
      '40 open streams (60 → 50 → 40, a minute apart); at the current rate drained in about 4 min, by the request timeout in 57 min at the latest',
    );
  });

  test('without the change time, the first sample anchors the deadline (no earlier)', () => {
    expect(predictDrain([at(2, 5), at(3, 5)], 300).deadline).toBe(T0 + 2 * MIN + 300_000);
  });
});

describe('bytesPerStreamMinute', () => {
  const at = (m: number, streams: number) => ({ at: T0 + m * MIN, streams });

  test("bytes over the open streams summed across the window's minutes, both revisions", () => {
    const n = bytesPerStreamMinute(
      { new: 30 * 1024, old: 600 },
      { new: [at(1, 10), at(2, 20)], old: [at(1, 3), at(2, 3)] },
      'new',
      'old',
      'q',
    );
    expect(n).toEqual({
      label: 'sent bytes per open stream-minute (shown, not judged)',
      value: 'candidate 1.0 KiB, baseline 100 B',
      query: 'q',
    });
  });

  test('says which side it could not measure, never a zero', () => {
    expect(bytesPerStreamMinute({ new: 500 }, { new: [at(1, 0)] }, 'new', 'old').value).toBe(
      'candidate no open streams, baseline no data',
    );
  });
});
