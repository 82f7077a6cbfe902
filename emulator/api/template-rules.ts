// Cloud Run's rules for what a RevisionTemplate and a TaskTemplate share (VPC access, volumes and their
// mounts), as pure functions, and the fields of a template that name Secret Manager secrets. Messages take
// the v2 API's form `Violation in REQUEST.FIELD: …` (googleapis/google-cloud-node#4731,
// googleapis/python-run#84); emulator/README.md names each rule's source.
import type { Json } from './service-rules';

/** `projects/{project}/locations/{location}/connectors/{connector}` (vendor_settings.proto `VpcAccess.connector`). */
const CONNECTOR_NAME = /^projects\/([^/]+)\/locations\/([^/]+)\/connectors\/([^/]+)$/;
/** The Serverless VPC Access API's connector id (hashicorp/terraform-provider-google#13915). */
const CONNECTOR_ID = /^[a-z][-a-z0-9]{0,23}[a-z0-9]$/;
const EGRESS = ['VPC_EGRESS_UNSPECIFIED', 'ALL_TRAFFIC', 'PRIVATE_RANGES_ONLY'];
/** A secret file's name: 1 to 255 letters, digits, '-', '_' or '.' (googleapis/python-run#84, '.' allowed since). */
const ITEM_PATH = /^[A-Za-z0-9._-]{1,255}$/;
/** Paths no volume may be mounted at or under (harsher reading, emulator/README.md "Secret volumes"). */
const RESERVED_MOUNTS = ['/dev', '/proc', '/sys'];

function violation(where: string, field: string, text: string): string {
  return `Violation in ${where}${field}: ${text}`;
}

/**
 * `template.vpcAccess`: one and only one of a connector (a full connector name) and network interfaces
 * (Direct VPC egress: a single interface naming a network or a subnetwork); egress an enum value.
 * `where` is the field's request path, e.g. `CreateServiceRequest.service.template.vpc_access`.
 */
export function vpcAccessProblems(vpcAccess: unknown, where: string): string[] {
  if (vpcAccess === undefined || vpcAccess === null) return [];
  const vpc = vpcAccess as Json;
  const problems: string[] = [];
  const connector = typeof vpc.connector === 'string' ? vpc.connector : '';
  const interfaces = Array.isArray(vpc.networkInterfaces) ? (vpc.networkInterfaces as Json[]) : [];
  if ((connector === '') === (interfaces.length === 0)) {
    problems.push(
      violation(where, '.connector', 'one and only one of connector and network_interfaces must be set.'),
    );
  }
  if (connector) {
    const m = CONNECTOR_NAME.exec(connector);
    if (!m || !CONNECTOR_ID.test(m[3])) {
      problems.push(
        violation(
          where,
          '.connector',
          `'${connector}' is not a connector name: expected projects/{project}/locations/{location}/connectors/{connector}, the connector id being 2 to 25 lowercase letters, digits or '-', starting with a letter.`,
        ),
      );
    }
  }
  if (interfaces.length > 1) {
    problems.push(
      violation(
        where,
        '.network_interfaces',
        `only a single network interface is supported (got ${interfaces.length}).`,
      ),
    );
  }
  interfaces.forEach((iface, i) => {
    if (!iface?.network && !iface?.subnetwork) {
      problems.push(
        violation(
          where,
          `.network_interfaces[${i}]`,
          'at least one of network or subnetwork must be specified.',
        ),
      );
    }
  });
  if (vpc.egress !== undefined && vpc.egress !== null && !EGRESS.includes(String(vpc.egress))) {
    problems.push(
      violation(
        where,
        '.egress',
        `'${String(vpc.egress)}' is not a VPC egress setting: expected ALL_TRAFFIC or PRIVATE_RANGES_ONLY.`,
      ),
    );
  }
  return problems;
}

/** A mode bits field: absent or 0 (the default) up to 0777 (k8s.min.proto `SecretVolumeSource`, `VersionToPath`). */
function modeProblem(value: unknown, where: string, field: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  const mode = Number(value);
  if (Number.isInteger(mode) && mode >= 0 && mode <= 0o777) return undefined;
  return violation(where, field, `mode bits must be between 0000 and 0777 (octal), got ${String(value)}.`);
}

function secretVolumeProblems(secret: Json, where: string, at: string): string[] {
  const problems: string[] = [];
  if (!secret.secret) problems.push(violation(where, `${at}.secret`, 'the secret name is required.'));
  const modeP = modeProblem(secret.defaultMode, where, `${at}.default_mode`);
  if (modeP) problems.push(modeP);
  const paths = new Set<string>();
  ((secret.items ?? []) as Json[]).forEach((item, j) => {
    const path = String(item.path ?? '');
    const itemAt = `${at}.items[${j}]`;
    if (!path) problems.push(violation(where, `${itemAt}.path`, 'the path is required.'));
    else if (!ITEM_PATH.test(path) || path === '.' || path === '..') {
      problems.push(
        violation(
          where,
          `${itemAt}.path`,
          `'${path}' must be a file name of up to 255 letters, digits, '-', '_' and '.' (not a path, not '.' or '..').`,
        ),
      );
    } else if (paths.has(path)) {
      problems.push(violation(where, `${itemAt}.path`, `'${path}' is used by more than one item.`));
    }
    paths.add(path);
    if (!item.version)
      problems.push(
        violation(where, `${itemAt}.version`, 'items must specify a version (a number, an alias or latest).'),
      );
    const itemMode = modeProblem(item.mode, where, `${itemAt}.mode`);
    if (itemMode) problems.push(itemMode);
  });
  return problems;
}

function mountPathProblem(path: string): string | undefined {
  if (!path) return 'the mount path is required.';
  if (!path.startsWith('/')) return `'${path}' must be an absolute path.`;
  if (path.includes(':')) return `'${path}' must not contain ':'.`;
  const clean = path.replace(/\/+$/, '');
  if (clean === '') return `'${path}': a volume cannot be mounted at the root of the filesystem.`;
  if (clean.split('/').some((seg) => seg === '.' || seg === '..'))
    return `'${path}' must not contain '.' or '..' segments.`;
  const reserved = RESERVED_MOUNTS.find((r) => clean === r || clean.startsWith(`${r}/`));
  if (reserved) return `'${path}': volumes cannot be mounted at or under ${reserved}.`;
  return undefined;
}

/**
 * `template.volumes` and each container's `volumeMounts`: named volumes (unique names, a source; a secret
 * volume names its secret, its items a file name and a version), mounts naming a volume, each at its own
 * absolute path. `where` is the template's request path, e.g. `CreateJobRequest.job.template.template`.
 */
export function volumeProblems(template: Json, where: string): string[] {
  const problems: string[] = [];
  const names = new Set<string>();
  ((template.volumes ?? []) as Json[]).forEach((volume, i) => {
    const at = `.volumes[${i}]`;
    const name = String(volume.name ?? '');
    if (!name) problems.push(violation(where, `${at}.name`, 'the volume name is required.'));
    else if (names.has(name))
      problems.push(violation(where, `${at}.name`, `volume name '${name}' is used more than once.`));
    names.add(name);
    const sources = ['secret', 'cloudSqlInstance', 'emptyDir', 'nfs', 'gcs'].filter(
      (s) => volume[s] !== undefined && volume[s] !== null,
    );
    if (sources.length === 0)
      problems.push(
        violation(where, at, 'a volume needs a source: secret, cloud_sql_instance, empty_dir, nfs or gcs.'),
      );
    if (volume.secret) problems.push(...secretVolumeProblems(volume.secret as Json, where, `${at}.secret`));
  });
  ((template.containers ?? []) as Json[]).forEach((container, c) => {
    const paths = new Set<string>();
    ((container.volumeMounts ?? []) as Json[]).forEach((mount, k) => {
      const at = `.containers[${c}].volume_mounts[${k}]`;
      const name = String(mount.name ?? '');
      if (!name) problems.push(violation(where, `${at}.name`, 'the volume name is required.'));
      else if (!names.has(name))
        problems.push(violation(where, `${at}.name`, `no volume named '${name}' in the template's volumes.`));
      const path = String(mount.mountPath ?? '');
      const pathProblem = mountPathProblem(path);
      if (pathProblem) problems.push(violation(where, `${at}.mount_path`, pathProblem));
      const key = path.replace(/\/+$/, '');
      if (!pathProblem && paths.has(key))
        problems.push(
          violation(where, `${at}.mount_path`, `'${path}' is already the mount path of another volume.`),
        );
      paths.add(key);
    });
  });
  return problems;
}

/** A field of a template that names a secret version, with the path Cloud Run's check reports it by. */
export interface SecretReference {
  field: string;
  secret: string;
  version: string;
}

/**
 * Every secret version a template uses: env `secretKeyRef`s and secret volumes (their items, or the
 * latest version without items). Fields are named as Cloud Run's secrets check reports them
 * (sourcegraph/sourcegraph-public-snapshot#59045, hashicorp/terraform-provider-google#15088).
 */
export function secretReferences(template: Json): SecretReference[] {
  const refs: SecretReference[] = [];
  ((template.containers ?? []) as Json[]).forEach((container, c) => {
    ((container.env ?? []) as Json[]).forEach((env, k) => {
      const ref = ((env.valueSource ?? {}) as Json).secretKeyRef as Json | undefined;
      if (!ref) return;
      refs.push({
        field: `spec.template.spec.containers[${c}].env[${k}].value_from.secret_key_ref.name`,
        secret: String(ref.secret ?? ''),
        version: String(ref.version || 'latest'),
      });
    });
  });
  ((template.volumes ?? []) as Json[]).forEach((volume, i) => {
    const secret = volume.secret as Json | undefined;
    if (!secret) return;
    const items = (secret.items ?? []) as Json[];
    if (items.length === 0) {
      refs.push({
        field: `spec.template.spec.volumes[${i}].secret.secret_name`,
        secret: String(secret.secret ?? ''),
        version: 'latest',
      });
    }
    items.forEach((item, j) =>
      refs.push({
        field: `spec.template.spec.volumes[${i}].secret.items[${j}].key`,
        secret: String(secret.secret ?? ''),
        version: String(item.version || 'latest'),
      }),
    );
  });
  return refs;
}
