// Release names: the tag and the revision suffix.
import type { RunContext } from '../core/config';
import { REVISION_MAX, REVISION_SUFFIX } from '../core/name-rules';
import { previewTag, TAG_AND_SERVICE_MAX, TAG_PATTERN } from '../core/tag-rules';
import { type InputName, type Problems, show } from './shared';

// The tag pattern and the tag + service limit (docs/platform.md "Tag") live in core/tag-rules.ts, shared with
// the cleanup; the revision name rules (docs/platform.md "Revision names") in core/name-rules.ts.

// The default tag: `pr-<number>` for pull requests, else `sha-<sha7>`, shortened (`pr12`, `p12`, `s<sha>`)
// when the service name leaves fewer characters; undefined when nothing fits.
function defaultTag(context: RunContext, room: number): string | undefined {
  if (context.pullRequest !== undefined) return previewTag(context.pullRequest, room);
  const sha = context.sha.toLowerCase();
  if (!/^[0-9a-f]{7,}$/.test(sha)) return undefined;
  const full = `sha-${sha.slice(0, 7)}`;
  if (full.length <= room) return full;
  // At least 4 hex digits, or the tag says too little about the commit to be worth having.
  return room >= 5 ? `s${sha.slice(0, Math.min(7, room - 1))}` : undefined;
}

export function parseTag(text: string, service: string | undefined, context: RunContext, problems: Problems) {
  const room = service === undefined ? Infinity : TAG_AND_SERVICE_MAX - service.length;
  if (text === '') {
    const tag = defaultTag(context, room);
    if (tag === undefined) {
      if (context.pullRequest === undefined && !/^[0-9a-f]{7,}$/i.test(context.sha))
        problems.add(
          'tag',
          'has no default: the run has no commit SHA to name it after',
          'a tag such as `canary`',
        );
      else
        problems.add(
          'tag',
          `has no default that fits: service \`${service}\` leaves ${Math.max(room, 0)} characters for a tag (tag + service at most ${TAG_AND_SERVICE_MAX})`,
          room > 0
            ? `a tag of at most ${room} characters, or a shorter \`service\``
            : 'a shorter `service` id',
        );
    }
    return tag;
  }
  if (!TAG_PATTERN.test(text)) {
    problems.add(
      'tag',
      `${show(text)} is not a valid traffic tag`,
      'lowercase letters, digits and `-`, starting with a letter, not ending with `-`',
    );
    return undefined;
  }
  if (text.length > room) {
    problems.add(
      'tag',
      `${show(text)} with service \`${service}\` is ${text.length + (service?.length ?? 0)} characters; Cloud Run allows tag + service at most ${TAG_AND_SERVICE_MAX}`,
      room > 0 ? `a tag of at most ${room} characters` : 'a shorter `service` id',
    );
    return undefined;
  }
  return text;
}

// The default suffix `<sha7>-<run id in base 36>-<run attempt>`: unique per commit and attempt, so a re-run
// never reuses a revision name with a different template (docs/platform.md "Revision names": that is a 409).
function defaultRevisionSuffix(context: RunContext): string | undefined {
  const sha = context.sha.toLowerCase();
  if (!/^[0-9a-f]{7,}$/.test(sha) || !/^[0-9]+$/.test(context.runId) || !/^[0-9]+$/.test(context.runAttempt))
    return undefined;
  return `${sha.slice(0, 7)}-${BigInt(context.runId).toString(36)}-${BigInt(context.runAttempt).toString()}`;
}

// `suffix` is deploy-cloudrun's name for `revision_suffix`: taken, with a deprecation warning.
export function suffixInput(text: (name: InputName) => string, problems: Problems): string {
  const [given, alias] = [text('revision_suffix'), text('suffix')];
  if (alias === '') return given;
  if (given !== '' && given !== alias) {
    problems.add(
      'suffix',
      `${show(alias)} differs from \`revision_suffix\` ${show(given)}; \`suffix\` is a deprecated name for \`revision_suffix\``,
      'only `revision_suffix`',
    );
    return given;
  }
  problems.warn(
    'suffix',
    "is deprecated (google-github-actions/deploy-cloudrun's name); it is read as `revision_suffix`, so write `revision_suffix` instead",
  );
  return alias;
}

export function parseRevisionSuffix(
  text: string,
  service: string | undefined,
  context: RunContext,
  problems: Problems,
) {
  const room = service === undefined ? Infinity : REVISION_MAX - service.length - 1;
  if (text === '') {
    const suffix = defaultRevisionSuffix(context);
    if (suffix === undefined)
      problems.add(
        'revision_suffix',
        'has no default: the run has no commit SHA, run id or run attempt',
        'a suffix such as `v42`',
      );
    else if (suffix.length > room)
      problems.add(
        'revision_suffix',
        `the default ${show(suffix)} makes revision \`${service}-${suffix}\` ${service!.length + 1 + suffix.length} characters; Cloud Run allows at most ${REVISION_MAX}`,
        `\`revision_suffix\` set to at most ${room} characters, unique per run (e.g. \`\${{ github.run_id }}-\${{ github.run_attempt }}\`)`,
      );
    else return suffix;
    return undefined;
  }
  if (!REVISION_SUFFIX.test(text)) {
    problems.add(
      'revision_suffix',
      `${show(text)} is not a valid revision suffix`,
      'lowercase letters, digits and `-`, not ending with `-`',
    );
    return undefined;
  }
  if (text.length > room) {
    problems.add(
      'revision_suffix',
      `makes revision \`${service}-${text}\` ${service!.length + 1 + text.length} characters; Cloud Run allows at most ${REVISION_MAX}`,
      `a suffix of at most ${room} characters`,
    );
    return undefined;
  }
  return text;
}
