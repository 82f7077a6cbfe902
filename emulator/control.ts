// The emulator's control API (`/emulator/...`): faults on demand, seeding services and load balancers,
// firing a scheduler job, and what the emulator observed (calls, processes, logs).
import type http from 'node:http';
import { readJson, sendJson } from './api/google-errors';
import type { RunApi } from './api/run-api';
import type { SeedLoadBalancerOptions, SeededLoadBalancer } from './api/compute-seed';
import type { SchedulerAttempt } from './api/scheduler';
import { Faults, type ApiMethod, type BadImageMode, type FaultSettings } from './faults';
import type { SeededService, SeedServiceOptions } from './seed';

export interface ControlDeps {
  api: RunApi;
  dataPlane: {
    pids(): unknown;
    processes(): unknown;
    logs(service: string, revision: string): string[];
  };
  faults: Faults;
  seed(options: SeedServiceOptions): Promise<SeededService>;
  seedLoadBalancer(options: SeedLoadBalancerOptions): Promise<SeededLoadBalancer>;
  frontDoors(): Array<{ forwardingRule: string; url: string }>;
  fire(name: string): Promise<SchedulerAttempt>;
}

/** The handler of `/emulator/...` paths; false for any other path. */
export function createControl(d: ControlDeps) {
  return async (req: http.IncomingMessage, res: http.ServerResponse): Promise<boolean> => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (!url.pathname.startsWith('/emulator')) return false;
    if (url.pathname === '/emulator/health') sendJson(res, 200, { ok: true });
    else if (url.pathname === '/emulator/calls') sendJson(res, 200, d.api.wire);
    else if (url.pathname === '/emulator/processes')
      sendJson(res, 200, { pids: d.dataPlane.pids(), revisions: d.dataPlane.processes() });
    else if (url.pathname === '/emulator/faults/reset' && req.method === 'POST') {
      d.faults.reset();
      sendJson(res, 200, { settings: d.faults.settings });
    } else if (url.pathname === '/emulator/faults' && req.method === 'POST') {
      try {
        const body = (await readJson(req)) as FaultsRequest;
        applyFaults(new Faults(), body); // a request with a mistake applies none of its faults
        applyFaults(d.faults, body);
        sendJson(res, 200, { settings: d.faults.settings });
      } catch (err) {
        sendJson(res, 400, {
          error: { code: 400, message: (err as Error).message, status: 'INVALID_ARGUMENT' },
        });
      }
    } else if (url.pathname === '/emulator/services' && req.method === 'POST') {
      try {
        sendJson(res, 200, await d.seed((await readJson(req)) as SeedServiceOptions));
      } catch (err) {
        sendJson(res, 400, {
          error: { code: 400, message: (err as Error).message, status: 'FAILED_PRECONDITION' },
        });
      }
    } else if (url.pathname === '/emulator/load-balancers' && req.method === 'POST') {
      try {
        sendJson(res, 200, await d.seedLoadBalancer((await readJson(req)) as SeedLoadBalancerOptions));
      } catch (err) {
        sendJson(res, 400, {
          error: { code: 400, message: (err as Error).message, status: 'FAILED_PRECONDITION' },
        });
      }
    } else if (url.pathname === '/emulator/load-balancers') {
      sendJson(res, 200, { frontDoors: d.frontDoors() });
    } else if (url.pathname.startsWith('/emulator/scheduler/') && req.method === 'POST') {
      const m = /^\/emulator\/scheduler\/([^/]+)\/([^/]+)\/([^/:]+):fire$/.exec(url.pathname);
      const attempt =
        m && (await d.fire(`projects/${m[1]}/locations/${m[2]}/jobs/${m[3]}`).catch(() => undefined));
      if (attempt) sendJson(res, 200, attempt);
      else sendJson(res, 404, { error: { code: 404, message: 'Job not found.', status: 'NOT_FOUND' } });
    } else if (url.pathname.startsWith('/emulator/logs/')) {
      const [service, revision] = url.pathname
        .slice('/emulator/logs/'.length)
        .split('/')
        .map(decodeURIComponent);
      sendJson(res, 200, { lines: d.dataPlane.logs(service, revision) });
    } else
      sendJson(res, 404, { error: { code: 404, message: 'Unknown control path.', status: 'NOT_FOUND' } });
    return true;
  };
}

/** The body of `POST /emulator/faults`: each key the `Faults` method of its name (emulator/README.md "Faults on demand"). */
export interface FaultsRequest {
  failNext?: Array<{
    method: ApiMethod;
    count?: number;
    status: number;
    message?: string;
    location?: string;
  }>;
  /** Replaces the settings it names (maps included). */
  settings?: Partial<FaultSettings>;
  regionDown?: Array<{ location: string; status?: number }>;
  regionUp?: string[];
  turnBad?: Array<{ image: string; mode?: BadImageMode; location?: string }>;
}

/** Applies a faults request in a fixed order: queued failures, settings, then outages and bad images. */
function applyFaults(faults: Faults, body: FaultsRequest): void {
  for (const f of body.failNext ?? [])
    faults.failNext(f.method, f.count ?? 1, { status: f.status, message: f.message, location: f.location });
  if (body.settings) faults.update(body.settings);
  for (const r of body.regionDown ?? []) faults.regionDown(r.location, r.status);
  for (const location of body.regionUp ?? []) faults.regionUp(location);
  for (const b of body.turnBad ?? []) faults.turnBad(b.image, b.mode, { location: b.location });
}
