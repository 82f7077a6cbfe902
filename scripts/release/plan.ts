// The release, decided before anything is written: which version, which tags, what the release commit
// changes and what the GitHub release says. Pure: the caller reads git and the files, this judges them,
// listing every problem at once (STYLE.md "Inputs, outputs, errors, logs").
import { load } from 'js-yaml';

/** The reusable workflow whose `uses: OWNER/REPO@REF` line the release commit points at the release. */
export const REUSABLE_WORKFLOW = '.github/workflows/stream-deploy.yml';
/** The Marketplace wants action.yml's `description` "less than 125 characters" (docs/platform.md "Marketplace"). */
export const MAX_DESCRIPTION = 124;

export interface Version {
  major: number;
  minor: number;
  patch: number;
  /** `1.2.3`, without the `v`. */
  text: string;
}

/** What the caller read: the request, the files at the released commit, the remote's tags. */
export interface ReleaseFacts {
  /** The version asked for, `1.2.3` or `v1.2.3`. */
  requested: string;
  /** `owner/repo` being released, e.g. `stream-deploy/stream-deploy`. */
  repository: string;
  packageJson: string;
  changelog: string;
  actionYml: string;
  reusableWorkflow: string;
  /** Tag names on the remote (without `refs/tags/`). */
  remoteTags: string[];
}

export interface ReleasePlan {
  version: Version;
  /** `vX.Y.Z`, made once and never moved. */
  tag: string;
  /** `vX`, moved (forced) to every release of its major. */
  majorTag: string;
  /** The newest `vX.Y.Z` on the remote before this release, if any. */
  previousTag?: string;
  /** The reusable workflow as the release commit holds it. */
  reusableWorkflow: string;
  /** How many `uses:` lines were rewritten (at least one). */
  rewrittenUses: number;
  commitMessage: string;
  /** POST /repos/{owner}/{repo}/releases body (docs/platform.md "Releases"). */
  releaseRequest: {
    tag_name: string;
    name: string;
    body: string;
    draft: false;
    prerelease: false;
    make_latest: 'true';
  };
}

export type PlanResult = { ok: true; plan: ReleasePlan } | { ok: false; problems: string[] };

const CORE = /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/;

/** `1.2.3` or `v1.2.3` as a release version; prereleases and build metadata are not released here. */
export function parseVersion(raw: string): Version | undefined {
  const m = CORE.exec(raw.trim());
  if (!m) return undefined;
  const [major, minor, patch] = [m[1], m[2], m[3]].map(Number);
  return { major, minor, patch, text: `${major}.${minor}.${patch}` };
}

/** Negative when a < b, as semantic versioning orders release versions. */
export function compareVersions(a: Version, b: Version): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch;
}

/** The highest `vX.Y.Z` among tag names; other tags (`v1`, `latest`, `v1.0.0-rc.1`) are ignored. */
export function latestReleaseTag(tags: string[]): { tag: string; version: Version } | undefined {
  let best: { tag: string; version: Version } | undefined;
  for (const tag of tags) {
    if (!/^v\d/.test(tag)) continue;
    const version = parseVersion(tag);
    if (version && (!best || compareVersions(version, best.version) > 0)) best = { tag, version };
  }
  return best;
}

/**
 * The text of CHANGELOG.md's section for `version` (Keep a Changelog: `## [1.2.3] - 2026-12-01`, or
 * `## 1.2.3`), without its heading and without the link definitions that end the file; undefined when
 * there is no such section.
 */
export function changelogSection(changelog: string, version: string): string | undefined {
  const lines = changelog.replace(/\r\n/g, '\n').split('\n');
  const escaped = version.replace(/\./g, '\\.');
  const heading = new RegExp(`^##\\s+\\[?v?${escaped}\\]?(\\s|$)`);
  const start = lines.findIndex((l) => heading.test(l));
  if (start < 0) return undefined;
  const rest = lines.slice(start + 1);
  const end = rest.findIndex((l) => /^##\s/.test(l) || /^\[[^\]]+\]:\s*\S/.test(l));
  return (end < 0 ? rest : rest.slice(0, end)).join('\n').trim();
}

/**
 * `workflow` with every step `uses: REPOSITORY@REF` (the action, not a workflow path under it) naming
 * `ref` instead; owner and name match case-insensitively, as GitHub does. Comments are left alone.
 */
export function rewriteActionRef(
  workflow: string,
  repository: string,
  ref: string,
): { text: string; count: number } {
  const repo = repository.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const line = new RegExp(`^(\\s*(?:-\\s+)?uses:\\s*)(['"]?)(${repo})@[^\\s'"#]+\\2`, 'i');
  let count = 0;
  const text = workflow
    .split('\n')
    .map((l) => {
      const m = line.exec(l);
      if (!m) return l;
      count += 1;
      return `${m[1]}${m[2]}${m[3]}@${ref}${m[2]}${l.slice(m[0].length)}`;
    })
    .join('\n');
  return { text, count };
}

/** Problems of action.yml that would stop the Marketplace listing. */
export function actionMetadataProblems(actionYml: string): string[] {
  let spec: { description?: unknown } | undefined;
  try {
    spec = load(actionYml) as { description?: unknown } | undefined;
  } catch (err) {
    return [`action.yml: not valid YAML (${(err as Error).message.split('\n')[0]}); fix it and commit.`];
  }
  const description = typeof spec?.description === 'string' ? spec.description.trim() : '';
  if (!description) return ['action.yml: `description` is missing; the Marketplace requires one.'];
  if (description.length > MAX_DESCRIPTION)
    return [
      `action.yml: \`description\` is ${description.length} characters; the Marketplace wants fewer than ` +
        `${MAX_DESCRIPTION + 1}. Shorten it.`,
    ];
  return [];
}

/** The whole release, or every reason it cannot happen. */
export function planRelease(facts: ReleaseFacts): PlanResult {
  const problems: string[] = [];
  const version = parseVersion(facts.requested);
  if (!version) {
    return {
      ok: false,
      problems: [
        `version: ${JSON.stringify(facts.requested)} is not a release version; expected MAJOR.MINOR.PATCH ` +
          'such as 1.2.3 (a leading v is accepted; prereleases and build metadata are not released by this script).',
      ],
    };
  }
  const tag = `v${version.text}`;
  const majorTag = `v${version.major}`;
  if (!/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(facts.repository))
    problems.push(
      `GITHUB_REPOSITORY: ${JSON.stringify(facts.repository)} is not OWNER/REPO; run in GitHub Actions or set it.`,
    );

  const previous = latestReleaseTag(facts.remoteTags);
  if (facts.remoteTags.includes(tag))
    problems.push(
      `version: ${tag} already exists on the remote. A version is released once and its tag never moves; ` +
        'release the next version instead.',
    );
  else if (previous && compareVersions(version, previous.version) <= 0)
    problems.push(
      `version: ${version.text} is not greater than the last release ${previous.tag}; release a higher version.`,
    );

  let packageVersion: unknown;
  try {
    packageVersion = (JSON.parse(facts.packageJson) as { version?: unknown }).version;
  } catch {
    packageVersion = undefined;
  }
  if (packageVersion !== version.text)
    problems.push(
      `package.json: version is ${JSON.stringify(packageVersion ?? null)}, not "${version.text}"; bump it in ` +
        'the pull request that prepares the release.',
    );

  const notes = changelogSection(facts.changelog, version.text);
  if (notes === undefined)
    problems.push(
      `CHANGELOG.md: no section for ${version.text}; add "## [${version.text}] - YYYY-MM-DD" with the ` +
        'release notes (move them out of Unreleased).',
    );
  else if (notes === '')
    problems.push(`CHANGELOG.md: the section for ${version.text} is empty; write its release notes.`);

  problems.push(...actionMetadataProblems(facts.actionYml));

  // The reusable workflow on main calls the action at a major tag (`@v1`), as every snippet in the docs
  // does: a release of another major would move a tag nobody calls, and `@v1` would not resolve.
  const repoPattern = facts.repository.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const calledMajors = [
    ...facts.reusableWorkflow.matchAll(new RegExp(`uses:\\s*['"]?${repoPattern}@(v\\d+)['"]?\\s*$`, 'gim')),
  ].map((m) => m[1]);
  const otherMajor = calledMajors.find((called) => called !== majorTag);
  if (otherMajor)
    problems.push(
      `version: ${version.text} would move ${majorTag}, but ${REUSABLE_WORKFLOW} (and the docs) call ` +
        `\`${facts.repository}@${otherMajor}\`; release a ${otherMajor}.x.y version, or change those references ` +
        `to @${majorTag} in the same pull request as the version bump.`,
    );

  const rewritten = rewriteActionRef(facts.reusableWorkflow, facts.repository, tag);
  if (rewritten.count === 0)
    problems.push(
      `${REUSABLE_WORKFLOW}: no step says \`uses: ${facts.repository}@REF\`, so the reusable workflow would ` +
        'not call the action at this release; call the action by this repository name there.',
    );

  if (problems.length) return { ok: false, problems };
  const body =
    `${notes}\n\n---\n\nPin this release with \`uses: ${facts.repository}@${tag}\` (or its commit SHA), or ` +
    `follow the newest ${majorTag} release with \`@${majorTag}\`. The reusable workflow at ${tag} calls the ` +
    `action at ${tag}.`;
  return {
    ok: true,
    plan: {
      version,
      tag,
      majorTag,
      previousTag: previous?.tag,
      reusableWorkflow: rewritten.text,
      rewrittenUses: rewritten.count,
      commitMessage: `Release ${tag}\n\nThe reusable workflow calls ${facts.repository}@${tag}, the action at this same commit.`,
      releaseRequest: {
        tag_name: tag,
        name: tag,
        body,
        draft: false,
        prerelease: false,
        make_latest: 'true',
      },
    },
  };
}
