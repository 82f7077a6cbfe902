// Runs every group of checks side by side, each within its own time bound, then deletes everything the
// run created, also when a check failed or the run was interrupted (the caller aborts `ctx.signal`).
import { GROUPS } from './checks';
import { QUESTIONS, type Observation } from './questions';
import { withSignal, type LiveContext, type Resources } from './context';
import { renderRowLine, type Row } from './report';

export interface LiveCheckResult {
  rows: Row[];
  /** Services that could not be deleted (should be empty). */
  leftovers: string[];
}

/**
 * The rows in QUESTIONS order; a question whose group ended early says why it has no observation.
 * `groups` narrows the run to some groups of checks (tests); by default all run.
 */
export async function runLiveCheck(
  ctx: LiveContext,
  resources: Resources,
  groups: string[] = Object.keys(GROUPS),
): Promise<LiveCheckResult> {
  const observed = new Map<string, Observation>();
  const groupErrors = new Map<string, string>();
  const rowOf = (id: string): Row => {
    const q = QUESTIONS.find((question) => question.id === id);
    if (!q) throw new Error(`unknown check ${id}`);
    const o = observed.get(id);
    if (!o)
      return {
        id,
        check: q.check,
        assumes: q.assumes,
        observed: `not observed: ${groupErrors.get(q.group) ?? 'the check ended before this step'}`,
        agrees: 'n/a',
      };
    return {
      id,
      check: q.check,
      assumes: q.assumes,
      observed: o.observed,
      agrees: o.agrees ?? (o.observed === q.assumes ? 'yes' : 'no'),
      note: o.note,
    };
  };
  let leftovers: string[];
  try {
    await Promise.all(
      Object.entries(GROUPS)
        .filter(([group]) => groups.includes(group))
        .map(async ([group, run]) => {
          const signal = AbortSignal.any([ctx.signal, AbortSignal.timeout(ctx.timing.groupMs)]);
          const log = (line: string) => ctx.log(`[${group}] ${line}`);
          try {
            await run({ ...withSignal(ctx, signal), log }, resources, (id, observation) => {
              observed.set(id, observation);
              ctx.log(renderRowLine(rowOf(id)));
            });
          } catch (err) {
            const why = ctx.signal.aborted
              ? 'interrupted'
              : signal.aborted
                ? `no result within ${Math.round(ctx.timing.groupMs / 1000)} s`
                : (err as Error).message;
            groupErrors.set(group, why);
            log(`stopped: ${why}`);
          }
        }),
    );
  } finally {
    ctx.log(`clean-up: deleting ${resources.list().length} service(s) this run created`);
    leftovers = await resources.deleteAll(ctx.run, ctx.timing, ctx.log);
  }
  return { rows: QUESTIONS.filter((q) => groups.includes(q.group)).map((q) => rowOf(q.id)), leftovers };
}
