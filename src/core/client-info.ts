// What `client` and `clientVersion` say on services this action deployed, as gcloud writes its own name
// and version there (docs/platform.md "Updates and updateMask"). A test holds the version to package.json.

/** The tool's name in `Service.client`. */
export const CLIENT_NAME = 'stream-deploy';

/** The tool's version in `Service.clientVersion`; equal to package.json's (a test checks it). */
export const CLIENT_VERSION = '0.1.0';
