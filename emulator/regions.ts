// The Cloud Run regions the emulator serves, and the location a resource name carries. Every regional
// resource name reads `projects/P/locations/L/…` (services, revisions, operations, jobs), so the API, the
// faults and the data plane all find a resource's region the same way.

/** Regions the emulator serves; others are NOT_FOUND like an unknown location. */
export const REGIONS = [
  'us-central1',
  'us-east1',
  'us-east4',
  'us-west1',
  'us-west2',
  'europe-west1',
  'europe-west2',
  'europe-west3',
  'europe-west4',
  'europe-north1',
  'asia-east1',
  'asia-northeast1',
  'asia-southeast1',
  'australia-southeast1',
  'southamerica-east1',
  'northamerica-northeast1',
];

/** The location of a regional resource name (`projects/P/locations/L/…`), or undefined for any other. */
export function locationOf(name: string): string | undefined {
  return /^projects\/[^/]+\/locations\/([^/]+)(\/|$)/.exec(name)?.[1];
}
