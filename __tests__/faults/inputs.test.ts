// Fault matrix, malformed inputs: every class of bad `with:` value is refused by one error that names
// every problem (`input`: what is wrong; expected …), before Google's libraries load: no Cloud Run API
// call, no STS exchange, no report. Through the built action; invariants in __tests__/support/fault-suite.ts.
import {
  apiCallCount,
  checkCase,
  releaseInputs,
  runMain,
  seedBaseline,
  useFaultWorld,
} from '../support/fault-suite';

const w = useFaultWorld('inputs');
const GROUP = 'Malformed inputs';
// No case touches Cloud Run, so one seeded service serves as the traffic every case must leave alone.
const SERVICE = 'inputs-untouched';
const WIF_WITH_PROJECT_ID =
  'projects/my-project/locations/global/workloadIdentityPools/github/providers/streams';

interface BadInputCase {
  title: string;
  fault: string;
  inputs: Record<string, string>;
  /** Every input the one error must name. */
  names: string[];
  /** What else the error must say, and how the table shows it. */
  pattern: RegExp;
  label: string;
}

const CASES: BadInputCase[] = [
  {
    title: 'bad image reference',
    fault: '`image: https://not an image`',
    inputs: { image: 'https://not an image' },
    names: ['image'],
    pattern: /`image`: "https:\/\/not an image" contains whitespace; expected/,
    label: '`image`: contains whitespace; expected a registry reference',
  },
  {
    title: 'bad region',
    fault: '`region: Mars Central`',
    inputs: { region: 'Mars Central' },
    names: ['region'],
    pattern: /`region`: "Mars Central" is not valid; expected a Cloud Run region/,
    label: '`region`: is not valid; expected a Cloud Run region',
  },
  {
    title: 'invalid service id',
    fault: '`service: 1-API_` (digit first, uppercase, underscore)',
    inputs: { service: '1-API_' },
    names: ['service'],
    pattern: /`service`: "1-API_" is not valid; expected a Cloud Run service id/,
    label: '`service`: is not valid; expected a Cloud Run service id',
  },
  {
    title: 'timeout out of range',
    fault: '`timeout: 9999` (Cloud Run allows 1 s to 3600 s)',
    inputs: { timeout: '9999' },
    names: ['timeout'],
    pattern: /`timeout`: "9999" is 9999 s, out of range; expected 1 to 3600 seconds/,
    label: '`timeout`: out of range; expected 1 to 3600 seconds',
  },
  {
    title: 'concurrency invalid',
    fault: '`concurrency: 1001` (at most 1000)',
    inputs: { concurrency: '1001' },
    names: ['concurrency'],
    pattern: /`concurrency`: 1001 is out of range; expected .*1000/,
    label: '`concurrency`: out of range; expected at most 1000',
  },
  {
    title: 'env_vars syntax',
    fault: '`env_vars` line without `=`',
    inputs: { env_vars: 'TICK_MS 100' },
    names: ['env_vars'],
    pattern: /`env_vars`: line 1 has no `=`; expected/,
    label: '`env_vars`: line 1 has no `=`',
  },
  {
    title: 'secrets syntax',
    fault: '`secrets` line without `=`',
    inputs: { secrets: 'API_KEY' },
    names: ['secrets'],
    pattern: /`secrets`: line 1 has no `=`; expected/,
    label: '`secrets`: line 1 has no `=`',
  },
  {
    title: 'traffic_steps not increasing',
    fault: '`traffic_steps: 50,10,100`',
    inputs: { traffic_steps: '50,10,100' },
    names: ['traffic_steps'],
    pattern: /`traffic_steps`: "50,10,100" is not strictly ascending; expected ascending percents/,
    label: '`traffic_steps`: not strictly ascending',
  },
  {
    title: 'traffic_steps over 100',
    fault: '`traffic_steps: 10,150`',
    inputs: { traffic_steps: '10,150', step_wait: '0s' },
    names: ['traffic_steps'],
    pattern: /`traffic_steps`: "10,150" has a step that is not a whole percent from 1 to 100/,
    label: '`traffic_steps`: a step is not a percent from 1 to 100',
  },
  {
    title: 'step_wait count mismatch',
    fault: '`step_wait: 1s,2s` for three `traffic_steps`',
    inputs: { step_wait: '1s,2s' },
    names: ['step_wait'],
    pattern:
      /`step_wait`: "1s,2s" has 2 durations for 3 traffic steps; expected one duration for every step, or one per step/,
    label: '`step_wait`: 2 durations for 3 traffic steps',
  },
  {
    title: 'unknown profile',
    fault: '`profile: kafka`',
    inputs: { profile: 'kafka' },
    names: ['profile'],
    pattern: /`profile`: "kafka" is not a known value; expected one of `sse`, `websocket`, `grpc`, `http`/,
    label: '`profile`: not a known value; expected one of sse, websocket, grpc, http',
  },
  {
    title: 'missing required input',
    fault: '`project_id` empty, neither `GOOGLE_CLOUD_PROJECT` nor `CLOUDSDK_CORE_PROJECT` set',
    inputs: { project_id: '' },
    names: ['project_id'],
    pattern:
      /`project_id`: is required: it is not given, and neither `GOOGLE_CLOUD_PROJECT` nor `CLOUDSDK_CORE_PROJECT` is set; expected `project_id`, or google-github-actions\/auth/,
    label: '`project_id`: is required',
  },
  {
    title: 'WIF provider with project id',
    fault: '`workload_identity_provider` names the project id, not its number',
    inputs: { workload_identity_provider: WIF_WITH_PROJECT_ID },
    names: ['workload_identity_provider'],
    pattern:
      /`workload_identity_provider`: names project "my-project", but provider names use the project NUMBER/,
    label: '`workload_identity_provider`: uses the project id; expected the project NUMBER',
  },
  {
    title: 'several at once',
    fault: 'bad `image`, `region`, `timeout`, `env_vars`, `traffic_steps` and `profile` together',
    inputs: {
      image: 'Stream-App',
      region: 'nowhere',
      timeout: '0',
      env_vars: '=x',
      traffic_steps: '10,10',
      step_wait: '0s',
      profile: 'mqtt',
    },
    names: ['image', 'region', 'timeout', 'env_vars', 'traffic_steps', 'profile'],
    pattern: /`region`[\s\S]*`image`[\s\S]*`profile`[\s\S]*`timeout`[\s\S]*`env_vars`[\s\S]*`traffic_steps`/,
    label: 'one error naming all six inputs',
  },
  {
    title: 'deploy-cloudrun inputs that cannot work',
    fault: '`suffix` differing from `revision_suffix`, a secret file under /dev, an unknown update strategy',
    inputs: {
      suffix: 'v1',
      revision_suffix: 'v2',
      secrets: '/dev/app/key=api-key:1',
      env_vars_update_strategy: 'replace',
    },
    names: ['env_vars_update_strategy', 'secrets', 'suffix'],
    pattern:
      /`env_vars_update_strategy`: "replace" is not a known value[\s\S]*`secrets`: line 1: "\/dev\/app\/key" would mount over `\/dev`[\s\S]*`suffix`: "v1" differs from `revision_suffix`/,
    label: 'one error naming all three inputs',
  },
];

let before: Awaited<ReturnType<typeof seedBaseline>>;

beforeAll(async () => {
  before = await seedBaseline(w, SERVICE);
});

test.each(CASES)(
  'malformed input, $title: one error naming it, no Cloud Run or STS call, exit 1',
  async (c) => {
    // STS cannot be counted by the emulator: a failure queued for it stays queued if it is never reached.
    w.emulator.faults.failNext('sts.token', 1, { status: 500, message: 'must not be reached' });
    const calls = apiCallCount(w.emulator);
    const run = await runMain(w, releaseInputs(w.emulator, SERVICE, 'v2', c.inputs));
    const apiCalls = apiCallCount(w.emulator) - calls;
    const stsReached = w.emulator.faults.take('sts.token') === undefined;
    const error = run.annotations
      .filter((a) => a.startsWith('::error'))
      .join('\n')
      .replace(/%0A/g, '\n');
    await checkCase(w, run, {
      group: GROUP,
      title: c.title,
      fault: c.fault,
      service: SERVICE,
      before,
      expected: 'baseline',
      verdict: 'failed',
      exit: 1,
      says: { pattern: c.pattern, label: c.label },
      reports: false,
      apiCalls,
    });
    for (const name of c.names) expect(error).toContain(`\`${name}\`:`);
    // One error for all of them, not one per input.
    expect(run.annotations.filter((a) => a.startsWith('::error'))).toHaveLength(1);
    expect({ apiCalls, stsReached, oidcLeft: run.stdout.includes('must not be reached') }).toEqual({
      apiCalls: 0,
      stsReached: false,
      oidcLeft: false,
    });
  },
);
