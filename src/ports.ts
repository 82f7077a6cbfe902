// The ports: every interface through which the orchestrator (run.ts), recovery and cleanup reach the
// outside world. Adapters in src/adapters implement them; the orchestrator imports only this file, src/core
// and errors.ts, never an adapter module, and tests hand it in-memory fakes.
import type { DeployConfig } from './core/config';
import type { CloudRunService, TrafficTarget } from './core/cloud-run-types';
import type { ReleaseRecord } from './core/release-record';
import type { ReleaseReport } from './core/report-types';
import type { SmokeResult } from './core/smoke-types';
import type { LogProblem, Observed, OpenStreamSample, RequestCounts } from './core/metric-gate';
import type { ArmReading, PanelProtocol } from './core/stream-panel';
import type { ComputeLists } from './core/load-balancer';
import type { CloudRunJob, RunOverrides } from './core/job-plan';
import type { JobExecution, JobTask } from './core/job-outcome';
import type { SchedulerJob } from './core/job-schedule';

/** The log port: plain lines, warnings and errors as annotations, and one group per plan step. */
export interface Log {
  info(line: string): void;
  warning(line: string): void;
  error(line: string): void;
  /** Request shapes and other detail, shown only with debug logging on. */
  debug(line: string): void;
  /** Runs `fn` inside a collapsible log group titled after the plan step. */
  group<T>(title: string, fn: () => Promise<T>): Promise<T>;
}

/** The Cloud Run operations the orchestrator needs. */
export interface CloudRunPort {
  /** The live service, as the server sent it (fields this code does not know kept), or undefined when it does not exist. */
  getService(name: string): Promise<CloudRunService | undefined>;
  /**
   * Creates the service, or updates it: `service` is the live service as read with this release's changes,
   * sent whole with `updateMask` naming the top-level fields changed (`template`, `traffic`, `labels`, …).
   * Waits for the operation; returns the service read back.
   */
  applyService(
    service: CloudRunService,
    action: 'create' | 'update',
    updateMask?: readonly string[],
  ): Promise<CloudRunService>;
  /**
   * Sets traffic only (`updateMask` `traffic`, plus `annotations` when given, merged into the service's),
   * with the etag read just before. With `expectTraffic`, refuses to overwrite traffic someone else
   * changed (ConcurrentChange); `alsoExpect` lists other states this run may itself have left (an update
   * whose answer was lost). Traffic already equal to `traffic` is not written again. Done means the
   * service reads back with that traffic, whatever the operation reported.
   */
  setTraffic(
    name: string,
    traffic: TrafficTarget[],
    options?: {
      expectTraffic?: TrafficTarget[];
      alsoExpect?: TrafficTarget[][];
      annotations?: Record<string, string>;
    },
  ): Promise<CloudRunService>;
  /** The Ready condition of a revision, to explain why it failed. */
  revisionFailure(
    service: string,
    revision: string,
  ): Promise<{ reason?: string; message?: string } | undefined>;
  /**
   * The image a revision runs, pinned: its ingress container's `containerStatuses[].imageDigest` as
   * `REPOSITORY@sha256:…` (docs/platform.md "Image digests"), or undefined when the revision has none yet.
   */
  revisionDigest(service: string, revision: string): Promise<string | undefined>;
  /** True when the IAM policy grants roles/run.invoker to `allUsers` (undefined when it cannot be read). */
  hasPublicBinding(name: string): Promise<boolean | undefined>;
  /** Adds (`true`) or removes (`false`) `allUsers` as roles/run.invoker in the IAM policy; says what changed. */
  setPublicAccess(name: string, allow: boolean): Promise<'added' | 'removed' | 'unchanged'>;
  close(): Promise<void>;
}

export interface RevisionSample {
  total: number;
  candidate: number;
  /** Answers without an `X-Revision` header (the app does not say which revision served it). */
  unidentified: number;
  /** Requests that failed or answered non-2xx. */
  errors: number;
  /** Of `errors`, the answers the candidate itself gave (its `X-Revision` on a non-2xx): routing reaches it. */
  candidateErrors?: number;
}

/** Runs one smoke test; the ID token goes only to `allowedOrigins` (the service's own URLs). */
export interface SmokePort {
  run(
    url: string,
    criteria: NonNullable<DeployConfig['smoke']>,
    allowedOrigins: string[],
    idToken?: string,
  ): Promise<SmokeResult>;
  /** The status of one GET of `url + path` (headers only); undefined when nothing answered. */
  status(url: string, path: string, idToken?: string): Promise<number | undefined>;
  /** Which revision `count` new requests to `url + path` reached, by the `X-Revision` the app sets. */
  sample(
    url: string,
    path: string,
    count: number,
    candidate: string,
    idToken?: string,
  ): Promise<RevisionSample>;
}

/** Both arms of the stream-health panel over one window. */
export interface PanelReadings {
  candidate: ArmReading;
  baseline: ArmReading;
}

/** The panel's streams on both tag URLs, open until `close()` (adapters/stream-panel/). */
export interface PanelSession {
  /** What each arm saw since the previous window() (or the open); the streams stay open. */
  window(): PanelReadings;
  /** Closes every stream and returns the last window; never throws. */
  close(): Promise<PanelReadings>;
}

/** Opens the stream-health panel: `streams` streams on each URL, the ID token only to `allowedOrigins`. */
export interface PanelPort {
  open(options: {
    candidateUrl: string;
    baselineUrl: string;
    protocol: PanelProtocol;
    path: string;
    streams: number;
    /** Short probe streams opened per second on each arm (0: none), at most `maxProbesInFlight` at once per arm. */
    probesPerSecond: number;
    maxProbesInFlight: number;
    idToken?: string;
    allowedOrigins: string[];
    grpcService?: string;
    wsSend?: string;
  }): PanelSession;
}

/** Which revisions of the service, over which window (epoch ms). */
export interface RevisionWindow {
  revisions: readonly string[];
  start: number;
  end: number;
}

/** Cloud Monitoring and Cloud Logging reads for the step gates; denied when the optional role is missing. */
export interface ObservabilityPort {
  /** Requests per revision by response class; a stream counts once, when it ends. */
  requestCounts(query: RevisionWindow): Promise<Observed<Record<string, RequestCounts>>>;
  /** Per revision and minute, open streams at most (the sum of the instances' peak concurrency). */
  openStreams(query: RevisionWindow): Promise<Observed<Record<string, OpenStreamSample[]>>>;
  /** Bytes each revision sent over the window (`container/network/sent_bytes_count`). */
  sentBytes(query: RevisionWindow): Promise<Observed<Record<string, number>>>;
  /** The revision's ERROR lines, 5xx request logs and crashes since `since`, newest first. */
  recentProblems(
    revision: string,
    since: number,
    limit: number,
  ): Promise<Observed<{ entries: LogProblem[]; truncated: boolean }>>;
}

/** The Compute Engine reads behind the load-balancer check; denied without the optional compute.viewer. */
export interface LoadBalancerPort {
  /** The project's serverless NEGs in `region` and the global resources in front of them; `no-data` when
   * the region has no serverless NEG at all. */
  read(project: string, region: string): Promise<Observed<ComputeLists>>;
}

/** Cloud Run jobs, executions and tasks (`mode: job`, src/job.ts). */
export interface JobsPort {
  /** The live job as the server sent it, or undefined when it does not exist. */
  getJob(name: string): Promise<CloudRunJob | undefined>;
  /** Creates the job, or replaces it whole (the Jobs API has no update mask); waits; reads it back. */
  applyJob(job: CloudRunJob, action: 'create' | 'update'): Promise<CloudRunJob>;
  /** Starts an execution; resolves with its name once Cloud Run has accepted it. */
  runJob(name: string, overrides?: RunOverrides): Promise<string>;
  getExecution(name: string): Promise<JobExecution>;
  listTasks(execution: string): Promise<JobTask[]>;
  cancelExecution(name: string): Promise<void>;
  /** The last ERROR lines of one task of an execution (Cloud Logging), when the role allows. */
  taskErrors?(execution: string, index: number): Promise<Observed<string[]>>;
}

/** Cloud Scheduler: the schedule of a Cloud Run job. */
export interface SchedulesPort {
  /** Creates the scheduler job, or updates the fields it owns; says which. */
  upsert(job: SchedulerJob): Promise<'created' | 'updated' | 'unchanged'>;
}

export interface ReleasePorts {
  cloudRun: CloudRunPort;
  log: Log;
  smoke: SmokePort;
  /** The stream-health panel; absent where it cannot run (the config's `panelStreams` 0 keeps it closed too). */
  panel?: PanelPort;
  /** Monitoring and Logging for the step gates; absent when both gates are off. */
  observability?: ObservabilityPort;
  /** The Compute Engine reads of the load-balancer check; absent when `load_balancer: off`. */
  loadBalancer?: LoadBalancerPort;
  /** Cloud Run jobs, for the pre-rollout job (`before_rollout_job`); absent without one. */
  jobs?: JobsPort;
  /** An ID token for the service URL audience (docs/platform.md "Private smoke requests"); rejects when auth cannot mint one. */
  idToken(audience: string): Promise<string>;
  /**
   * Keeps the release record where the post step finds it (the runner's step state). Called only by the
   * orchestrator's event log, with the fold of the events that have landed (core/release-events.ts).
   */
  saveRecord(record: ReleaseRecord): void;
  sleep(ms: number): Promise<void>;
  /** Epoch milliseconds. */
  now(): number;
  /** Publishes what changed in the report's fold of the events (PR comment, summary, deployment); never throws. */
  report?(patch: Partial<ReleaseReport>): Promise<void>;
}
