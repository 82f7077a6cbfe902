// The volumes of a job task attempt as real files. A task process cannot be given `/secrets/db` itself, so
// each mount is materialised under a per-attempt temporary root and the process learns that root from
// EMULATOR_MOUNT_ROOT: mount path P is the directory `$EMULATOR_MOUNT_ROOT` + P (an emulator-only deviation,
// emulator/README.md "Secret volumes in job tasks"). Secret mounts are read-only directories of read-only
// files (the platform applies a 0222 umask to the mode bits); everything is removed when the attempt ends.
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TaskMount } from '../model';

/** The env var naming the per-attempt root under which every mount path lives. */
export const MOUNT_ROOT_ENV = 'EMULATOR_MOUNT_ROOT';

export interface MaterialisedMounts {
  /** The temporary root: mount path `/secrets/db` is `${root}/secrets/db`. */
  root: string;
  /** Deletes the root and everything under it; safe to call more than once. */
  remove(): void;
}

/** Writes every mount's files under a fresh temporary root. */
export function materialiseMounts(mounts: TaskMount[]): MaterialisedMounts {
  const root = mkdtempSync(join(tmpdir(), 'cloud-run-task-'));
  const readOnly: string[] = [];
  let removed = false;
  const remove = (): void => {
    if (removed) return;
    removed = true;
    for (const dir of readOnly) {
      try {
        chmodSync(dir, 0o755);
      } catch {
        // already gone
      }
    }
    rmSync(root, { recursive: true, force: true });
  };
  try {
    for (const mount of mounts) {
      const dir = join(root, mount.mountPath);
      mkdirSync(dir, { recursive: true });
      for (const file of mount.files) {
        const path = join(dir, file.path);
        writeFileSync(path, file.content, { mode: 0o600 });
        chmodSync(path, file.mode & 0o555);
      }
    }
    // Permissions last, so that a mount nested in another one could still be created.
    for (const mount of mounts) {
      const dir = join(root, mount.mountPath);
      if (mount.writable) chmodSync(dir, 0o777);
      else {
        chmodSync(dir, 0o555);
        readOnly.push(dir);
      }
    }
  } catch (error) {
    remove();
    throw error;
  }
  return { root, remove };
}
