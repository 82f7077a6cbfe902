// Keeps the release report and sends it where people look: the sticky comment, the job summary, the
// deployment and the commit status. Each channel is sent only when what it shows changes (a new phase,
// a new deployment or commit state) and once more with the final state, so a release costs a handful of
// GitHub calls, not one per channel per update (docs/platform.md "Secondary rate limits"). A channel
// that fails warns once: a missing permission turns it off, a rate limit makes it wait as long as GitHub
// asks. Reporting never fails or undoes a release.
import type { ReleaseReport, ReportPhase } from './core/report-types';
import { renderComment, renderStatusLine, renderSummary, reportMarker } from './core/report';
import type { CommitState, DeploymentState, GitHubPort } from './adapters/github';
import type { Log } from './ports';
import { classifyFailure, type CallFailure } from './core/github-failures';
import type { ReportSnapshot } from './adapters/release-state';

/** Where the comment goes: the pull request (issue comments) or the commit (commit comments). */
export type CommentTarget = 'pull-request' | 'commit';

export interface ReportChannels {
  github?: GitHubPort;
  /** Overwrites this step's job summary. */
  writeSummary?: (markdown: string) => Promise<void>;
  comment: boolean;
  /** Where the comment goes, which decides the permission a failure names; default the pull request. */
  commentOn?: CommentTarget;
  /** The deployment and the commit status. */
  deployment: boolean;
  summary: boolean;
  log: Log;
  now: () => number;
  /** The pause before a last try of a stale channel; real timers by default. */
  sleep?: (ms: number) => Promise<void>;
  /** The longest `flush` waits for a rate-limited channel; beyond it the channel is left as it is. Default 30 s. */
  finalWaitMs?: number;
  /**
   * Keeps the report for the post step: called when the phase or the steps change, when the deployment is
   * created, and (`final: true`) once the final report is out, so post knows whether it must finish it.
   */
  persist?: (snapshot: ReportSnapshot) => void;
}

export type ChannelName =
  'PR comment' | 'commit comment' | 'deployment status' | 'commit status' | 'job summary';

/** What fixes a denied call of each channel: the permission that channel needs, and the input that turns it off. */
export const CHANNEL_FIX: Record<
  Exclude<ChannelName, 'job summary'>,
  { permission: string; input: string }
> = {
  'PR comment': { permission: 'pull-requests: write', input: 'comment_on_pr' },
  'commit comment': { permission: 'contents: write', input: 'comment_on_commit' },
  'deployment status': { permission: 'deployments: write', input: 'github_deployment' },
  'commit status': { permission: 'statuses: write', input: 'github_deployment' },
};

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

/** The pause before the last try of a channel that failed for another passing reason (a server error). */
const RETRY_PAUSE_MS = 1000;

/** One channel: what it shows (`key` changes when it must be sent again, `full` is everything it shows) and how to send it. */
interface Channel {
  name: ChannelName;
  key(r: ReleaseReport): string;
  full(r: ReleaseReport): string;
  send(r: ReleaseReport): Promise<unknown>;
  sent?: { key: string; full: string };
  broken: boolean;
  stale: boolean;
  /** Epoch ms before which GitHub asked not to be called again. */
  notBefore?: number;
  warned: boolean;
}

/** The report's owner: `update` merges a change and publishes it in the background on the channels it changes. */
export class Reporter {
  private report: ReleaseReport;
  private readonly channelList: Channel[];
  private phaseStartedAt: number;
  private dirty = false;
  private finalPending = false;
  private publishing: Promise<void> | undefined;

  private persistedDeployment: number | undefined;

  /** `phaseStartedAt`: when `base`'s phase began, for a report taken over from an earlier step. */
  constructor(
    base: ReleaseReport,
    private readonly channels: ReportChannels,
    phaseStartedAt?: number,
  ) {
    this.report = base;
    this.phaseStartedAt = phaseStartedAt ?? channels.now();
    this.channelList = buildChannels(channels);
    this.persistedDeployment = channels.github?.deploymentId?.();
  }

  /** The report as last published. */
  current(): ReleaseReport {
    return this.report;
  }

  /**
   * Merges a change and has it published without waiting for GitHub: the release does not slow down for
   * its report. Publishing runs one snapshot at a time; updates that arrive meanwhile are folded into the
   * next snapshot, and a channel is called only when what it shows changed. `flush` sends the final state.
   */
  async update(patch: Partial<ReleaseReport>): Promise<void> {
    const now = this.channels.now();
    const timings = [...this.report.timings];
    if (patch.phase && patch.phase !== this.report.phase) {
      timings.push({ phase: this.report.phase, ms: now - this.phaseStartedAt });
      this.phaseStartedAt = now;
    }
    const moved =
      (patch.phase !== undefined && patch.phase !== this.report.phase) || patch.steps !== undefined;
    this.report = { ...this.report, ...patch, timings, updatedAt: new Date(now).toISOString() };
    if (moved) this.persist(false);
    this.schedule(false);
  }

  /**
   * Sends the final state on every channel whose content changed since it was last sent, and resolves
   * once that is done (or given up). A channel whose last call failed for a passing reason gets one more
   * try after the pause GitHub asks for, when that pause is short enough (`finalWaitMs`).
   */
  async flush(): Promise<void> {
    await this.flushChannels();
    if (DEPLOYMENT_STATE[this.report.phase] !== 'in_progress') this.persist(true);
  }

  private async flushChannels(): Promise<void> {
    this.schedule(true);
    await this.settled();
    const stale = this.channelList.filter((c) => c.stale && !c.broken);
    if (stale.length === 0) return;
    const now = this.channels.now();
    const cap = this.channels.finalWaitMs ?? 30_000;
    const waitOf = (c: Channel) => Math.max(RETRY_PAUSE_MS, (c.notBefore ?? 0) - now);
    const worth = stale.filter((c) => waitOf(c) <= cap);
    for (const c of stale.filter((x) => waitOf(x) > cap)) {
      this.channels.log.warning(
        `The ${c.name} may not show the final state: GitHub asked to wait ${Math.ceil(waitOf(c) / 1000)} s before the next call, longer than this step waits for a report.`,
      );
    }
    if (worth.length === 0) return;
    await (this.channels.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms))))(
      Math.max(...worth.map(waitOf)),
    );
    // The wait GitHub asked for is over for these channels.
    for (const c of worth) c.notBefore = undefined;
    this.schedule(true);
    await this.settled();
  }

  private async settled(): Promise<void> {
    while (this.publishing) await this.publishing;
  }

  /** Marks the report changed and starts publishing unless a publish is already under way. */
  private schedule(final: boolean): void {
    this.dirty = true;
    if (final) this.finalPending = true;
    this.publishing ??= this.drain().finally(() => (this.publishing = undefined));
  }

  private async drain(): Promise<void> {
    while (this.dirty) {
      this.dirty = false;
      const final = this.finalPending;
      this.finalPending = false;
      await this.publish(this.report, final);
    }
  }

  private async publish(r: ReleaseReport, final: boolean): Promise<void> {
    for (const c of this.channelList) {
      if (c.broken) continue;
      const key = c.key(r);
      const due = c.sent === undefined || c.sent.key !== key || (final && c.sent.full !== c.full(r));
      if (!due) continue;
      // Rate-limited: not before the time GitHub named; the channel stays stale until then.
      if (c.notBefore !== undefined && this.channels.now() < c.notBefore) continue;
      await this.attempt(c, r, key);
    }
    // The deployment is created with its first status: keep its id for the post step.
    if (this.channels.github?.deploymentId?.() !== this.persistedDeployment) this.persist(false);
  }

  // Hands the report to `persist`; keeping it is never worth failing the release for.
  private persist(final: boolean): void {
    if (!this.channels.persist) return;
    const deploymentId = this.channels.github?.deploymentId?.();
    this.persistedDeployment = deploymentId;
    try {
      this.channels.persist({
        report: this.report,
        ...(deploymentId !== undefined && { deploymentId }),
        phaseStartedAt: this.phaseStartedAt,
        final,
      });
    } catch (err) {
      this.channels.log.debug(`Could not keep the report for the post step: ${(err as Error).message}`);
    }
  }

  // Runs one channel's call. A permission failure warns with the permission that channel needs and turns
  // it off; a rate limit or a server error warns once and leaves it on, so a later update or the flush
  // brings it up to date, a rate-limited one not before GitHub's wait is over.
  private async attempt(c: Channel, r: ReleaseReport, key: string): Promise<void> {
    try {
      await c.send(r);
      c.sent = { key, full: c.full(r) };
      c.stale = false;
      c.notBefore = undefined;
    } catch (err) {
      const failure = classifyFailure(err, this.channels.now());
      if (failure.kind === 'denied') c.broken = true;
      else c.stale = true;
      if (failure.kind === 'rate-limited') c.notBefore = failure.retryAt;
      if (c.warned) return;
      c.warned = true;
      this.channels.log.warning(
        `Could not update the ${c.name}: ${(err as Error).message}.${adviceFor(c.name, failure, this.channels.now())} The release goes on.`,
      );
    }
  }
}

// The warning's advice: the one permission this channel needs, or how long GitHub asked to wait.
function adviceFor(name: ChannelName, failure: CallFailure, now: number): string {
  if (failure.kind === 'denied' && name !== 'job summary') {
    const fix = CHANNEL_FIX[name];
    return ` Give the job \`permissions: ${fix.permission}\` (or turn this off with \`${fix.input}: false\`).`;
  }
  if (failure.kind === 'rate-limited') {
    const seconds = Math.max(1, Math.ceil((failure.retryAt - now) / 1000));
    return ` GitHub is rate-limiting this token${failure.secondary ? ' (secondary rate limit)' : ''}; the ${name} is sent again after ${seconds} s, not before.`;
  }
  return ' The report is sent again with the next update.';
}

function buildChannels(o: ReportChannels): Channel[] {
  const list: Channel[] = [];
  const channel = (c: Pick<Channel, 'name' | 'key' | 'full' | 'send'>) =>
    list.push({ ...c, broken: false, stale: false, warned: false });
  const { github, writeSummary } = o;
  if (github && o.comment) {
    channel({
      name: o.commentOn === 'commit' ? 'commit comment' : 'PR comment',
      key: (r) => r.phase,
      full: renderComment,
      send: (r) => github.upsertComment(reportMarker(r.project, r.region, r.service), renderComment(r)),
    });
  }
  if (github && o.deployment) {
    const urlOf = (r: ReleaseReport) =>
      r.phase === 'promoted' || r.phase === 'canary' ? r.serviceUrl : r.tagUrl;
    // A deployment status per deployment state (in progress, then success or failure), not per phase.
    channel({
      name: 'deployment status',
      key: (r) => DEPLOYMENT_STATE[r.phase],
      full: (r) => DEPLOYMENT_STATE[r.phase],
      send: (r) => github.deploymentStatus(DEPLOYMENT_STATE[r.phase], renderStatusLine(r), urlOf(r)),
    });
    channel({
      name: 'commit status',
      key: (r) => COMMIT_STATE[DEPLOYMENT_STATE[r.phase]],
      full: (r) => COMMIT_STATE[DEPLOYMENT_STATE[r.phase]],
      send: (r) => github.commitStatus(COMMIT_STATE[DEPLOYMENT_STATE[r.phase]], renderStatusLine(r)),
    });
  }
  if (writeSummary && o.summary) {
    channel({
      name: 'job summary',
      key: (r) => r.phase,
      full: renderSummary,
      send: (r) => writeSummary(renderSummary(r)),
    });
  }
  return list;
}
