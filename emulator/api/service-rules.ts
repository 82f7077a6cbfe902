// Cloud Run's rules for a Service body, as pure functions: the emulator refuses what the real API
// refuses (docs/platform.md "Limits on inputs"). Messages follow the real API's where known.
import { vpcAccessProblems } from './template-rules';

/** Service and revision bodies as the emulator stores them: lowerCamel JSON with string enums. */
export type Json = Record<string, unknown>;

export interface TrafficEntry {
  type?: string;
  revision?: string;
  percent?: number;
  tag?: string;
}

const RESERVED_PREFIXES = [
  'run.googleapis.com',
  'cloud.googleapis.com',
  'serving.knative.dev',
  'autoscaling.knative.dev',
];

/** docs/platform.md "Service id": starts with a letter, letters/digits/-, under 50 characters. */
export function serviceIdProblem(id: string): string | undefined {
  if (!/^[a-z]([-a-z0-9]*[a-z0-9])?$/.test(id) || id.length >= 50) {
    return `service_id '${id}' is invalid: it must start with a lowercase letter, contain only lowercase letters, digits and hyphens, not end with a hyphen, and be less than 50 characters.`;
  }
  return undefined;
}

/** docs/platform.md "Revision names": prefix `SERVICE-`, at most 63 characters, DNS-label characters. */
export function revisionNameProblem(serviceId: string, name: string): string | undefined {
  if (!name.startsWith(`${serviceId}-`)) {
    return `Revision name '${name}' must be prefixed by the name of the enclosing Service or Configuration, followed by a dash: '${serviceId}-'.`;
  }
  if (name.length > 63)
    return `Revision name '${name}' must be at most 63 characters (it has ${name.length}).`;
  if (!/^[a-z]([-a-z0-9]*[a-z0-9])?$/.test(name)) {
    return `Revision name '${name}' may contain only lowercase letters, digits and hyphens, and must start with a letter and end with a letter or digit.`;
  }
  return undefined;
}

/** Seconds of a Duration string such as "300s" or "1.5s"; NaN when malformed. */
export function durationSeconds(value: unknown): number {
  if (typeof value !== 'string') return NaN;
  const m = /^(-?\d+(\.\d{1,9})?)s$/.exec(value);
  return m ? Number(m[1]) : NaN;
}

function reservedKeyProblems(where: string, map: unknown): string[] {
  if (!map || typeof map !== 'object') return [];
  return Object.keys(map as Json)
    .filter((key) =>
      RESERVED_PREFIXES.some((p) => key === p || key.startsWith(`${p}/`) || key.includes(`.${p}/`)),
    )
    .map(
      (key) =>
        `${where} '${key}' is not supported: keys under run.googleapis.com, cloud.googleapis.com, serving.knative.dev and autoscaling.knative.dev are reserved (docs/platform.md "Labels").`,
    );
}

function labelSyntaxProblems(map: unknown): string[] {
  if (!map || typeof map !== 'object') return [];
  const problems: string[] = [];
  for (const [key, value] of Object.entries(map as Json)) {
    const name = key.includes('/') ? key.slice(key.lastIndexOf('/') + 1) : key;
    if (!/^[a-z][-_a-z0-9]{0,62}$/.test(name))
      problems.push(
        `Label key '${key}' is invalid: lowercase letters, digits, '-' and '_', starting with a letter, at most 63 characters.`,
      );
    if (typeof value !== 'string' || !/^[-_a-z0-9]{0,63}$/.test(value))
      problems.push(
        `Label value '${String(value)}' for key '${key}' is invalid: lowercase letters, digits, '-' and '_', at most 63 characters.`,
      );
  }
  return problems;
}

/**
 * Problems with the template and service-level fields, independent of the stored state; `request` names
 * the method in the v2 API's `Violation in …` messages (template-rules.ts).
 */
export function serviceBodyProblems(
  serviceId: string,
  service: Json,
  request: 'CreateServiceRequest' | 'UpdateServiceRequest' = 'CreateServiceRequest',
): string[] {
  const problems: string[] = [];
  const template = (service.template ?? {}) as Json;
  problems.push(...reservedKeyProblems('Label', service.labels), ...labelSyntaxProblems(service.labels));
  problems.push(...reservedKeyProblems('Annotation', service.annotations));
  problems.push(...reservedKeyProblems('Label', template.labels), ...labelSyntaxProblems(template.labels));
  problems.push(...reservedKeyProblems('Annotation', template.annotations));

  if (template.timeout !== undefined && template.timeout !== null) {
    const seconds = durationSeconds(template.timeout);
    // docs/platform.md "Request timeout": 1 s to 3600 s.
    if (!(seconds >= 1 && seconds <= 3600)) {
      problems.push(
        `template.timeout: Timeout must be between 1s and 3600s (got ${String(template.timeout)}).`,
      );
    }
  }
  const concurrency = template.maxInstanceRequestConcurrency;
  // docs/platform.md "Concurrency": at most 1000; 0 means default.
  if (
    concurrency !== undefined &&
    concurrency !== null &&
    !(Number(concurrency) >= 0 && Number(concurrency) <= 1000)
  ) {
    problems.push(
      `template.maxInstanceRequestConcurrency: must be between 0 and 1000 (got ${String(concurrency)}).`,
    );
  }
  const scaling = (template.scaling ?? {}) as Json;
  const min = Number(scaling.minInstanceCount ?? 0);
  const max = scaling.maxInstanceCount === undefined ? undefined : Number(scaling.maxInstanceCount);
  if (min < 0) problems.push('template.scaling.minInstanceCount: must not be negative.');
  if (max !== undefined && max !== 0 && max < min) {
    problems.push(
      `template.scaling.maxInstanceCount (${max}) must be greater than or equal to minInstanceCount (${min}).`,
    );
  }
  const containers = (template.containers ?? []) as Json[];
  if (containers.length === 0) problems.push('template.containers: at least one container is required.');
  containers.forEach((c, i) => {
    if (!c.image) problems.push(`template.containers[${i}].image: is required.`);
    const ports = (c.ports ?? []) as Json[];
    // docs/platform.md "Port name selects the protocol": one port, named h2c or http1.
    if (ports.length > 1)
      problems.push(`template.containers[${i}].ports: at most one port may be specified.`);
    for (const port of ports) {
      if (port.name && port.name !== 'http1' && port.name !== 'h2c') {
        problems.push(
          `template.containers[${i}].ports[0].name: must be 'http1' or 'h2c' (got '${String(port.name)}').`,
        );
      }
      const num = Number(port.containerPort ?? 8080);
      if (!(num >= 1 && num <= 65535))
        problems.push(`template.containers[${i}].ports[0].containerPort: must be between 1 and 65535.`);
    }
    const names = new Set<string>();
    for (const env of (c.env ?? []) as Json[]) {
      const name = String(env.name ?? '');
      if (!name) problems.push(`template.containers[${i}].env: every variable needs a name.`);
      if (names.has(name))
        problems.push(`template.containers[${i}].env: variable '${name}' is set more than once.`);
      if (['PORT', 'K_SERVICE', 'K_REVISION', 'K_CONFIGURATION'].includes(name)) {
        problems.push(`template.containers[${i}].env: '${name}' is a reserved environment variable name.`);
      }
      names.add(name);
    }
  });
  if (template.revision) {
    const p = revisionNameProblem(serviceId, String(template.revision));
    if (p) problems.push(`template.revision: ${p}`);
  }
  problems.push(...vpcAccessProblems(template.vpcAccess, `${request}.service.template.vpc_access`));
  // docs/platform.md "Multi-region services have no tags": gcloud refuses every tag flag there; the API's own
  // answer is unsettled, so the harsher reading: a tagged traffic target on a multi-region service is refused.
  const regions = ((service.multiRegionSettings ?? {}) as Json).regions;
  if (Array.isArray(regions) && regions.length > 0)
    ((service.traffic ?? []) as Json[]).forEach((t, i) => {
      if (t.tag) problems.push(`traffic[${i}].tag: Multi-region Services do not currently support tags.`);
    });
  return problems;
}

/** docs/platform.md "Tag": lowercase letters, digits and '-'; tag + service name at most 46 characters. */
export function tagProblem(serviceId: string, tag: string): string | undefined {
  if (!/^[a-z]([-a-z0-9]*[a-z0-9])?$/.test(tag)) {
    return `Tag '${tag}' is invalid: it may contain only lowercase letters, digits and hyphens, must start with a letter and must not end with a hyphen.`;
  }
  if (tag.length + serviceId.length > 46) {
    return `Tag '${tag}' is too long: the tag and the service name '${serviceId}' together must be at most 46 characters.`;
  }
  return undefined;
}

/** Problems with `traffic[]` given the revisions that exist (and the one this update creates). */
export function trafficProblems(
  serviceId: string,
  traffic: TrafficEntry[],
  knownRevisions: Set<string>,
): string[] {
  const problems: string[] = [];
  let sum = 0;
  const tags = new Set<string>();
  traffic.forEach((t, i) => {
    const type = t.type ?? 'TRAFFIC_TARGET_ALLOCATION_TYPE_UNSPECIFIED';
    const percent = t.percent ?? 0;
    if (!Number.isInteger(percent) || percent < 0 || percent > 100)
      problems.push(`traffic[${i}].percent: must be an integer from 0 to 100.`);
    sum += percent;
    if (type === 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST') {
      if (t.revision) problems.push(`traffic[${i}]: a LATEST target must not name a revision.`);
    } else if (type === 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION' || t.revision) {
      if (!t.revision) problems.push(`traffic[${i}]: a REVISION target must name a revision.`);
      else if (!knownRevisions.has(t.revision))
        problems.push(`Revision '${t.revision}' does not exist in service '${serviceId}'.`);
    } else {
      problems.push(
        `traffic[${i}].type: must be TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST or TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION.`,
      );
    }
    if (t.tag) {
      const p = tagProblem(serviceId, t.tag);
      if (p) problems.push(p);
      if (tags.has(t.tag)) problems.push(`Tag '${t.tag}' is used by more than one traffic target.`);
      tags.add(t.tag);
    }
  });
  if (traffic.length > 0 && sum !== 100)
    problems.push(`Traffic percentages must add up to 100 (they add up to ${sum}).`);
  return problems;
}

/** Resolves LATEST and folds duplicate entries into a split by short revision name (percents > 0 only). */
export function resolveSplit(
  traffic: TrafficEntry[],
  latestReady: string | undefined,
): Array<{ revision: string; percent: number }> {
  const byRevision = new Map<string, number>();
  for (const t of traffic) {
    const percent = t.percent ?? 0;
    if (percent <= 0) continue;
    const revision = t.type === 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST' ? latestReady : t.revision;
    if (!revision) continue;
    byRevision.set(revision, (byRevision.get(revision) ?? 0) + percent);
  }
  return [...byRevision].map(([revision, percent]) => ({ revision, percent }));
}
