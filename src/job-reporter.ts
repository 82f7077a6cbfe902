// Keeps the report of a `mode: job` run and sends it where people look on GitHub: the one sticky comment
// and the deployment's statuses (the job summary is written once, at the end, by the job step). A channel
// is called only when what it shows changes (running, then the verdict), so a run costs a handful of
// GitHub calls (docs/platform.md "Secondary rate limits"). A channel that fails warns once: a refusal
// names the permission and turns the channel off, a passing failure is tried again with the next update or
// once at the end. Reporting never fails the job step.
import type { DeploymentState, GitHubPort } from './adapters/github';
import { classifyFailure } from './core/github-failures';
import {
  jobReportMarker,
  renderJobComment,
  renderJobStatusLine,
  type JobPhase,
  type JobReport,
} from './core/job-report';
import type { Log } from './ports';
import { CHANNEL_FIX, type CommentTarget } from './reporter';

/**
 * The deployment state of each phase (docs/platform.md "Deployment statuses and environments"). A
 * cancelled execution did not run to its end: `error`, where `failure` says it ran and failed. A job that
 * was only written (`execute: never`) is a success once it is written.
 */
export const JOB_DEPLOYMENT_STATE: Readonly<Record<JobPhase, DeploymentState | undefined>> = {
  writing: undefined,
  running: 'in_progress',
  succeeded: 'success',
  deployed: 'success',
  failed: 'failure',
  cancelled: 'error',
};

/** What the post step needs to finish the report of a run the workflow cancelled. */
export interface JobReportSnapshot {
  report: JobReport;
  /** The deployment the statuses went to, so post adds its status to it rather than a new one. */
  deploymentId?: number;
}

export interface JobReportChannels {
  github?: GitHubPort;
  comment: boolean;
  /** Where the comment goes, which decides the permission a refusal names. */
  commentOn: CommentTarget;
  deployment: boolean;
  log: Log;
  now: () => number;
  /** The pause before the last try of a channel; real timers by default. */
  sleep?: (ms: number) => Promise<void>;
  /** Keeps the report and the deployment id for the post step while the execution runs. */
  persist?: (snapshot: JobReportSnapshot) => void;
}

/** The longest the final flush waits before a last try of a channel (a rate limit asking longer is not waited for). */
const FINAL_WAIT_MS = 15_000;
const RETRY_PAUSE_MS = 1000;

interface Channel {
  name: 'PR comment' | 'commit comment' | 'deployment status';
  /** Changes when the channel must be sent again; undefined: nothing to send yet. */
  key(r: JobReport): string | undefined;
  send(r: JobReport): Promise<unknown>;
  sentKey?: string;
  broken: boolean;
  stale: boolean;
  notBefore?: number;
  warned: boolean;
}

/** The report's owner: `update` merges a change and publishes it in the background; `flush` sends the last state. */
export class JobReporter {
  private report: JobReport;
  private readonly list: Channel[];
  private dirty = false;
  private publishing: Promise<void> | undefined;
  private persistedDeployment: number | undefined;

  constructor(
    base: JobReport,
    private readonly channels: JobReportChannels,
  ) {
    this.report = base;
    this.list = buildChannels(channels);
    this.persistedDeployment = channels.github?.deploymentId?.();
  }

  current(): JobReport {
    return this.report;
  }

  /** Merges a change; the channels it changes are sent without the job waiting for GitHub. */
  update(patch: Partial<JobReport>): void {
    this.report = { ...this.report, ...patch, updatedAt: new Date(this.channels.now()).toISOString() };
    if (patch.phase !== undefined) this.persist();
    this.schedule();
  }

  /** Sends the last state and resolves once it is out, or given up after one more try. */
  async flush(): Promise<void> {
    this.schedule();
    await this.settled();
    const now = this.channels.now();
    const waitOf = (c: Channel) => Math.max(RETRY_PAUSE_MS, (c.notBefore ?? 0) - now);
    const stale = this.list.filter((c) => c.stale && !c.broken);
    const worth = stale.filter((c) => waitOf(c) <= FINAL_WAIT_MS);
    for (const c of stale.filter((x) => !worth.includes(x)))
      this.channels.log.warning(
        `The ${c.name} may not show how the job ended: GitHub asked to wait ${Math.ceil(waitOf(c) / 1000)} s, longer than this step waits for a report.`,
      );
    if (worth.length === 0) return;
    await (this.channels.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms))))(
      Math.max(...worth.map(waitOf)),
    );
    for (const c of worth) c.notBefore = undefined;
    this.schedule();
    await this.settled();
  }

  private async settled(): Promise<void> {
    while (this.publishing) await this.publishing;
  }

  private schedule(): void {
    this.dirty = true;
    this.publishing ??= this.drain().finally(() => (this.publishing = undefined));
  }

  private async drain(): Promise<void> {
    while (this.dirty) {
      this.dirty = false;
      const r = this.report;
      for (const c of this.list) {
        const key = c.key(r);
        if (c.broken || key === undefined || key === c.sentKey) continue;
        if (c.notBefore !== undefined && this.channels.now() < c.notBefore) continue;
        await this.attempt(c, r, key);
      }
      // The deployment is created with its first status: keep its id for the post step.
      if (this.channels.github?.deploymentId?.() !== this.persistedDeployment) this.persist();
    }
  }

  // Only a running execution is the post step's to finish; its snapshot is small (no outcome yet).
  private persist(): void {
    const deploymentId = this.channels.github?.deploymentId?.();
    this.persistedDeployment = deploymentId;
    if (!this.channels.persist || this.report.phase !== 'running') return;
    try {
      this.channels.persist({ report: this.report, ...(deploymentId !== undefined && { deploymentId }) });
    } catch (err) {
      this.channels.log.debug(`Could not keep the job report for the post step: ${(err as Error).message}`);
    }
  }

  private async attempt(c: Channel, r: JobReport, key: string): Promise<void> {
    try {
      await c.send(r);
      c.sentKey = key;
      c.stale = false;
      c.notBefore = undefined;
    } catch (err) {
      const now = this.channels.now();
      const failure = classifyFailure(err, now);
      if (failure.kind === 'denied') c.broken = true;
      else c.stale = true;
      if (failure.kind === 'rate-limited') c.notBefore = failure.retryAt;
      if (c.warned) return;
      c.warned = true;
      const fix = CHANNEL_FIX[c.name];
      const advice =
        failure.kind === 'denied'
          ? ` Give the job \`permissions: ${fix.permission}\` (or turn this off with \`${fix.input}: false\`).`
          : failure.kind === 'rate-limited'
            ? ` GitHub is rate-limiting this token; the ${c.name} is sent again after ${Math.max(1, Math.ceil((failure.retryAt - now) / 1000))} s, not before.`
            : ' It is sent again with the next update.';
      this.channels.log.warning(
        `Could not update the ${c.name}: ${(err as Error).message}.${advice} The job goes on.`,
      );
    }
  }
}

function buildChannels(o: JobReportChannels): Channel[] {
  const list: Channel[] = [];
  const add = (c: Pick<Channel, 'name' | 'key' | 'send'>) =>
    list.push({ ...c, broken: false, stale: false, warned: false });
  const { github } = o;
  // Nothing is shown before the execution starts (or, for `execute: never`, before the job is written).
  const shown = (r: JobReport) => (r.phase === 'writing' ? undefined : r.phase);
  if (github && o.comment)
    add({
      name: o.commentOn === 'commit' ? 'commit comment' : 'PR comment',
      key: shown,
      send: (r) => github.upsertComment(jobReportMarker(r.project, r.region, r.job), renderJobComment(r)),
    });
  if (github && o.deployment)
    add({
      name: 'deployment status',
      key: (r) => JOB_DEPLOYMENT_STATE[r.phase],
      send: (r) =>
        github.deploymentStatus(JOB_DEPLOYMENT_STATE[r.phase]!, renderJobStatusLine(r), consoleUrl(r)),
    });
  return list;
}

/** The execution's console link as the deployment's environment URL, when it is a plain https URL. */
function consoleUrl(r: JobReport): string | undefined {
  return r.logUri && /^https:\/\/[^\s]+$/.test(r.logUri) ? r.logUri : undefined;
}

/** The runner-state key of the job report snapshot (`STATE_job_report` in the post step). */
export const JOB_REPORT_STATE = 'job_report';

/** The snapshot as saved; undefined when the text is not one (absent or corrupt). */
export function decodeJobReportSnapshot(text: string | undefined): JobReportSnapshot | undefined {
  if (!text) return undefined;
  try {
    const s = JSON.parse(text) as Partial<JobReportSnapshot>;
    const r = s.report;
    if (
      !r ||
      typeof r.project !== 'string' ||
      typeof r.region !== 'string' ||
      typeof r.job !== 'string' ||
      typeof r.image !== 'string' ||
      typeof r.phase !== 'string' ||
      !Object.hasOwn(JOB_DEPLOYMENT_STATE, r.phase)
    )
      return undefined;
    if (s.deploymentId !== undefined && typeof s.deploymentId !== 'number') return undefined;
    return s as JobReportSnapshot;
  } catch {
    return undefined;
  }
}
