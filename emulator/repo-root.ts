// The repository's root folder, found from the working directory, so that files the emulator ships
// (images.json, secrets.json, the sample app) resolve the same under tsx, Jest ESM and the bundle.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The nearest folder at or above the working directory whose package.json is stream-deploy's. */
export function repoRoot(from: string = process.cwd()): string {
  let dir = from;
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (
      existsSync(pkg) &&
      (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'stream-deploy'
    )
      return dir;
    const parent = dirname(dir);
    if (parent === dir)
      throw new Error(
        `stream-deploy's package.json was not found at or above ${from}; run from the repository.`,
      );
    dir = parent;
  }
}
