// Faults on demand for the reliability suite: every part of the emulator reads this one registry, and
// the control API (POST /emulator/faults) or startEmulator options write it. Cloud Run faults can be
// scoped to one region (a location), as regions fail independently (emulator/README.md "Faults on demand").
import { REGIONS } from './regions';

/** A Cloud Run API method as the emulator names it, e.g. `services.get`, `services.update`, `operations.get`. */
export type ApiMethod =
  | 'services.get'
  | 'services.list'
  | 'services.create'
  | 'services.update'
  | 'services.delete'
  | 'services.getIamPolicy'
  | 'services.setIamPolicy'
  | 'revisions.get'
  | 'revisions.list'
  | 'revisions.delete'
  | 'operations.get'
  | 'jobs.get'
  | 'jobs.list'
  | 'jobs.create'
  | 'jobs.update'
  | 'jobs.delete'
  | 'jobs.run'
  | 'executions.get'
  | 'executions.list'
  | 'executions.cancel'
  | 'executions.delete'
  | 'tasks.get'
  | 'tasks.list'
  | 'sts.token'
  | 'iamcredentials.generateAccessToken'
  | 'iamcredentials.generateIdToken'
  | 'github.oidc';

/**
 * How a running image fails once a test turns it bad (`Faults.turnBad`): `errors` answers every new request
 * and upgrade with 500, `stall` never answers them; either way its open streams go silent (still open).
 */
export type BadImageMode = 'errors' | 'stall';

export interface InjectedFailure {
  /** HTTP status to answer with, e.g. 429, 500, 503, 403. */
  status: number;
  message?: string;
}

/** An injected failure as `failNext` takes it: optionally only for calls on resources in one location. */
export interface ScopedFailure extends InjectedFailure {
  /** A region, e.g. `europe-west1`: only calls whose resource is there take the failure. Default: any call. */
  location?: string;
}

/** Methods of global APIs (STS, IAM Credentials, GitHub's token endpoint): their calls have no location. */
const GLOBAL_METHODS: ReadonlySet<ApiMethod> = new Set<ApiMethod>([
  'sts.token',
  'iamcredentials.generateAccessToken',
  'iamcredentials.generateIdToken',
  'github.oidc',
]);

/** What every Cloud Run API call in a region that is down answers: Google's words for the status. */
const OUTAGE_MESSAGES: Record<number, string> = {
  500: 'Internal error encountered.',
  503: 'The service is currently unavailable.',
};

export interface FaultSettings {
  /** Extra time before an operation reports done (on top of the real work), in ms. */
  operationDelayMs: number;
  /** When true, operations never finish (a deadline test). */
  operationsNeverFinish: boolean;
  /** The router holds back SSE bytes until the stream ends (a buffering proxy). */
  bufferSse: boolean;
  /** The router cuts every stream or socket after this many ms (0: never). */
  dropStreamsAfterMs: number;
  /** Lifetime of minted access tokens and ID tokens, in seconds. */
  tokenLifetimeSeconds: number;
  /**
   * After a revision failed, later operations that keep the service's template (which still names the
   * failed revision) apply their traffic but finish with the same error (docs/platform.md "After
   * a failed revision"). Default true; false makes such an operation succeed.
   */
  stickyRevisionFailure: boolean;
  /**
   * The project sits under the Domain Restricted Sharing org policy: setIamPolicy with `allUsers` or
   * `allAuthenticatedUsers` is 400 FAILED_PRECONDITION (docs/platform.md "Public access and IAM").
   */
  domainRestrictedSharing: boolean;
  /**
   * APIs not enabled in the project, e.g. `run.googleapis.com`, `iamcredentials.googleapis.com`: their
   * calls answer 403 SERVICE_DISABLED (docs/platform.md "Disabled API").
   */
  disabledApis: string[];
  /**
   * Routing changes take this long after their operation is done: the previous split keeps serving new
   * requests and a new tag's URL answers 404 (docs/platform.md "Traffic"; cloud.google.com/run/docs/
   * rollouts-rollbacks-traffic-migration). Default 0.
   */
  routingLagMs: number;
  /**
   * IAM policy changes reach the invoker check this long after setIamPolicy (docs/platform.md "Public access
   * and IAM": typically 2 minutes, sometimes 7 or more). `invokerIamDisabled` is not delayed. Default 0.
   */
  iamPropagationMs: number;
  /**
   * This share of the requests the router admits (0 to 1) is answered 503 by the front end itself, at
   * random: the background error rate a healthy service sees on any real platform. Default 0.
   */
  serverErrorRate: number;
  /**
   * Images turned bad on demand, by the reference the revision template names (`repo:tag`, as deployed):
   * every revision running one fails as its mode says, from now on, as an app that breaks mid-rollout
   * does. A test control that replaces a real-time `STREAM_APP_BAD_AFTER_MS`. Default none.
   */
  badImages: Record<string, BadImageMode>;
  /**
   * Images turned bad in one region only, by location and then by image reference (`Faults.turnBad` with a
   * location): revisions of that image in services of that location fail as their mode says; the same
   * image elsewhere serves (unless `badImages` names it). A region-scoped entry wins over `badImages`.
   */
  regionalBadImages: Record<string, Record<string, BadImageMode>>;
  /**
   * Regions whose Cloud Run API is down, with the HTTP status every call there answers (`Faults.regionDown`):
   * services, revisions, operations, jobs and v1 reads of resources in that location. Other regions, the
   * auth endpoints and the data plane serve on. Default none.
   */
  regionsDown: Record<string, number>;
  /**
   * Cloud Monitoring shows a Cloud Run data point only this long after the request it counts ended
   * (Google: "Sampled every 60 seconds. After sampling, data is not visible for up to 180 seconds"; see
   * emulator/README.md "Monitoring and Logging fakes"). Default 0 for tests.
   */
  monitoringDelayMs: number;
  /** Cloud Logging lists an entry only this long after it was written (receiveTimestamp). Default 0. */
  loggingDelayMs: number;
}

export const DEFAULT_FAULTS: FaultSettings = {
  operationDelayMs: 0,
  operationsNeverFinish: false,
  bufferSse: false,
  dropStreamsAfterMs: 0,
  tokenLifetimeSeconds: 3600,
  stickyRevisionFailure: true,
  domainRestrictedSharing: false,
  disabledApis: [],
  routingLagMs: 0,
  iamPropagationMs: 0,
  serverErrorRate: 0,
  badImages: {},
  regionalBadImages: {},
  regionsDown: {},
  monitoringDelayMs: 0,
  loggingDelayMs: 0,
};

/** Fresh defaults (the list and map fields are not shared between registries). */
function defaults(): FaultSettings {
  return { ...DEFAULT_FAULTS, disabledApis: [], badImages: {}, regionalBadImages: {}, regionsDown: {} };
}

export class Faults {
  settings: FaultSettings = defaults();
  private readonly pending = new Map<ApiMethod, Array<{ failure: InjectedFailure; location?: string }>>();

  /**
   * Makes the next `count` calls of `method` fail with `failure`; with `failure.location`, only calls on
   * resources in that region count (calls elsewhere pass untouched and leave the failure queued).
   */
  failNext(method: ApiMethod, count: number, failure: ScopedFailure): void {
    const { location, ...rest } = failure;
    if (location !== undefined) {
      if (GLOBAL_METHODS.has(method))
        throw new Error(`failNext: ${method} is a global API method; its calls have no location`);
      requireRegion('failNext', location);
    }
    const queue = this.pending.get(method) ?? [];
    for (let i = 0; i < count; i++)
      queue.push({ failure: rest, ...(location !== undefined && { location }) });
    this.pending.set(method, queue);
  }

  /**
   * Consumes and returns the failure due for this call of `method` on a resource in `location` (none for
   * global methods): the first queued failure for any location or for that one.
   */
  take(method: ApiMethod, location?: string): InjectedFailure | undefined {
    const queue = this.pending.get(method);
    if (!queue) return undefined;
    const at = queue.findIndex((entry) => entry.location === undefined || entry.location === location);
    if (at < 0) return undefined;
    const [next] = queue.splice(at, 1);
    if (queue.length === 0) this.pending.delete(method);
    return next.failure;
  }

  update(patch: Partial<FaultSettings>): void {
    this.settings = { ...this.settings, ...patch };
  }

  /** Takes a region's Cloud Run API down: every call on a resource there answers `status` (503 UNAVAILABLE). */
  regionDown(location: string, status = 503): void {
    requireRegion('regionDown', location);
    if (!Number.isInteger(status) || status < 400 || status > 599)
      throw new Error(`regionDown: status ${status} is not an HTTP error status (400-599)`);
    this.update({ regionsDown: { ...this.settings.regionsDown, [location]: status } });
  }

  /** Brings a region's Cloud Run API back up. */
  regionUp(location: string): void {
    const { [location]: _up, ...rest } = this.settings.regionsDown;
    this.update({ regionsDown: rest });
  }

  /** What a Cloud Run API call on a resource in `location` answers while that region is down, if it is. */
  outage(location: string | undefined): InjectedFailure | undefined {
    const down = this.settings.regionsDown;
    if (location === undefined || !Object.hasOwn(down, location)) return undefined;
    const status = down[location];
    return { status, message: OUTAGE_MESSAGES[status] ?? `Region ${location} is unavailable.` };
  }

  /**
   * Makes every revision running `image` (the template's reference) fail from now on; see `BadImageMode`.
   * With `scope.location`, only revisions of services in that region.
   */
  turnBad(image: string, mode: BadImageMode = 'errors', scope: { location?: string } = {}): void {
    if (mode !== 'errors' && mode !== 'stall')
      throw new Error(`turnBad: mode ${String(mode)} is not 'errors' or 'stall'`);
    const { location } = scope;
    if (location === undefined) {
      this.update({ badImages: { ...this.settings.badImages, [image]: mode } });
      return;
    }
    requireRegion('turnBad', location);
    const regional = this.settings.regionalBadImages;
    this.update({
      regionalBadImages: { ...regional, [location]: { ...regional[location], [image]: mode } },
    });
  }

  /** How `image` fails in `location` (a revision's region), if a test turned it bad there or everywhere. */
  badImage(image: string, location?: string): BadImageMode | undefined {
    const byLocation = this.settings.regionalBadImages;
    const regional =
      location !== undefined && Object.hasOwn(byLocation, location) ? byLocation[location] : undefined;
    if (regional && Object.hasOwn(regional, image)) return regional[image];
    return Object.hasOwn(this.settings.badImages, image) ? this.settings.badImages[image] : undefined;
  }

  reset(): void {
    this.settings = defaults();
    this.pending.clear();
  }
}

/** A region-scoped fault for a location the emulator does not serve could never fire: a test's mistake. */
function requireRegion(control: string, location: string): void {
  if (!REGIONS.includes(location))
    throw new Error(`${control}: '${location}' is not a region the emulator serves (${REGIONS.join(', ')})`);
}
