// The answer every Google API gives when it is not enabled in the consumer project, shared by the Cloud
// Run API and the auth fakes: faults.settings.disabledApis names the APIs to treat as disabled.

/** Human titles of the Google APIs the emulator serves, as SERVICE_DISABLED errors name them. */
const API_TITLES: Record<string, string> = {
  'run.googleapis.com': 'Cloud Run Admin API',
  'iamcredentials.googleapis.com': 'IAM Service Account Credentials API',
  'sts.googleapis.com': 'Security Token Service API',
  'monitoring.googleapis.com': 'Cloud Monitoring API',
  'logging.googleapis.com': 'Cloud Logging API',
};

/**
 * Google's 403 for a call to an API that is not enabled in the consumer project (docs/platform.md "Disabled
 * API"; google.rpc.ErrorInfo reason SERVICE_DISABLED with `service`, `consumer`, `activationUrl`).
 */
export function serviceDisabledError(
  service: string,
  projectNumber: string,
): {
  code: 403;
  message: string;
  status: 'PERMISSION_DENIED';
  details: Array<Record<string, unknown>>;
} {
  const title = API_TITLES[service] ?? service;
  const activationUrl = `https://console.developers.google.com/apis/api/${service}/overview?project=${projectNumber}`;
  return {
    code: 403,
    message:
      `${title} has not been used in project ${projectNumber} before or it is disabled. Enable it by visiting ` +
      `${activationUrl} then retry. If you enabled this API recently, wait a few minutes for the action to ` +
      `propagate to our systems and retry.`,
    status: 'PERMISSION_DENIED',
    details: [
      {
        '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
        reason: 'SERVICE_DISABLED',
        domain: 'googleapis.com',
        metadata: {
          service,
          consumer: `projects/${projectNumber}`,
          activationUrl,
          containerInfo: projectNumber,
          serviceTitle: title,
        },
      },
      {
        '@type': 'type.googleapis.com/google.rpc.LocalizedMessage',
        locale: 'en-US',
        message:
          `${title} has not been used in project ${projectNumber} before or it is disabled. Enable it by ` +
          `visiting ${activationUrl} then retry. If you enabled this API recently, wait a few minutes for the ` +
          `action to propagate to our systems and retry.`,
      },
      {
        '@type': 'type.googleapis.com/google.rpc.Help',
        links: [{ description: 'Google developers console API activation', url: activationUrl }],
      },
    ],
  };
}
