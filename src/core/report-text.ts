// Text in the release report made safe for the place it lands in (table cell, code span, fenced block,
// HTML element, Mermaid string): token-looking strings redacted, long text cut, and nothing left that
// could break the markdown, smuggle HTML, or mention, reference or link anything (docs/platform.md
// "Autolinked references and mentions"). Pure.
import { redactTokens } from './request-redaction';

/** Check and step details longer than this are cut (the comment must stay readable on a phone). */
const DETAIL_MAX = 160;

/** Replaces token-looking strings defensively: the one rule in core/request-redaction.ts. */
export const redact = redactTokens;

/** Cuts text to `max` characters, ending with an ellipsis when it was cut. */
export function truncate(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : chars.slice(0, max - 1).join('') + '…';
}

/** A detail as shown: redacted, on one line, at most DETAIL_MAX characters (before escaping). */
export function cut(text: string): string {
  return truncate(redact(text).replace(/\s+/g, ' ').trim(), DETAIL_MAX);
}

/**
 * Inert text for markdown: no control or bidi characters, no mention, reference or autolink
 * (`inertLinks`), HTML characters as entities, markdown punctuation backslash-escaped, `$` that cannot
 * start math (docs/platform.md "Math in comments"), one line. `links` false keeps URLs whole (for the text of a link, which GitHub never links again).
 */
export function escapeText(text: string, links = true): string {
  const line = stripControls(text.replace(/\s+/g, ' '));
  return (links ? inertLinks(line) : line)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[\\`*_[\]|#~!]/g, (c) => `\\${c}`)
    .replace(/\$/g, () => '<span>$</span>');
}

/** A zero-width space: inside a token it stops GitHub from recognising it, and it shows nothing. */
const ZWSP = '\u200B';

/**
 * Breaks everything GitHub would turn into a mention, a reference or a link (docs/platform.md
 * "Autolinked references and mentions"): `@user`, `@org/team`, `user@sha` and e-mail addresses; `#12`,
 * `GH-12`, `owner/repo#12`; `http://`, `https://`, `ftp://`, `mailto:`, `xmpp:` and `www.`; commit SHAs
 * (7 to 40 hex characters, split into runs of 6). Escapes and entities do not stop GitHub here: it finds
 * these in the rendered text, so a zero-width space goes inside each.
 */
export function inertLinks(text: string): string {
  return text
    .replace(/@(?=[A-Za-z0-9_-])/g, `@${ZWSP}`)
    .replace(/#(?=\d)/g, `#${ZWSP}`)
    .replace(/\b(GH)-(?=\d)/gi, `$1-${ZWSP}`)
    .replace(/(https?|ftps?|mailto|xmpp):/gi, `$1:${ZWSP}`)
    .replace(/(www)\./gi, `$1${ZWSP}.`)
    .replace(/(?<![0-9A-Za-z])[0-9A-Fa-f]{7,40}(?![0-9A-Za-z])/g, (hex) =>
      (hex.match(/.{1,6}/g) as string[]).join(ZWSP),
    );
}

/** Drops C0/C1 control characters and the bidi controls that can make text read other than it is. */
function stripControls(text: string, keepNewlines = false): string {
  let out = '';
  for (const ch of text) {
    const c = ch.codePointAt(0) as number;
    const control = c < 0x20 || (c >= 0x7f && c <= 0x9f);
    const bidi = c === 0x200e || c === 0x200f || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
    if ((control && !(keepNewlines && ch === '\n')) || bidi) continue;
    out += ch;
  }
  return out;
}

/** Text for an HTML element (the <summary> of a <details>): entities only, one line. */
export function htmlText(text: string): string {
  return stripControls(text.replace(/\s+/g, ' '))
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

/** A table cell: a short, redacted, escaped detail (so `|` cannot split the row). */
export function cell(text: string): string {
  return escapeText(cut(text));
}

/** A code span that no backtick in the text can close early (used outside tables only). */
export function codeSpan(text: string): string {
  const clean = truncate(stripControls(redact(text).replace(/\s+/g, ' ')), DETAIL_MAX);
  const longest = Math.max(0, ...Array.from(clean.matchAll(/`+/g), (m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  const pad = clean.startsWith('`') || clean.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${clean}${pad}${fence}`;
}

/** A fenced code block longer than any backtick run in the text, so the text cannot end it. */
export function fencedBlock(text: string): string {
  const longest = Math.max(0, ...Array.from(text.matchAll(/`+/g), (m) => m[0].length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `${fence}text\n${stripControls(text.replace(/\r\n?/g, '\n'), true)}\n${fence}`;
}

/** A quoted Mermaid string: letters, digits, spaces and `.:()_-` only (no quote, no `%%` comment start). */
export function mermaidString(text: string): string {
  return `"${text.replace(/[^A-Za-z0-9 .:()_-]/g, ' ')}"`;
}
