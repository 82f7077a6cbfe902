// Durations as people write them in the smoke and rollout settings (`500ms`, `10s`, `2m`, a bare number of
// seconds): one grammar for the action's inputs and the CLI's flags; and as the Cloud Run API writes them
// (`300s`). Pure.

/** Milliseconds of `500ms`, `10s`, `2m` or a bare number of seconds; undefined when malformed. */
export function parseDuration(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  if (!m) return undefined;
  return Math.round(Number(m[1]) * (m[2] === 'ms' ? 1 : m[2] === 'm' ? 60_000 : 1000));
}

/** Seconds of a Duration as the Cloud Run API's JSON writes it (`300s`, `0.5s`); undefined when malformed. */
export function parseApiSeconds(duration: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)s$/.exec(duration.trim());
  return match ? Number(match[1]) : undefined;
}
