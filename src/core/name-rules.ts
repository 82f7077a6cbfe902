// Cloud Run's rules for the names a release is addressed by: project, region, service and revision. The
// action's inputs (src/inputs/) and the CLI's flags (src/cli/) check against these same patterns; the tag
// rules are in tag-rules.ts. Pure, free of imports.

/**
 * A service id (docs/platform.md "Service id"): starts with a letter, letters/digits/`-`, under 50 characters;
 * service.proto adds that it cannot end with a hyphen. Cloud Run resource ids are lowercase.
 */
export const SERVICE_ID = /^[a-z]([a-z0-9-]{0,47}[a-z0-9])?$/;

/** A Cloud Run job id: lowercase letters, digits and hyphens, starting with a letter, not ending with a
 * hyphen, at most 63 characters (docs/platform.md "Cloud Run Jobs"). */
export const JOB_ID = /^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * A project id: 6 to 30 lowercase letters, digits and hyphens, starting with a letter, not ending with a
 * hyphen; legacy domain-scoped projects are written `example.com:my-project`.
 */
export const PROJECT_ID = /^(?:[a-z][a-z0-9.-]*[a-z0-9]:)?[a-z][a-z0-9-]{4,28}[a-z0-9]$/;

/** A region name: `us-central1`, `europe-west4`, `northamerica-northeast1`. */
export const REGION = /^[a-z]+-[a-z]+[0-9]+$/;

/**
 * A revision suffix (docs/platform.md "Revision names"): the revision is `SERVICE-SUFFIX`, lowercase letters, digits
 * and `-`, not ending with `-`.
 */
export const REVISION_SUFFIX = /^[a-z0-9-]*[a-z0-9]$/;

/** The longest revision name, `SERVICE-SUFFIX` (docs/platform.md "Revision names"). */
export const REVISION_MAX = 63;
