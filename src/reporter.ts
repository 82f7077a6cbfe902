// Keeps the release report and sends every update where people look: the sticky PR comment, the job
// summary, the deployment and the commit status. A channel that fails (no permission, rate limit) warns
// once and is skipped from then on: reporting never fails or undoes a release.
import type { ReleaseReport, ReportPhase } from './core/report-types';
import { renderComment, renderStatusLine, renderSummary, reportMarker } from './core/report';
import type { CommitState, DeploymentState, GitHubPort } from './adapters/github';
import type { Log } from './adapters/log';

export interface ReportChannels {
  github?: GitHubPort;
  /** Overwrites this step's job summary. */
  writeSummary?: (markdown: string) => Promise<void>;
  comment: boolean;
  deployment: boolean;
  summary: boolean;
  log: Log;
  now: () => number;
  /** The pause before a last try of a stale channel; real timers by default. */
  sleep?: (ms: number) => Promise<void>;
}

const DEPLOYMENT_STATE: Record<ReportPhase, DeploymentState> = {
  planned: 'in_progress',
  'candidate-up': 'in_progress',
  'smoke-tested': 'in_progress',
  'rolling-out': 'in_progress',
  promoted: 'success',
  canary: 'success',
  candidate: 'success',
  'rolled-back': 'failure',
  failed: 'failure',
};

const COMMIT_STATE: Record<DeploymentState, CommitState> = {
  in_progress: 'pending',
  success: 'success',
  failure: 'failure',
  inactive: 'success',
  error: 'error',
};

/** The report's owner: `update` merges a change and publishes it on every enabled channel in the background. */
export class Reporter {
  private report: ReleaseReport;
  private readonly broken = new Set<string>();
  /** Channels whose last publish failed for a passing reason (rate limit, server error). */
  private readonly stale = new Set<string>();
  private readonly warned = new Set<string>();
  private phaseStartedAt: number;
  private dirty = false;
  private publishing: Promise<void> | undefined;

  constructor(
    base: ReleaseReport,
    private readonly channels: ReportChannels,
  ) {
    this.report = base;
    this.phaseStartedAt = channels.now();
  }

  /** The report as last published. */
  current(): ReleaseReport {
    return this.report;
  }

  /**
   * Merges a change and has it published without waiting for GitHub: the release does not slow down for
   * its report. Publishing runs one snapshot at a time; updates that arrive meanwhile are folded into the
   * next snapshot, so channels always end on the latest state. `flush` waits for that.
   */
  async update(patch: Partial<ReleaseReport>): Promise<void> {
    const now = this.channels.now();
    const timings = [...this.report.timings];
    if (patch.phase && patch.phase !== this.report.phase) {
      timings.push({ phase: this.report.phase, ms: now - this.phaseStartedAt });
      this.phaseStartedAt = now;
    }
    this.report = { ...this.report, ...patch, timings, updatedAt: new Date(now).toISOString() };
    this.schedule();
  }

  /**
   * Resolves once every update so far is published (or its channel has given up). A channel whose last
   * publish failed for a passing reason gets one more try after a pause, so it does not end stale.
   */
  async flush(): Promise<void> {
    while (this.publishing) await this.publishing;
    if (this.stale.size === 0) return;
    await (this.channels.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms))))(1000);
    this.schedule();
    while (this.publishing) await this.publishing;
  }

  /** Marks the report changed and starts publishing unless a publish is already under way. */
  private schedule(): void {
    this.dirty = true;
    this.publishing ??= this.drain().finally(() => (this.publishing = undefined));
  }

  private async drain(): Promise<void> {
    while (this.dirty) {
      this.dirty = false;
      await this.publish(this.report);
    }
  }

  private async publish(r: ReleaseReport): Promise<void> {
    const { github } = this.channels;
    if (github && this.channels.comment) {
      await this.attempt('PR comment', () =>
        github.upsertComment(reportMarker(r.project, r.region, r.service), renderComment(r)),
      );
    }
    if (github && this.channels.deployment) {
      const state = DEPLOYMENT_STATE[r.phase];
      const url = r.phase === 'promoted' || r.phase === 'canary' ? r.serviceUrl : r.tagUrl;
      const line = renderStatusLine(r);
      await this.attempt('deployment status', () => github.deploymentStatus(state, line, url));
      await this.attempt('commit status', () => github.commitStatus(COMMIT_STATE[state], line));
    }
    if (this.channels.writeSummary && this.channels.summary) {
      const write = this.channels.writeSummary;
      await this.attempt('job summary', () => write(renderSummary(r)));
    }
  }

  // Runs one channel's call. A permission failure warns with the fix and turns the channel off; a rate
  // limit or a server error warns once and leaves it on, so a later update (or flush) brings it up to date.
  private async attempt(channel: string, call: () => Promise<unknown>): Promise<void> {
    if (this.broken.has(channel)) return;
    try {
      await call();
      this.stale.delete(channel);
    } catch (err) {
      const e = err as { status?: number; message?: string; response?: { headers?: Record<string, string> } };
      // GitHub's primary rate limit is a 403 too; it says so in its headers and message.
      const rateLimited =
        e.status === 429 ||
        e.response?.headers?.['x-ratelimit-remaining'] === '0' ||
        /rate limit/i.test(e.message ?? '');
      const denied = (e.status === 401 || e.status === 403) && !rateLimited;
      if (denied) this.broken.add(channel);
      else this.stale.add(channel);
      if (this.warned.has(channel)) return;
      this.warned.add(channel);
      const hint = denied
        ? ' Give the job `permissions: pull-requests: write, deployments: write, statuses: write` (or turn this part off with `comment_on_pr` / `github_deployment`).'
        : rateLimited
          ? ' GitHub is rate-limiting this token; the report is sent again with the next update.'
          : ' The report is sent again with the next update.';
      this.channels.log.warning(
        `Could not update the ${channel}: ${(err as Error).message}.${hint} The release goes on.`,
      );
    }
  }
}
