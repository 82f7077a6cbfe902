// Faults on demand for the reliability suite: every part of the emulator reads this one registry, and
// the control API (POST /emulator/faults) or startEmulator options write it.

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
  monitoringDelayMs: 0,
  loggingDelayMs: 0,
};

/** Fresh defaults (the list and map fields are not shared between registries). */
function defaults(): FaultSettings {
  return { ...DEFAULT_FAULTS, disabledApis: [], badImages: {} };
}

export class Faults {
  settings: FaultSettings = defaults();
  private readonly pending = new Map<ApiMethod, InjectedFailure[]>();

  /** Makes the next `count` calls of `method` fail with `failure`. */
  failNext(method: ApiMethod, count: number, failure: InjectedFailure): void {
    const queue = this.pending.get(method) ?? [];
    for (let i = 0; i < count; i++) queue.push(failure);
    this.pending.set(method, queue);
  }

  /** Consumes and returns the failure due for this call of `method`, if any. */
  take(method: ApiMethod): InjectedFailure | undefined {
    const queue = this.pending.get(method);
    const next = queue?.shift();
    if (queue && queue.length === 0) this.pending.delete(method);
    return next;
  }

  update(patch: Partial<FaultSettings>): void {
    this.settings = { ...this.settings, ...patch };
  }

  /** Makes every revision running `image` (the template's reference) fail from now on; see `BadImageMode`. */
  turnBad(image: string, mode: BadImageMode = 'errors'): void {
    this.update({ badImages: { ...this.settings.badImages, [image]: mode } });
  }

  /** How `image` fails, if a test turned it bad. */
  badImage(image: string): BadImageMode | undefined {
    return Object.hasOwn(this.settings.badImages, image) ? this.settings.badImages[image] : undefined;
  }

  reset(): void {
    this.settings = defaults();
    this.pending.clear();
  }
}
