// The tags of the releases this action promoted, kept in a service annotation so that a promotion can
// remove the older ones: every tagged revision stays addressable, and with a revision-level warm floor each
// one is a billed instance (docs/platform.md "Min instances and tags"). Only promoted releases count: a
// preview's tag (rollout: candidate) or a partial canary's is never recorded, so never removed, and a failed
// release's tag is taken off by its own rollback. Tags this action did not record are never touched. Pure.
import type { TrafficTarget } from './cloud-run-types';

/** Service annotation: a JSON array of the tags of the releases this action promoted, oldest first. */
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

/**
 * Keeps the newest `keep` of the promoted releases' tags that are still on the service (`made`, oldest
 * first, then `current`) and takes the rest off.
 */
export function planTagCleanup(
  traffic: readonly TrafficTarget[],
  made: readonly string[],
  current: string,
  keep: number,
): TagCleanup {
  const present = new Set(traffic.map((t) => t.tag).filter((t): t is string => Boolean(t)));
  const all = recordTag(
    made.filter((t) => present.has(t)),
    current,
  );
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
