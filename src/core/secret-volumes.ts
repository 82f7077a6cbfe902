// Secrets as files in the revision template: `secret_mounts` (`/DIR/FILE=SECRET:VERSION`) as secret
// volumes and the ingress container's volume mounts, the way gcloud maps them (docs/platform.md "Secrets
// as files"). Pure: planned from the config and the template as read.
import type { DeployConfig } from './config';
import type { Container, RevisionTemplate } from './cloud-run-types';

/** A template volume as the planner reads it: a secret volume has `secret`. */
interface SecretVolume {
  name: string;
  secret?: { secret: string; items?: Array<{ path: string; version?: string; mode?: number }> };
  [other: string]: unknown;
}

/**
 * The template's volumes with `secretMounts` applied to the container at `at` (whose `volumeMounts` this
 * sets): as gcloud maps `/DIR/FILE=SECRET:VERSION`, one secret volume per directory, mounted at DIR, with an
 * item FILE -> VERSION (docs/platform.md "Secrets as files"). `merge` keeps the live secret mounts it does
 * not replace; `overwrite` removes them. Volumes of other kinds, and mounts of other containers, stay.
 */
export function planSecretVolumes(
  config: DeployConfig,
  base: RevisionTemplate,
  containers: Container[],
  at: number,
  notes: string[],
): Array<Record<string, unknown>> {
  const volumes = structuredClone((base.volumes ?? []) as SecretVolume[]);
  const container = containers[at];
  const mounts = structuredClone(
    (container.volumeMounts ?? []) as Array<{ name: string; mountPath: string }>,
  );
  const isSecret = (name: string) => volumes.some((v) => v.name === name && v.secret);
  let kept = mounts;
  if (config.secretsUpdateStrategy === 'overwrite') kept = mounts.filter((m) => !isSecret(m.name));
  const byDirectory = new Map<string, { secret: string; items: Array<{ path: string; version: string }> }>();
  for (const { path, ref } of config.secretMounts) {
    const directory = path.slice(0, path.lastIndexOf('/'));
    const entry = byDirectory.get(directory) ?? { secret: ref.secret, items: [] };
    entry.items.push({ path: path.slice(directory.length + 1), version: ref.version });
    byDirectory.set(directory, entry);
  }
  for (const [directory, wanted] of byDirectory) {
    const mount = kept.find((m) => m.mountPath === directory);
    const volume = mount && volumes.find((v) => v.name === mount.name && v.secret);
    const shared =
      mount &&
      containers.some((c, i) => i !== at && (c.volumeMounts ?? []).some((m) => m.name === mount.name));
    if (volume?.secret && !shared) {
      // Same secret: the files it already had stay unless named again; another secret replaces them.
      const same = volume.secret.secret === wanted.secret;
      if (!same)
        notes.push(
          `The secret files in ${directory} now come from ${wanted.secret} (was ${volume.secret.secret}).`,
        );
      const named = new Set(wanted.items.map((i) => i.path));
      const others = same ? (volume.secret.items ?? []).filter((i) => !named.has(i.path)) : [];
      volume.secret = { ...volume.secret, secret: wanted.secret, items: [...others, ...wanted.items] };
      continue;
    }
    const name = uniqueVolumeName(wanted.secret, volumes);
    volumes.push({ name, secret: { secret: wanted.secret, items: wanted.items } });
    kept = [...kept.filter((m) => m.mountPath !== directory), { name, mountPath: directory }];
  }
  container.volumeMounts = kept;
  if (kept.length === 0) delete container.volumeMounts;
  // A secret volume no container mounts any more goes with its last mount.
  const mountedIn = (list: Container[]) =>
    new Set(list.flatMap((c) => (c.volumeMounts ?? []).map((m) => String(m.name))));
  const [before, after] = [mountedIn(base.containers), mountedIn(containers)];
  return volumes.filter((v) => !v.secret || after.has(v.name) || !before.has(v.name));
}

// A volume name from the secret's id (as gcloud names them after the secret), unique in the template.
function uniqueVolumeName(secret: string, volumes: SecretVolume[]): string {
  const stem =
    secret
      .split('/')
      .pop()!
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 50) || 'secret';
  const taken = new Set(volumes.map((v) => v.name));
  let name = stem;
  for (let n = 2; taken.has(name); n++) name = `${stem}-${n}`;
  return name;
}
