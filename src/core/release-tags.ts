// The release tags this action made, kept in a service annotation so that a promotion can remove the
// older ones: every tagged revision stays addressable, and with a revision-level warm floor each one is a
// billed instance (docs/platform.md "Min instances and tags"). Tags this action did not make are never
// touched. Pure.
import type { TrafficTarget } from './cloud-run-types';

/** Service annotation: a JSON array of the tags this action made, oldest first. */
export const TAGS_ANNOTATION = 'stream-deploy.dev/tags';

/** The tags recorded in the annotation; anything unreadable counts as none. */
export function decodeTags(value: string | undefined): string[] {
  if (!value) return [];
  try {
    const parsed: unknown = JSON.parse(value);
    return Array.isArray(parsed) ? parsed.filter((t): t is string => typeof t === 'string' && t !== '') : [];
  } catch {
    return [];
  }
}

/** The recorded tags with `tag` moved to the end (the newest). */
export function recordTag(made: readonly string[], tag: string): string[] {
  return [...made.filter((t) => t !== tag), tag];
}

export interface TagCleanup {
  /** The traffic with the older tags taken off: tag-only entries removed, tags dropped from entries that serve. */
  traffic: TrafficTarget[];
  /** The tags that stay recorded (the newest `keep`). */
  kept: string[];
  /** The tags taken off the traffic. */
  removed: string[];
}

/** Keeps the newest `keep` of the tags this action made (`made`, oldest first, `current` last) and takes the rest off. */
export function planTagCleanup(
  traffic: readonly TrafficTarget[],
  made: readonly string[],
  current: string,
  keep: number,
): TagCleanup {
  const all = recordTag(made, current);
  const kept = all.slice(-Math.max(1, keep));
  const dropped = new Set(all.slice(0, all.length - kept.length));
  const removed: string[] = [];
  const out: TrafficTarget[] = [];
  for (const t of traffic) {
    if (!t.tag || !dropped.has(t.tag)) {
      out.push({ ...t });
      continue;
    }
    removed.push(t.tag);
    if (t.percent > 0) {
      const { tag: _tag, ...rest } = t;
      out.push(rest);
    }
  }
  return { traffic: out, kept, removed };
}
