// What a Cloud Run job gets from Secret Manager (cloud.google.com/run/docs/configuring/jobs/secrets):
// the check at job creation (every secret the template uses must be readable, or the operation fails);
// env secrets fetched as each task instance starts (a failure and the instance does not start); secret
// volumes as files, read at run time (an unreadable version is a missing file, not a failed start).
import type { TaskMount } from '../model';
import type { ApiState } from './records';
import type { Json } from './service-rules';
import { secretReferences } from './template-rules';

function projectNumber(state: ApiState): string {
  return state.opts.projectNumber ?? '123456789012';
}

/** A secret version's resource name as Secret Manager reports it: project number, or the name as given. */
function versionName(state: ApiState, secret: string, version: string): string {
  const full = secret.startsWith('projects/') ? secret : `projects/${projectNumber(state)}/secrets/${secret}`;
  return `${full}/versions/${version}`;
}

/**
 * The creation-time check: the first secret version the task template uses that cannot be read, worded as
 * Cloud Run's failed operation words it (hashicorp/terraform-provider-google#15088); undefined when all can.
 */
export function unreadableSecret(state: ApiState, project: string, template: Json): string | undefined {
  for (const ref of secretReferences(template)) {
    if (state.opts.secrets.resolve(project, ref.secret, ref.version) === undefined)
      return `${ref.field}: Secret ${versionName(state, ref.secret, ref.version)} was not found`;
  }
  return undefined;
}

/**
 * A task instance's env: literal values, and secret values fetched now. The first secret that cannot be
 * fetched aborts the start, in the words of Cloud Run's instance log (google-github-actions/deploy-cloud-functions#407).
 */
export function taskEnv(
  state: ApiState,
  project: string,
  container: Json,
): { env: Record<string, string>; startupError?: string } {
  const env: Record<string, string> = {};
  for (const e of (container.env ?? []) as Json[]) {
    const ref = ((e.valueSource ?? {}) as Json).secretKeyRef as Json | undefined;
    if (!ref) {
      env[String(e.name)] = String(e.value ?? '');
      continue;
    }
    const version = String(ref.version || 'latest');
    const value = state.opts.secrets.resolve(project, String(ref.secret), version);
    if (value === undefined) {
      const name = versionName(state, String(ref.secret), version);
      return {
        env,
        startupError: `Could not fetch secret "${name}" for environment variable "${String(e.name)}". Instance startup will now abort: Permission 'secretmanager.versions.access' denied for resource '${name}' (or it may not exist).`,
      };
    }
    env[String(e.name)] = value;
  }
  return { env };
}

/**
 * The container's mounts as files: a secret volume holds one file per item (or, without items, one file
 * named after the secret with its latest version), mode bits from the item, the volume's default or 0444;
 * an `emptyDir` volume is an empty writable directory. Other volume types are not materialised.
 */
export function taskMounts(state: ApiState, project: string, template: Json, container: Json): TaskMount[] {
  const volumes = new Map(((template.volumes ?? []) as Json[]).map((v) => [String(v.name), v]));
  const mounts: TaskMount[] = [];
  for (const mount of (container.volumeMounts ?? []) as Json[]) {
    const volume = volumes.get(String(mount.name));
    if (!volume) continue;
    if (volume.emptyDir) {
      mounts.push({ mountPath: String(mount.mountPath), files: [], writable: true });
      continue;
    }
    const secret = volume.secret as Json | undefined;
    if (!secret) continue;
    const name = String(secret.secret);
    const defaultMode = Number(secret.defaultMode) || 0o444;
    const items = ((secret.items ?? []) as Json[]).map((i) => ({
      path: String(i.path),
      version: String(i.version || 'latest'),
      mode: Number(i.mode) || defaultMode,
    }));
    if (items.length === 0)
      items.push({ path: name.split('/').pop() ?? name, version: 'latest', mode: defaultMode });
    const files: TaskMount['files'] = [];
    for (const item of items) {
      const content = state.opts.secrets.resolve(project, name, item.version);
      if (content !== undefined) files.push({ path: item.path, content, mode: item.mode });
    }
    mounts.push({ mountPath: String(mount.mountPath), files, writable: false });
  }
  return mounts;
}
