// The router's own answers (never the app's), shaped like the pages Cloud Run's front end serves.
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';

/** A complete response the router sends without reaching an instance. */
export interface ErrorPage {
  status: number;
  contentType: string;
  body: string;
  /** Extra response headers. */
  headers?: Record<string, string>;
}

function googlePage(status: number, title: string, detail: string): ErrorPage {
  const body =
    `<html><head><meta http-equiv="content-type" content="text/html;charset=utf-8">` +
    `<title>${status} ${title}</title></head><body text=#000000 bgcolor=#ffffff>` +
    `<h1>Error: ${title}</h1><h2>${escapeHtml(detail)}</h2><h2></h2></body></html>\n`;
  return { status, contentType: 'text/html; charset=UTF-8', body };
}

function plain(status: number, text: string): ErrorPage {
  return { status, contentType: 'text/plain; charset=utf-8', body: `${text}\n` };
}

/** 404 for any request that ingress settings keep out (internal-only / LB-only / none). */
export function ingressBlocked(path: string): ErrorPage {
  return googlePage(404, 'Page not found', `The requested URL ${path} was not found on this server.`);
}

/**
 * Google's own 404 page, which its front end serves for reserved paths such as `/healthz`
 * (docs/platform.md "Reserved URL paths"; the page quoted in kkdai/linebot-file#5 and funkyhq/funky#30).
 */
export function reservedPath(url: string): ErrorPage {
  const path = url.split('?')[0];
  const body =
    `<!DOCTYPE html>\n<html lang=en>\n  <meta charset=utf-8>\n` +
    `  <meta name=viewport content="initial-scale=1, minimum-scale=1, width=device-width">\n` +
    `  <title>Error 404 (Not Found)!!1</title>\n` +
    `  <a href=//www.google.com/><span id=logo aria-label=Google></span></a>\n` +
    `  <p><b>404.</b> <ins>That\u2019s an error.</ins>\n` +
    `  <p>The requested URL <code>${escapeHtml(path)}</code> was not found on this server.  ` +
    `<ins>That\u2019s all we know.</ins>\n`;
  return { status: 404, contentType: 'text/html; charset=UTF-8', body };
}

/** 401/403 when the invoker check refuses the caller. */
export function invokerDenied(status: 401 | 403, path: string, message: string): ErrorPage {
  const detail =
    status === 403
      ? `Your client does not have permission to get URL ${path} from this server. ${message}`
      : `Your client does not have permission to the requested URL ${path}. ${message}`;
  return googlePage(status, status === 403 ? 'Forbidden' : 'Unauthorized', detail.trim());
}

/** 429 when every instance is full and maxInstances is reached (cloud.google.com/run/docs/about-instance-autoscaling). */
export function noInstance(): ErrorPage {
  return plain(429, 'Rate exceeded. The request was aborted because there was no available instance.');
}

/** 503 when the routed revision has no running instances (never started, failed or deleted). */
export function revisionUnavailable(revision: string): ErrorPage {
  return plain(503, `Service Unavailable: revision ${revision} has no ready instance.`);
}

/** 504 when the request timeout passes before the app sent response headers. */
export function requestTimedOut(): ErrorPage {
  return plain(504, 'upstream request timeout');
}

/** 502 when the instance refused or dropped the connection before answering. */
/** A 503 the front end answers now and then on its own (fault setting `serverErrorRate`). */
export function injectedServerError(): ErrorPage {
  return plain(
    503,
    'upstream connect error or disconnect/reset before headers. reset reason: overflow (injected)',
  );
}

export function badGateway(detail: string): ErrorPage {
  return plain(502, `upstream connect error or disconnect/reset before headers. ${detail}`);
}

/** Writes `page` as a raw HTTP/1.1 response on a socket (for refused upgrades) and ends it. */
export function writeRawPage(socket: Duplex, page: ErrorPage): void {
  const body = Buffer.from(page.body);
  socket.end(
    `HTTP/1.1 ${page.status} ${STATUS_CODES[page.status] ?? ''}\r\n` +
      `Content-Type: ${page.contentType}\r\nContent-Length: ${body.length}\r\n` +
      Object.entries(page.headers ?? {})
        .map(([name, value]) => `${name}: ${value}\r\n`)
        .join('') +
      'Connection: close\r\n\r\n' +
      page.body,
  );
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] ?? c);
}
