// Generates the input and output reference from action.yml, so the docs cannot drift from the public
// contract: docs/inputs.md (every input, grouped, and every output) in full, and in README.md the grouped
// overview of the inputs (between <!-- inputs:start/end -->) and the outputs list (<!-- outputs:start/end -->).
// `--check` writes nothing and exits 1 when either file is out of date. An input that no group below names
// is an error: add it to GROUPS.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { load } from 'js-yaml';
import * as prettier from 'prettier';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const check = args.includes('--check');
// `--readme PATH` and `--inputs-doc PATH` point at other files (to try the generator without touching the
// real ones); `--action PATH` reads another action.yml.
function pathArg(flag, fallback) {
  const at = args.indexOf(flag);
  return at === -1 ? join(root, fallback) : resolve(args[at + 1]);
}
const readmePath = pathArg('--readme', 'README.md');
const inputsDocPath = pathArg('--inputs-doc', 'docs/inputs.md');
const actionPath = pathArg('--action', 'action.yml');

/** The inputs by what they are about, in the order a newcomer meets them. Names absent from action.yml are skipped. */
const GROUPS = [
  {
    title: 'Target',
    about: 'which service, where, what image, and what the run does',
    inputs: ['project_id', 'region', 'service', 'image', 'metadata', 'mode'],
  },
  {
    title: 'Several regions',
    about: 'one release to a regional service per region: staged everywhere, then in waves',
    inputs: ['regions', 'waves', 'wave_traffic_steps', 'wave_step_wait'],
  },
  {
    title: 'Sign-in',
    about: 'keyless Workload Identity Federation, or the credentials already in the job',
    inputs: ['workload_identity_provider', 'service_account'],
  },
  {
    title: 'Streaming settings',
    about: 'set by `profile`, each one overridable',
    inputs: [
      'profile',
      'timeout',
      'concurrency',
      'cpu_always_allocated',
      'min_instances',
      'min_instances_level',
      'max_instances',
      'session_affinity',
      'use_http2',
    ],
  },
  {
    title: 'Service settings',
    about: 'left as they are on the live service unless given',
    inputs: [
      'cpu',
      'memory',
      'execution_environment',
      'startup_cpu_boost',
      'port',
      'env_vars',
      'env_vars_update_strategy',
      'secrets',
      'secrets_update_strategy',
      'labels',
      'runtime_service_account',
      'vpc_connector',
      'vpc_network',
      'vpc_subnet',
      'vpc_network_tags',
      'vpc_egress',
      'ingress',
      'allow_unauthenticated',
      'public_access_method',
    ],
  },
  {
    title: 'Revision and lint',
    about: 'naming the candidate, how strict the streaming lint is, how long an operation may take',
    inputs: ['tag', 'revision_suffix', 'suffix', 'lint_level', 'deploy_timeout'],
  },
  {
    title: 'Smoke test',
    about: "the streaming test through the candidate's tag URL before it gets traffic",
    inputs: [
      'smoke_protocol',
      'smoke_path',
      'health_path',
      'health_timeout',
      'smoke_duration',
      'smoke_first_event_timeout',
      'smoke_min_events',
      'smoke_max_gap',
      'smoke_connections',
      'smoke_send',
      'smoke_expect',
      'smoke_url',
      'smoke_reconnect',
      'smoke_accept_encoding',
      'keep_failed_candidate',
    ],
  },
  {
    title: 'Rollout',
    about: 'how traffic moves once the smoke test passes',
    inputs: [
      'rollout',
      'candidate_creates_service',
      'traffic_steps',
      'step_wait',
      'follow_latest',
      'keep_release_tags',
    ],
  },
  {
    title: 'Step gates',
    about:
      'the stream-health panel (candidate against the stable revision, same time), the Monitoring and Logging gates, and what a step does with their answers',
    inputs: [
      'panel_streams',
      'panel_probes',
      'panel_thresholds',
      'metric_gate',
      'log_gate',
      'metrics_delay',
      'gate_inconclusive',
      'gate_hold_cap',
      'gate_failures',
      'load_balancer',
      'load_balancer_url',
    ],
  },
  {
    title: 'Cloud Run Jobs',
    about: '`mode: job`: the job to create or update, and its execution (docs/jobs.md)',
    inputs: [
      'job',
      'task_count',
      'parallelism',
      'max_retries',
      'task_timeout',
      'args',
      'execute',
      'execute_args',
      'execute_env',
      'execute_task_count',
      'execute_timeout',
      'execute_deadline',
      'schedule',
      'schedule_time_zone',
      'schedule_service_account',
      'before_rollout_job',
    ],
  },
  {
    title: 'Reports on GitHub',
    about: 'the PR comment, job summary, deployment and commit status',
    inputs: ['github_token', 'comment_on_pr', 'comment_on_commit', 'job_summary', 'github_deployment'],
  },
];

function cell(text) {
  return String(text ?? '')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/\|/g, '\\|');
}

/** GitHub's anchor for a heading: lowercase, punctuation dropped, spaces to hyphens. */
function anchor(title) {
  return title
    .toLowerCase()
    .replace(/[^a-z0-9 -]/g, '')
    .replace(/ /g, '-');
}

/** The groups with the inputs action.yml declares; throws naming every input no group holds. */
function groupInputs(inputs) {
  const declared = Object.keys(inputs ?? {});
  const grouped = new Set(GROUPS.flatMap((g) => g.inputs));
  const loose = declared.filter((name) => !grouped.has(name));
  if (loose.length > 0) {
    throw new Error(
      `docs: ${loose.map((n) => `\`${n}\``).join(', ')} in action.yml belong to no group; add them to GROUPS in scripts/docs.mjs.`,
    );
  }
  return GROUPS.map((g) => ({ ...g, inputs: g.inputs.filter((name) => declared.includes(name)) })).filter(
    (g) => g.inputs.length > 0,
  );
}

function inputsTable(inputs, names) {
  const rows = names.map((name) => {
    const spec = inputs[name];
    const fallback = spec.default === undefined ? '' : `\`${cell(spec.default)}\``;
    return `| \`${name}\` | ${spec.required ? 'yes' : 'no'} | ${fallback} | ${cell(spec.description)} |`;
  });
  return ['| Input | Required | Default | Description |', '| --- | --- | --- | --- |', ...rows].join('\n');
}

function outputsTable(outputs) {
  const rows = Object.entries(outputs ?? {}).map(
    ([name, spec]) => `| \`${name}\` | ${cell(spec.description)} |`,
  );
  return ['| Output | Description |', '| --- | --- |', ...rows].join('\n');
}

/** The README's outputs: a list, which stays short where a table pads every row to its widest. */
function outputsList(outputs) {
  return Object.entries(outputs ?? {})
    .map(
      ([name, spec]) =>
        `- \`${name}\`: ${String(spec.description ?? '')
          .replace(/\s+/g, ' ')
          .trim()}`,
    )
    .join('\n');
}

/** The README's short overview: one line per group, each input linking to its group in docs/inputs.md. */
function inputsOverview(groups, docLink) {
  return groups
    .map(
      (g) =>
        `- **[${g.title}](${docLink}#${anchor(g.title)})** (${g.about}): ${g.inputs.map((n) => `\`${n}\``).join(', ')}`,
    )
    .join('\n');
}

function inputsDoc(action, groups) {
  return [
    '# Inputs and outputs',
    '',
    '<!-- Generated from action.yml by `npm run docs` (scripts/docs.mjs); edit action.yml, not this file. -->',
    '',
    'Every input of the action, grouped as in the README, with its format, default and when it is required.',
    'The reusable workflow takes the same inputs under the same names. Inputs are checked before any API call,',
    'and every problem is reported at once.',
    '',
    ...groups.flatMap((g) => [
      `## ${g.title}`,
      '',
      `${g.about[0].toUpperCase()}${g.about.slice(1)}.`,
      '',
      inputsTable(action.inputs, g.inputs),
      '',
    ]),
    '## Outputs',
    '',
    'Every output is written once, at the end of the run.',
    '',
    outputsTable(action.outputs),
    '',
  ].join('\n');
}

// Prettier also checks the Markdown files (npm run format-check), so they are emitted in Prettier's layout.
async function format(text, filepath) {
  const options = (await prettier.resolveConfig(filepath)) ?? {};
  return prettier.format(text, { ...options, filepath });
}

async function replaceSection(text, name, body, filepath) {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from === -1 || to === -1 || to < from) {
    console.log(`docs: ${relative(root, filepath)} has no ${start} / ${end} markers; ${name} skipped.`);
    return text;
  }
  const formatted = (await format(body, filepath)).trimEnd();
  return `${text.slice(0, from)}${start}\n\n${formatted}\n\n${text.slice(to)}`;
}

async function readOptional(path) {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** Writes `next` to `path` when it differs (or, with --check, reports it); returns false when stale under --check. */
async function settle(path, current, next) {
  const name = relative(root, path);
  if (current === next) {
    console.log(`docs: ${name} is up to date with action.yml.`);
    return true;
  }
  if (check) {
    console.error(
      `docs: ${name} is out of date with action.yml; run \`npm run docs\` and commit the result.`,
    );
    return false;
  }
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, next);
  console.log(`docs: ${name} regenerated from action.yml.`);
  return true;
}

const action = load(await readFile(actionPath, 'utf8'));
let groups;
try {
  groups = groupInputs(action.inputs);
} catch (error) {
  console.error(error.message);
  process.exit(1);
}

let ok = await settle(
  inputsDocPath,
  await readOptional(inputsDocPath),
  await format(inputsDoc(action, groups), inputsDocPath),
);

const readme = await readOptional(readmePath);
if (readme === undefined) {
  console.log(`docs: ${relative(root, readmePath)} does not exist yet; README sections skipped.`);
} else {
  const docLink = relative(dirname(readmePath), inputsDocPath).split('\\').join('/');
  let next = await replaceSection(readme, 'inputs', inputsOverview(groups, docLink), readmePath);
  next = await replaceSection(next, 'outputs', outputsList(action.outputs), readmePath);
  ok = (await settle(readmePath, readme, next)) && ok;
}
if (!ok) process.exit(1);
