// Google credentials and the Cloud Run port for one run, built the same way by the main step, the post
// step and the CLI: endpoints from the environment (loopback overrides only), then auth, then Cloud Run.
import { createGoogleAuth, resolveEndpoints, type GoogleAuth } from './google-auth';
import { createCloudRun } from './cloud-run';
import type { CloudRunPort } from '../ports';

export interface GoogleCloudOptions {
  workloadIdentityProvider?: string;
  serviceAccount?: string;
  projectId: string;
  /** Total deadline for one Cloud Run operation (DeployConfig's name, so a config can be spread in). */
  deployTimeoutSeconds: number;
  env: NodeJS.ProcessEnv;
  /** Called with every token before anything can print it (core.setSecret in the action). */
  mask: (secret: string) => void;
  log: (line: string) => void;
}

/** Signs in (failing early with the auth adapter's explanation, before any Cloud Run call) and builds the port. */
/** Signed-in credentials and the Cloud Run port built on them. */
export interface GoogleCloud {
  auth: GoogleAuth;
  cloudRun: CloudRunPort;
  /** The Cloud Run Admin API endpoint when overridden (the emulator); production otherwise. */
  runApi?: { apiEndpoint: string; port: number; protocol: 'http' | 'https' };
  /** Base URLs of Cloud Monitoring, Cloud Logging and Compute Engine (production, or loopback fakes). */
  observability: { monitoring: string; logging: string; compute: string; scheduler: string };
}

export async function connectGoogleCloud(options: GoogleCloudOptions): Promise<GoogleCloud> {
  const endpoints = resolveEndpoints(options.env);
  const auth = createGoogleAuth({
    workloadIdentityProvider: options.workloadIdentityProvider,
    serviceAccount: options.serviceAccount,
    env: options.env,
    endpoints: endpoints.google,
    mask: options.mask,
  });
  options.log(`Authenticating with ${auth.describe()}.`);
  const signedIn = auth.client().getAccessToken();
  // The clients are built (protos parsed) while the token exchange waits on the network; no call yet.
  const cloudRun = createCloudRun({
    authClient: auth.client(),
    endpoint: endpoints.runApi,
    operationTimeoutSeconds: options.deployTimeoutSeconds,
    project: options.projectId,
    log: options.log,
  });
  try {
    await signedIn;
  } catch (err) {
    await cloudRun.close();
    throw err;
  }
  return {
    auth,
    cloudRun,
    ...(endpoints.runApi && { runApi: endpoints.runApi }),
    observability: endpoints.observability,
  };
}
