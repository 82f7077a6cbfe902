// Output names in one place: action.yml declares exactly these (checked by __tests__/action.test.ts).
export const OUTPUTS = {
  /** The service's main URL (`Service.uri`). */
  url: 'url',
  /** The candidate's tag URL, read from `trafficStatuses[].uri` (docs/platform.md "Tag URLs"). */
  tagUrl: 'tag_url',
  /** Short name of the revision this run deployed. */
  revision: 'revision',
  /** Short name of the revision that served traffic before this run. */
  previousRevision: 'previous_revision',
  /** The service's traffic when the run ended, as JSON traffic targets. */
  traffic: 'traffic',
  /** How the rollout ended. */
  verdict: 'verdict',
  /** The streaming smoke test's result, as JSON. */
  smokeResult: 'smoke_result',
  /** A multi-region release: each region's wave, verdict, URLs, revision and traffic, as JSON. */
  regions: 'regions',
  /** `mode: job`: the execution's full name. */
  execution: 'execution',
  /** `mode: job`: how the execution ended. */
  executionStatus: 'execution_status',
  /** `mode: job`: the task counts and the failed tasks, as JSON. */
  tasks: 'tasks',
  /** `mode: job`: the execution's logs in the console. */
  logUrl: 'log_url',
} as const;

export type OutputName = (typeof OUTPUTS)[keyof typeof OUTPUTS];

/** Every output name, in declaration order, for the contract test and the docs. */
export const OUTPUT_NAMES: readonly OutputName[] = Object.values(OUTPUTS);

/** Writes the outputs in one place, once, at the end of a run; undefined values are left unset. */
export function writeOutputs(
  set: (name: OutputName, value: string) => void,
  values: Partial<Record<keyof typeof OUTPUTS, string | undefined>>,
): void {
  for (const [key, value] of Object.entries(values) as Array<[keyof typeof OUTPUTS, string | undefined]>) {
    if (value !== undefined) set(OUTPUTS[key], value);
  }
}
