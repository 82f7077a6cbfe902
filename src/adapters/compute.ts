// The Compute Engine API's load-balancer resources, read as REST JSON through the signed-in auth client (no
// new package): the region's serverless NEGs, then the global backend services, URL maps, target proxies
// and forwarding rules (docs/platform.md "Load balancer in front"). Needs roles/compute.viewer, which is
// optional: without it the answer is `denied` and the check says it was skipped.
import type { ComputeLists } from '../core/load-balancer';
import type { Observed } from '../core/metric-gate';
import type { LoadBalancerPort } from '../ports';
import { callGoogleApi, type ObservabilityClientOptions } from './monitoring';

type Json = Record<string, unknown>;

/** Pages read at most per list: a project's load balancers fit in a few. */
const MAX_PAGES = 10;

const DENIED =
  'grant roles/compute.viewer on the project to check the load balancer in front of the service (optional: the check is skipped without it)';

export function createCompute(options: ObservabilityClientOptions): LoadBalancerPort {
  const base = `${options.baseUrl.replace(/\/+$/, '')}/compute/v1`;

  /** Every item of one list, every page; or why not. */
  const list = async (path: string): Promise<{ items: Json[] } | { failed: Observed<never> }> => {
    const items: Json[] = [];
    let pageToken: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const url = `${base}/${path}${pageToken ? `?pageToken=${encodeURIComponent(pageToken)}` : ''}`;
      const got = await callGoogleApi(options, { url, method: 'GET' }, DENIED);
      if (!got.ok) return { failed: { kind: got.kind, message: got.message, query: `GET ${path}` } };
      items.push(...((got.body.items as Json[] | undefined) ?? []));
      pageToken = typeof got.body.nextPageToken === 'string' ? got.body.nextPageToken : undefined;
      if (!pageToken) break;
    }
    return { items };
  };

  return {
    async read(project, region) {
      const query = `Compute Engine lists in projects/${project} (serverless NEGs in ${region}, global backend services, URL maps, target proxies, forwarding rules)`;
      const p = `projects/${encodeURIComponent(project)}`;
      // The NEGs first: a denied or empty answer ends the check without the other reads.
      const negs = await list(`${p}/regions/${encodeURIComponent(region)}/networkEndpointGroups`);
      if ('failed' in negs) return negs.failed;
      const serverless = negs.items.filter((n) => n.networkEndpointType === 'SERVERLESS');
      if (serverless.length === 0) return { kind: 'no-data', query };
      const [backendServices, urlMaps, https, http, rules] = await Promise.all([
        list(`${p}/global/backendServices`),
        list(`${p}/global/urlMaps`),
        list(`${p}/global/targetHttpsProxies`),
        list(`${p}/global/targetHttpProxies`),
        list(`${p}/global/forwardingRules`),
      ]);
      for (const got of [backendServices, urlMaps, https, http, rules])
        if ('failed' in got) return got.failed;
      const items = (got: { items: Json[] } | { failed: Observed<never> }) =>
        'items' in got ? got.items : [];
      const value: ComputeLists = {
        negs: serverless as unknown as ComputeLists['negs'],
        backendServices: items(backendServices) as unknown as ComputeLists['backendServices'],
        urlMaps: items(urlMaps) as unknown as ComputeLists['urlMaps'],
        proxies: [
          ...items(https).map((x) => ({ ...(x as object), https: true })),
          ...items(http).map((x) => ({ ...(x as object), https: false })),
        ] as unknown as ComputeLists['proxies'],
        forwardingRules: items(rules) as unknown as ComputeLists['forwardingRules'],
      };
      return { kind: 'data', value, query };
    },
  };
}
