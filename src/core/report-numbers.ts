// Numbers and times in the release report as people read them: percentages, counts, milliseconds,
// durations and clock times. Pure: no clock (times are parsed from the report, never read).

/** A percentage for a chart: a whole number from 0 to 100; 0 when not a number. */
export function clampPercent(p: number): number {
  return Number.isFinite(p) ? Math.min(100, Math.max(0, Math.round(p))) : 0;
}

/** A count and its noun: "1 check", "3 checks". */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** Milliseconds for metrics: "85 ms", "1.2 s"; "n/a" when not measured. */
export function formatMs(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return 'n/a';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(1)} s`;
}

/** A phase's duration: "0.4 s", "42 s", "3 min", "3 min 20 s", "1 h 5 min". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return 'n/a';
  if (ms < 1000) return `${(ms / 1000).toFixed(1)} s`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) {
    const rest = seconds % 60;
    return `${Math.floor(seconds / 60)} min${rest ? ` ${rest} s` : ''}`;
  }
  const minutes = Math.round(seconds / 60);
  const rest = minutes % 60;
  return `${Math.floor(minutes / 60)} h${rest ? ` ${rest} min` : ''}`;
}

/** An ISO time as "HH:MM:SS UTC", short enough for a table on a phone. */
export function formatClock(iso: string): string {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? iso : `${new Date(t).toISOString().slice(11, 19)} UTC`;
}

/** An ISO time as "YYYY-MM-DD HH:MM:SS UTC" (parsing a given string is pure); unparsable text as given. */
export function formatTime(iso: string): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  const s = new Date(t).toISOString();
  return `${s.slice(0, 10)} ${s.slice(11, 19)} UTC`;
}
