// The local Cloud Run: wires the control plane (Cloud Run Admin API v2), the auth fakes and the data
// plane into one HTTP server on 127.0.0.1, plus a small control API for faults and inspection.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { repoRoot } from './repo-root';
import { Faults, type FaultSettings } from './faults';
import type { InvokerCheck, ServiceUrls, TokenVerifier } from './model';
import { RunApi } from './api/run-api';
import { REGIONS } from './regions';
import { createControl } from './control';
import { SecretStore } from './api/secret-store';
import { sendJson } from './api/google-errors';
import { createAuthFakes, type GitHubRunnerIdentity, type WorkloadIdentityConfig } from './auth/auth-fakes';
import { createDataPlane, type RevisionProcesses } from './data-plane/data-plane';
import { imageDigest, loadImageCatalogue } from './data-plane/image-catalogue';
import { createTaskRunner } from './data-plane/job-tasks';
import { createGitHubFake, type GitHubFake } from './github/github-fake';
import { seedService, type SeededService, type SeedServiceOptions } from './seed';
import { RequestLog, recordInstanceEvent } from './observability/request-log';
import type { GateOptions, ObservabilityRole } from './observability/gate';
import { createMonitoringFake } from './observability/monitoring';
import { createLoggingFake } from './observability/logging';
import { ComputeApi, type ComputeRole } from './api/compute';
import { SchedulerApi, type SchedulerAttempt, type SchedulerRole } from './api/scheduler';
import { AccessTokenStore } from './auth/access-token-store';
import {
  createLoadBalancer,
  type SeededLoadBalancer,
  type SeedLoadBalancerOptions,
} from './api/compute-seed';
import { openFrontDoor, type FrontDoor } from './data-plane/front-door';

export interface EmulatorOptions {
  /** Port of the API server; 0 (default) for any free port. */
  port?: number;
  /** Image catalogue file; default emulator/images.json or $STREAM_DEPLOY_EMULATOR_IMAGES. */
  imagesPath?: string;
  /** Secret store file; default emulator/secrets.json. */
  secretsPath?: string;
  /** Startup deadline for new instances without a startup probe; Cloud Run's default TCP probe allows 240 s. */
  startupDeadlineMs?: number;
  project?: string;
  projectNumber?: string;
  wif?: Partial<WorkloadIdentityConfig>;
  runner?: Partial<GitHubRunnerIdentity>;
  /** Principals allowed on the Cloud Run API; default: any valid token. */
  apiPrincipals?: string[];
  /**
   * The Cloud Run role each principal holds, where it matters: `run.developer` can do everything the API
   * offers except set IAM policies, which includes turning the invoker IAM check off or on
   * (docs/platform.md "Public access and IAM"); `run.admin` can do all; `run.invoker` holds only
   * `run.jobs.run` and `run.routes.invoke` (it may run a job, not with overrides, and read nothing; see
   * emulator/README.md "Jobs"). A principal not listed keeps what
   * `apiPrincipals` gives it.
   */
  apiRoles?: Record<string, 'run.admin' | 'run.developer' | 'run.invoker'>;
  /**
   * Time between SIGTERM and SIGKILL when a job task passes its timeout or is cancelled. Default 10 s,
   * the grace the container runtime contract gives a stopped instance (cloud.google.com/run/docs/
   * container-contract).
   */
  jobKillGraceMs?: number;
  /** Principals with project-level run.invoker (e.g. the deployer); default: the configured service accounts. */
  projectInvokers?: string[];
  faults?: Partial<FaultSettings>;
  random?: () => number;
  /** The job's GITHUB_TOKEN the GitHub REST fake accepts; default a random one (in the endpoints). */
  githubToken?: string;
  /**
   * Roles on the Monitoring and Logging fakes per principal (service account email, or `principal://…`
   * for a direct-WIF token): `monitoring.viewer` grants monitoring.timeSeries.list, `logging.viewer`
   * logging.logEntries.list. Default: the configured service accounts hold both.
   */
  observabilityRoles?: Record<string, ObservabilityRole[]>;
  /**
   * Roles on the Compute Engine fake per principal: `compute.viewer` lists and gets the load-balancer
   * resources, `compute.loadBalancerAdmin` also writes them. Default: nobody (a deployer usually holds
   * neither); the emulator's own control principal, which seeds, holds every permission.
   */
  computeRoles?: Record<string, ComputeRole[]>;
  /**
   * Roles on the Cloud Scheduler fake per principal: `cloudscheduler.admin` grants every
   * cloudscheduler.jobs.* permission. Default: the configured service accounts (the deployer) hold it.
   */
  schedulerRoles?: Record<string, SchedulerRole[]>;
  /**
   * Service account email -> principals holding iam.serviceAccounts.actAs on it, which a scheduler job
   * naming that account in its oauthToken or oidcToken needs. Default: the configured service accounts may
   * act as any account.
   */
  serviceAccountUsers?: Record<string, string[]>;
}

/** Everything a client needs to reach the emulator; printed as one JSON line by `npm run emulator`. */
export interface EmulatorEndpoints {
  runApi: { url: string; apiEndpoint: string; port: number; protocol: 'http' };
  project: string;
  projectNumber: string;
  regions: string[];
  githubOidc: { requestUrl: string; requestToken: string };
  sts: string;
  iamCredentials: string;
  workloadIdentityProvider: string;
  providerAudience: string;
  serviceAccount: string;
  control: string;
  /** GITHUB_API_URL for the GitHub REST fake (issue comments, deployments, statuses). */
  githubApi: string;
  /** The GITHUB_TOKEN that fake accepts. */
  githubToken: string;
  /** Base URL of the Cloud Monitoring fake: `${monitoringApi}/v3/projects/P/timeSeries`. */
  monitoringApi: string;
  /** Base URL of the Cloud Logging fake: `${loggingApi}/v2/entries:list`. */
  loggingApi: string;
  /** Base URL of the Compute Engine fake: `${computeApi}/compute/v1/projects/P/global/backendServices`. */
  computeApi: string;
  /** Base URL of the Cloud Scheduler fake: `${schedulerApi}/v1/projects/P/locations/L/jobs`. */
  schedulerApi: string;
}

export interface Emulator {
  endpoints: EmulatorEndpoints;
  faults: Faults;
  api: RunApi;
  /** The GitHub REST fake: its state, permissions and injected failures. */
  github: GitHubFake;
  /** What the router and the instances recorded: the data behind the Monitoring and Logging fakes. */
  requestLog: RequestLog;
  /**
   * A service with one ready revision (image, env, tags, public or not) made in one step, through the
   * emulator's own Cloud Run API, for tests that only need a baseline to exist (see seed.ts). Seed before
   * switching faults on: the create passes the API's gate like any call. Also `POST /emulator/services`.
   */
  seedService(options: SeedServiceOptions): Promise<SeededService>;
  /** Last output lines of a revision's instances. */
  logs(service: string, revision: string): string[];
  /**
   * Every started revision: instances running, how many of them are its warm floor (min instances) and
   * why (docs/platform.md "Min instances and tags"). Also `GET /emulator/processes` (`{ pids, revisions }`).
   */
  processes(): RevisionProcesses[];
  /** The Compute Engine fake: load-balancer resources and the calls it counted. */
  compute: ComputeApi;
  /**
   * A load balancer in front of a service (serverless NEG, backend service, URL map, target HTTPS proxy,
   * global forwarding rule) made through the Compute fake's own inserts, and its front door opened (see
   * api/compute-seed.ts). Rejects with the API's refusal. Also `POST /emulator/load-balancers`.
   */
  seedLoadBalancer(options: SeedLoadBalancerOptions): Promise<SeededLoadBalancer>;
  /** The Cloud Scheduler fake: its jobs' dispatches (`attempts`) and `settle()` for runs in flight. */
  scheduler: SchedulerApi;
  /**
   * Dispatches a scheduler job now (`projects/P/locations/L/jobs/ID`) and resolves with the attempt; rejects
   * with NOT_FOUND for an unknown job. Also `POST /emulator/scheduler/{project}/{location}/{id}:fire`.
   */
  fireSchedulerJob(name: string): Promise<SchedulerAttempt>;
  stop(): Promise<void>;
}

/** What roles/run.invoker grants on the Admin API (emulator/README.md "Jobs"). */
const JOB_INVOKER_PERMISSIONS = ['run.jobs.run', 'run.routes.invoke'];

/** Starts the emulator on 127.0.0.1 and resolves once it listens. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const REPO_ROOT = repoRoot();
  const project = options.project ?? 'demo-project';
  const projectNumber = options.projectNumber ?? '123456789012';
  const runner: GitHubRunnerIdentity = {
    repository: 'acme/streams',
    ref: 'refs/pull/12/merge',
    sha: '0123456789abcdef0123456789abcdef01234567',
    workflow: 'deploy',
    actor: 'octocat',
    eventName: 'pull_request',
    runId: '1001',
    ...options.runner,
  };
  const poolId = options.wif?.poolId ?? 'github';
  const serviceAccount = `deployer@${project}.iam.gserviceaccount.com`;
  const wif: WorkloadIdentityConfig = {
    projectNumber,
    poolId,
    providerId: 'stream-deploy',
    allowedRepositories: [runner.repository],
    serviceAccounts: {
      [serviceAccount]: {
        workloadIdentityUsers: [
          `principalSet://iam.googleapis.com/projects/${projectNumber}/locations/global/workloadIdentityPools/${poolId}/attribute.repository/${runner.repository}`,
        ],
      },
    },
    ...options.wif,
  };
  const faults = new Faults();
  faults.update(options.faults ?? {});
  const requestToken = randomBytes(24).toString('base64url');
  const auth = createAuthFakes({ faults, wif, runner, requestToken });
  const githubToken = options.githubToken ?? `ghs_${randomBytes(18).toString('base64url')}`;
  const github = createGitHubFake({ faults, token: githubToken, repository: runner.repository });
  const projectInvokers = new Set(options.projectInvokers ?? Object.keys(wif.serviceAccounts));
  // The control API's own principal on the Cloud Run API (it seeds services): a bearer only this process
  // knows, allowed everything, never one of the principals a test configures or a token the fakes mint.
  const controlPrincipal = `emulator-control@${project}.iam.gserviceaccount.com`;
  const controlToken = `emulator-control.${randomBytes(24).toString('base64url')}`;
  // Access tokens the Cloud Scheduler service agent mints for a job's oauthToken service account.
  const serviceAgentTokens = new AccessTokenStore(Date.now);
  const verifier: TokenVerifier = {
    verifyAccessToken: (token) => {
      if (token === controlToken)
        return { principal: controlPrincipal, kind: 'service-account', expiresAt: Number.MAX_SAFE_INTEGER };
      const scheduled = serviceAgentTokens.lookup(token);
      if (scheduled)
        return { principal: scheduled.principal, kind: scheduled.kind, expiresAt: scheduled.expiresAt };
      return auth.verifier.verifyAccessToken(token);
    },
    verifyIdToken: (token) => auth.verifier.verifyIdToken(token),
  };

  // Invoker IAM on service URLs (docs/platform.md "Private smoke requests"): allUsers or invokerIamDisabled open the
  // service; otherwise an ID token whose audience is the service URL, from a principal with run.invoker.
  const invokerCheck: InvokerCheck = (service, authorization) => {
    const view = api.invokerView(service);
    if (!view) return { allow: false, status: 403, message: 'Forbidden: unknown service.' };
    const invokers = view.bindings
      .filter((b) => b.role === 'roles/run.invoker')
      .flatMap((b) => b.members as string[]);
    if (view.invokerIamDisabled || invokers.includes('allUsers')) return { allow: true };
    if (!authorization || !/^Bearer\s+\S+/i.test(authorization)) {
      return {
        allow: false,
        status: 403,
        message: 'Forbidden: Your client does not have permission to get this URL (no identity token).',
      };
    }
    const claims = auth.verifier.verifyIdToken(authorization.replace(/^Bearer\s+/i, ''));
    if (!claims)
      return {
        allow: false,
        status: 401,
        message: 'Unauthorized: the identity token is invalid or expired.',
      };
    // docs/platform.md "Service URLs", "Private smoke requests": either service URL, or a custom audience.
    const audiences = [view.uri, ...view.urls, ...view.customAudiences].filter(Boolean);
    if (!audiences.includes(claims.aud)) {
      return {
        allow: false,
        status: 401,
        message: `Unauthorized: the identity token's audience '${claims.aud}' is not this service's URL.`,
      };
    }
    const who = claims.email ?? claims.sub;
    if (
      !invokers.includes(`serviceAccount:${who}`) &&
      !invokers.includes(`user:${who}`) &&
      !projectInvokers.has(who)
    ) {
      return {
        allow: false,
        status: 403,
        message: `Forbidden: ${who} lacks roles/run.invoker on this service.`,
      };
    }
    return { allow: true };
  };

  const catalogue = loadImageCatalogue(
    options.imagesPath ??
      process.env.STREAM_DEPLOY_EMULATOR_IMAGES ??
      join(REPO_ROOT, 'emulator', 'images.json'),
  );
  const requestLog = new RequestLog();
  const dataPlane = createDataPlane({
    faults,
    catalogue,
    invokerCheck,
    random: options.random,
    requests: requestLog,
    observe: (event) => recordInstanceEvent(requestLog, event),
  });
  // The URLs the router serves for each service, as the Run API last routed it: the front doors' targets.
  const serviceUrls = new Map<string, ServiceUrls>();
  const routedDataPlane: typeof dataPlane = {
    ...dataPlane,
    route: async (routing) => {
      const urls = await dataPlane.route(routing);
      serviceUrls.set(routing.service, urls);
      return urls;
    },
    removeService: async (service) => {
      serviceUrls.delete(service);
      await dataPlane.removeService(service);
    },
  };
  const observability: GateOptions & { project: string } = {
    verifier,
    faults,
    projectNumber,
    projects: [project, projectNumber],
    project,
    roles:
      options.observabilityRoles ??
      Object.fromEntries(
        Object.keys(wif.serviceAccounts).map((sa) => [sa, ['monitoring.viewer', 'logging.viewer']]),
      ),
  };
  const monitoring = createMonitoringFake(requestLog, observability);
  const logging = createLoggingFake(requestLog, observability);
  const roles = options.apiRoles ?? {};
  const permits =
    options.apiPrincipals || options.apiRoles
      ? (principal: string, permission: string) => {
          if (principal === controlPrincipal) return true;
          if (options.apiPrincipals && !options.apiPrincipals.includes(principal) && !roles[principal])
            return false;
          if (roles[principal] === 'run.invoker') return JOB_INVOKER_PERMISSIONS.includes(permission);
          return !(roles[principal] === 'run.developer' && permission === 'run.services.setIamPolicy');
        }
      : undefined;
  const tasks = createTaskRunner({
    catalogue,
    killGraceMs: options.jobKillGraceMs ?? 10_000,
    observe: (event) => requestLog.taskLine(event),
  });
  const api = new RunApi({
    digestOf: (image) => imageDigest(catalogue, image),
    dataPlane: routedDataPlane,
    tasks,
    verifier,
    faults,
    secrets: SecretStore.load(options.secretsPath ?? join(REPO_ROOT, 'emulator', 'secrets.json')),
    startupDeadlineMs: options.startupDeadlineMs ?? 240_000,
    permits,
    projectNumber,
    projects: [project, projectNumber],
  });
  const compute = new ComputeApi({
    verifier,
    faults,
    project,
    projectNumber,
    roles: options.computeRoles ?? {},
    controlPrincipal,
  });
  const frontDoors = new Map<string, FrontDoor>();
  let selfUrl = '';
  const scheduler = new SchedulerApi({
    verifier,
    faults,
    projectNumber,
    projects: [project, projectNumber],
    locations: REGIONS,
    roles:
      options.schedulerRoles ??
      Object.fromEntries(Object.keys(wif.serviceAccounts).map((sa) => [sa, ['cloudscheduler.admin']])),
    serviceAccountUsers: options.serviceAccountUsers,
    actAsAnyone: Object.keys(wif.serviceAccounts),
    controlPrincipal,
    mintAccessToken: (account) =>
      serviceAgentTokens.issue({
        principal: account,
        kind: 'service-account',
        expiresAt: Date.now() + faults.settings.tokenLifetimeSeconds * 1000,
      }),
    selfUrl: () => selfUrl,
  });

  const server = http.createServer((req, res) => {
    void (async () => {
      try {
        if (await auth.handle(req, res)) return;
        // Before the Run API, which answers every other /v2/ path.
        if (await logging(req, res)) return;
        if (monitoring(req, res)) return;
        if (await compute.handle(req, res)) return;
        if (await scheduler.handle(req, res)) return;
        if (await api.handle(req, res)) return;
        if (await handleControl(req, res)) return;
        if (await github.handle(req, res)) return;
        sendJson(res, 404, {
          error: { code: 404, message: `No route for ${req.method} ${req.url}`, status: 'NOT_FOUND' },
        });
      } catch (err) {
        if (!res.headersSent)
          sendJson(res, 500, { error: { code: 500, message: (err as Error).message, status: 'INTERNAL' } });
        else res.destroy();
      }
    })();
  });

  // The control API: faults on demand, seeding, and what the emulator observed (control.ts).
  const handleControl = createControl({
    api,
    dataPlane,
    faults,
    seed: (o) => seed(o),
    seedLoadBalancer: (o) => seedLoadBalancer(o),
    frontDoors: () => [...frontDoors.values()].map((d) => ({ forwardingRule: d.forwardingRule, url: d.url })),
    fire: (name) => scheduler.fire(name),
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const base = `http://127.0.0.1:${port}`;
  selfUrl = base;
  const endpoints: EmulatorEndpoints = {
    runApi: { url: base, apiEndpoint: '127.0.0.1', port, protocol: 'http' },
    project,
    projectNumber,
    regions: REGIONS,
    githubOidc: { requestUrl: base + auth.paths.oidcRequestPath, requestToken },
    sts: base + auth.paths.stsTokenPath,
    iamCredentials: base + auth.paths.iamCredentialsBasePath,
    workloadIdentityProvider: `projects/${projectNumber}/locations/global/workloadIdentityPools/${wif.poolId}/providers/${wif.providerId}`,
    providerAudience: auth.providerAudience,
    serviceAccount,
    control: `${base}/emulator`,
    githubApi: `${base}/github-api`,
    githubToken,
    monitoringApi: base,
    loggingApi: base,
    computeApi: base,
    schedulerApi: base,
  };

  const seed = (seedOptions: SeedServiceOptions): Promise<SeededService> =>
    seedService(
      { baseUrl: base, project, token: controlToken, operations: api.wire.operations },
      seedOptions,
    );

  const seedLoadBalancer = async (lb: SeedLoadBalancerOptions): Promise<SeededLoadBalancer> => {
    const created = await createLoadBalancer(
      { baseUrl: base, project, projectNumber, token: controlToken },
      lb,
    );
    const rule = created.selfLinks.forwardingRule;
    let door = frontDoors.get(rule);
    if (!door) {
      door = await openFrontDoor(
        {
          host: '127.0.0.1',
          project,
          lookup: (link) => compute.lookup(link),
          serviceUrls: (service) => serviceUrls.get(service),
          verifyIdToken: (token) => auth.verifier.verifyIdToken(token),
        },
        rule,
      );
      frontDoors.set(rule, door);
    }
    return { frontDoorUrl: door.url, ...created };
  };

  const fireSchedulerJob = (name: string): Promise<SchedulerAttempt> => scheduler.fire(name);

  let stopped: Promise<void> | undefined;
  return {
    endpoints,
    faults,
    api,
    github,
    requestLog,
    seedService: seed,
    logs: (service, revision) => dataPlane.logs(service, revision),
    processes: () => dataPlane.processes(),
    compute,
    seedLoadBalancer,
    scheduler,
    fireSchedulerJob,
    stop() {
      stopped ??= (async () => {
        await scheduler.settle();
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await Promise.all([...frontDoors.values()].map((door) => door.close()));
        frontDoors.clear();
        await api.cancelExecutions();
        await dataPlane.close();
      })();
      return stopped;
    },
  };
}
