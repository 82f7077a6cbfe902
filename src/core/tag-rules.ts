// Cloud Run's rules for traffic tags and the preview tag a pull request gets: shared by the input parser,
// the release and the cleanup, and kept free of imports so the input check stays small.

/** Cloud Run allows a tag and its service's name together at most 46 characters (docs/platform.md "Limits on inputs"). */
export const TAG_AND_SERVICE_MAX = 46;

/**
 * A traffic tag (docs/platform.md "Tag"): lowercase letters, digits and `-`, starting with a letter and not
 * ending with `-`, since the tag URL joins it to the service as `TAG---SERVICE`. The release's `tag` input
 * and the cleanup's `--tag` are checked against this one pattern.
 */
export const TAG_PATTERN = /^[a-z]([a-z0-9-]*[a-z0-9])?$/;

/**
 * The tag a preview of pull request `n` gets by default: `pr-N`, shortened to `prN` or `pN` when the
 * service's name leaves less `room` (TAG_AND_SERVICE_MAX minus its length); undefined when none fits. The
 * release's default `tag` (src/inputs/release.ts) and the cleanup's are this one function, so cleanup finds
 * what the release made.
 */
export function previewTag(n: number, room: number): string | undefined {
  return [`pr-${n}`, `pr${n}`, `p${n}`].find((t) => t.length <= room);
}
