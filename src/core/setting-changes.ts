// What a release changes on the service, as data: the live service and the one the plan sends, compared
// setting by setting, for the log and the report. Env values never appear (a change says `(changed)`),
// only names; secrets appear as their references, never their values. Pure.
import type { CloudRunService, Container, EnvVar, RevisionTemplate } from './cloud-run-types';
import { CLOUD_RUN_DEFAULTS } from './config';

/** One setting this release changes: its live value and the one it will have, both as display text. */
export interface SettingChange {
  setting: string;
  live: string;
  next: string;
}

/** Shown for a setting the service does not have (a first deploy, an env var not set before). */
export const ABSENT = '(none)';

const INGRESS_NAMES: Record<string, string> = {
  INGRESS_TRAFFIC_ALL: 'all',
  INGRESS_TRAFFIC_INTERNAL_ONLY: 'internal',
  INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER: 'internal-and-cloud-load-balancing',
  INGRESS_TRAFFIC_NONE: 'none',
};

const onOff = (value: boolean) => (value ? 'on' : 'off');

// The container that serves requests: the one with a port (docs/platform.md "Startup probes and ports").
function servingContainer(template: RevisionTemplate): Container | undefined {
  return template.containers.find((c) => (c.ports ?? []).length > 0) ?? template.containers[0];
}

// Every single-valued setting with its Cloud Run default where it is absent (docs/platform.md "Cloud Run
// defaults"), so an absent value and its default do not read as a change.
function readScalars(service: CloudRunService): Array<[string, string]> {
  const t = service.template;
  const c = servingContainer(t);
  const resources = c?.resources;
  const port = c?.ports?.[0];
  const environments: Record<string, string> = {
    EXECUTION_ENVIRONMENT_GEN1: 'gen1',
    EXECUTION_ENVIRONMENT_GEN2: 'gen2',
  };
  return [
    ['image', c?.image ?? ABSENT],
    ['timeout', t.timeout ?? `${CLOUD_RUN_DEFAULTS.timeoutSeconds}s`],
    ['concurrency', String(t.maxInstanceRequestConcurrency ?? CLOUD_RUN_DEFAULTS.concurrency)],
    // As the linter reads it: cpuIdle false, with resources sent, is CPU always allocated.
    ['cpu always allocated', onOff(resources !== undefined && resources.cpuIdle !== true)],
    ['min instances (service)', String(service.scaling?.minInstanceCount ?? 0)],
    ['min instances (revision)', String(t.scaling?.minInstanceCount ?? 0)],
    [
      'max instances',
      t.scaling?.maxInstanceCount === undefined ? '(default)' : String(t.scaling.maxInstanceCount),
    ],
    ['session affinity', onOff(t.sessionAffinity === true)],
    ['http2', onOff(port?.name === 'h2c')],
    ['cpu', resources?.limits?.cpu ?? '(default)'],
    ['memory', resources?.limits?.memory ?? '(default)'],
    ['startup cpu boost', onOff(resources?.startupCpuBoost === true)],
    ['port', String(port?.containerPort ?? 8080)],
    ['execution environment', environments[t.executionEnvironment ?? ''] ?? '(default)'],
    ['ingress', INGRESS_NAMES[service.ingress ?? 'INGRESS_TRAFFIC_ALL'] ?? String(service.ingress)],
    ['service account', t.serviceAccount ?? '(default)'],
    [
      'public access',
      service.invokerIamDisabled === true ? 'public (invoker check off)' : 'IAM invoker check',
    ],
  ];
}

// An env var as display text: a secret by its reference, a plain value only as `(set)`.
function describeEnv(e: EnvVar | undefined): string {
  if (!e) return ABSENT;
  const ref = e.valueSource?.secretKeyRef;
  return ref ? `secret ${ref.secret}:${ref.version}` : '(set)';
}

// Each secret file `DIR/FILE` of the serving container with its `SECRET:VERSION`.
function readSecretFiles(template: RevisionTemplate): Map<string, string> {
  const files = new Map<string, string>();
  const volumes = (template.volumes ?? []) as Array<{
    name?: string;
    secret?: { secret?: string; items?: Array<{ path?: string; version?: string }> };
  }>;
  for (const mount of (servingContainer(template)?.volumeMounts ?? []) as Array<{
    name?: string;
    mountPath?: string;
  }>) {
    const secret = volumes.find((v) => v.name === mount.name)?.secret;
    if (!secret) continue;
    for (const item of secret.items ?? [])
      files.set(`${mount.mountPath}/${item.path}`, `${secret.secret}:${item.version ?? 'latest'}`);
    if ((secret.items ?? []).length === 0) files.set(`${mount.mountPath}/*`, `${secret.secret}:latest`);
  }
  return files;
}

/**
 * Every setting that differs between the live service (undefined before a first deploy) and the one a
 * plan sends, in a fixed order: the single settings, then labels, env vars and secret files by name.
 * Labels under `ignoreLabels` (the action's own provenance, new on every run) are left out.
 */
export function listSettingChanges(
  live: CloudRunService | undefined,
  next: CloudRunService,
  ignoreLabels: readonly string[] = [],
): SettingChange[] {
  const changes: SettingChange[] = [];
  const before = new Map(live ? readScalars(live) : []);
  for (const [setting, value] of readScalars(next)) {
    const was = before.get(setting) ?? ABSENT;
    if (was !== value) changes.push({ setting, live: was, next: value });
  }

  const ignored = new Set(ignoreLabels);
  const liveLabels = live?.labels ?? {};
  const nextLabels = next.labels ?? {};
  for (const key of [...new Set([...Object.keys(liveLabels), ...Object.keys(nextLabels)])].sort()) {
    if (ignored.has(key) || liveLabels[key] === nextLabels[key]) continue;
    changes.push({
      setting: `label ${key}`,
      live: liveLabels[key] ?? ABSENT,
      next: nextLabels[key] ?? ABSENT,
    });
  }

  const envOf = (s: CloudRunService | undefined) =>
    new Map((s ? (servingContainer(s.template)?.env ?? []) : []).map((e) => [e.name, e]));
  const [liveEnv, nextEnv] = [envOf(live), envOf(next)];
  for (const name of [...new Set([...liveEnv.keys(), ...nextEnv.keys()])].sort()) {
    const [was, will] = [liveEnv.get(name), nextEnv.get(name)];
    const [wasText, willText] = [describeEnv(was), describeEnv(will)];
    if (!will) changes.push({ setting: `env ${name}`, live: wasText, next: '(removed)' });
    else if (!was)
      changes.push({ setting: `env ${name}`, live: ABSENT, next: will.valueSource ? willText : '(added)' });
    else if (wasText !== willText) changes.push({ setting: `env ${name}`, live: wasText, next: willText });
    else if (!will.valueSource && was.value !== will.value)
      changes.push({ setting: `env ${name}`, live: '(set)', next: '(changed)' });
  }

  const [liveFiles, nextFiles] = [
    live ? readSecretFiles(live.template) : new Map<string, string>(),
    readSecretFiles(next.template),
  ];
  for (const path of [...new Set([...liveFiles.keys(), ...nextFiles.keys()])].sort()) {
    const [was, will] = [liveFiles.get(path) ?? ABSENT, nextFiles.get(path) ?? '(removed)'];
    if (was !== will) changes.push({ setting: `secret file ${path}`, live: was, next: will });
  }
  return changes;
}
