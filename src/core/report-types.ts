// The release as the people watching it see it: one report, updated as the release moves, rendered as
// the sticky PR comment and the job summary (src/core/report.ts) and sent through the GitHub port.
import type { TrafficTarget } from './cloud-run-types';
import type { EffectiveSplit, GateVerdict } from './metric-gate';
import type { SmokeResult } from './smoke-types';
import type { PanelVerdict } from './stream-panel';

/** Where the release is: planned -> candidate up -> smoke tested -> each traffic step -> how it ended. */
export type ReportPhase =
  | 'planned'
  | 'candidate-up'
  | 'smoke-tested'
  | 'rolling-out'
  | 'promoted'
  | 'canary'
  | 'candidate'
  | 'rolled-back'
  | 'failed';

export interface ReportFinding {
  rule: string;
  severity: 'error' | 'warning';
  message: string;
  source: string;
}

export interface ReportStep {
  /** The candidate's share at this step. */
  percent: number;
  status: 'pending' | 'shifted' | 'verified' | 'failed';
  /** ISO time the step's traffic was set. */
  at?: string;
  /** e.g. the share check result or the failed check. */
  detail?: string;
  /** The step's gates beyond the light rounds: the panel, the Monitoring and Logging checks, the split. */
  gates?: StepGateReport;
}

/** What the step's gates measured at its last check (src/run/step-gates.ts). */
export interface StepGateReport {
  /** The stream-health panel's verdict, candidate against baseline, with its numbers. */
  panel?: PanelVerdict;
  /** The Monitoring request gate and the Logging gate, each with its numbers and queries. */
  checks: GateVerdict[];
  /** Configured, observed and open-stream shares of the step. */
  split?: EffectiveSplit;
  /** What the policy decided, and why. */
  decision: string;
}

export interface ReleaseReport {
  project: string;
  region: string;
  service: string;
  /** Image reference as given (tag or digest). */
  image: string;
  /** Candidate revision (short name). */
  revision: string;
  previousRevision?: string;
  tag: string;
  tagUrl?: string;
  serviceUrl?: string;
  phase: ReportPhase;
  findings: ReportFinding[];
  smoke?: SmokeResult;
  steps: ReportStep[];
  /** The service's traffic now. */
  traffic?: TrafficTarget[];
  /** The traffic this run found, and the same with LATEST pinned to the revision it meant (both read "as before"). */
  baselineTraffic?: TrafficTarget[];
  restoreTraffic?: TrafficTarget[];
  /** Where the plan means traffic to end when everything passes. */
  plannedTraffic?: TrafficTarget[];
  /** The run stopped before sending Cloud Run any change (bad auth, a refused read or write). */
  changedNothing?: boolean;
  /** Why the release failed or was rolled back, and where traffic ended. */
  failure?: string;
  /** How long each phase took, in order. */
  timings: Array<{ phase: string; ms: number }>;
  /** When streams still open on a revision that lost traffic will have ended at the latest (ISO). */
  drainsBy?: string;
  /** Open streams measured on the revision that lost traffic and their predicted end (Cloud Monitoring). */
  drain?: string;
  /** Request timeout in seconds (streams live at most this long). */
  timeoutSeconds: number;
  sessionAffinity: boolean;
  /** The load balancer in front of the service, as the check before the deploy found it. */
  loadBalancer?: LoadBalancerReport;
  /** A release to several regions in waves (`regions`): one row per region, in wave order (src/multi-region.ts). */
  regions?: RegionReport[];
  /** The settings this release changes on the service, live value -> new value (from the service plan). */
  changes?: Array<{ setting: string; live: string; next: string }>;
  /** Commit SHA and a link to the workflow run, when known. */
  sha: string;
  runUrl?: string;
  /** ISO time of this update. */
  updatedAt: string;
}

/** What the load-balancer check found (run/load-balancer.ts), and the smoke test through it at the last step. */
export interface LoadBalancerReport {
  /** `found`: a chain serves the service; `none`: nothing in front; `skipped`: not readable; `off`. */
  status: 'found' | 'none' | 'skipped' | 'off';
  /** One line on what was checked, or why not. */
  detail: string;
  /** The chain, one line per forwarding rule and route (core/load-balancer.ts describeChain). */
  chain?: string[];
  /** The URL the last step smoke-tests through it. */
  url?: string;
  /** The smoke test through it: its verdict and its one-line summary. */
  smoke?: { url: string; verdict: string; summary: string };
}

/** One region of a multi-region release: its wave, where its own release is, and what serves there. */
export interface RegionReport {
  region: string;
  /** 1-based: wave 1 is the canary wave. */
  wave: number;
  phase: ReportPhase;
  revision?: string;
  tagUrl?: string;
  serviceUrl?: string;
  /** The smoke test's verdict through the region's tag URL, when it ran. */
  smoke?: 'pass' | 'fail' | 'inconclusive';
  /** This region's traffic steps (later waves may have fewer). */
  steps: ReportStep[];
  /** What serves in the region now (trafficStatuses), when known. */
  traffic?: TrafficTarget[];
  /** The traffic found before the release, which a rollback restores. */
  baselineTraffic?: TrafficTarget[];
  /** Why this region failed, was rolled back or withdrawn; one line. */
  failure?: string;
}
