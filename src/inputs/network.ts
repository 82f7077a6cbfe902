// The VPC section: how the service's instances or the job's tasks reach a VPC network, through a Serverless
// VPC Access connector (`vpc_connector`) or Direct VPC egress (`vpc_network`, `vpc_subnet`), and which
// traffic goes there (`vpc_egress`) (docs/platform.md "VPC egress"). Every input checked, every problem added.
import type { VpcSettings } from '../core/config';
import { type InputName, type Problems, show } from './shared';

/** The VPC inputs, in action.yml order. */
export const VPC_INPUTS: readonly InputName[] = [
  'vpc_connector',
  'vpc_network',
  'vpc_subnet',
  'vpc_network_tags',
  'vpc_egress',
];

const EGRESS = { 'all-traffic': 'ALL_TRAFFIC', 'private-ranges-only': 'PRIVATE_RANGES_ONLY' } as const;

/** A Compute Engine resource id (RFC 1035 label). */
const LABEL = '[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?';
const PROJECT = '(?:[a-z][-a-z0-9]{4,28}[a-z0-9]|[0-9]{6,20})';
const CONNECTOR = new RegExp(`^(?:projects/${PROJECT}/locations/[a-z]+-[a-z]+[0-9]+/connectors/)?${LABEL}$`);
const NETWORK = new RegExp(`^(?:projects/${PROJECT}/global/networks/)?${LABEL}$`);
const SUBNET = new RegExp(`^(?:projects/${PROJECT}/regions/[a-z]+-[a-z]+[0-9]+/subnetworks/)?${LABEL}$`);

/**
 * The VPC settings, undefined when none is given or any is bad (each problem added). A short connector name
 * becomes the full name in the release's project and region, as gcloud's `--vpc-connector` does.
 */
export function parseVpc(
  text: (name: InputName) => string,
  where: { project?: string; region?: string },
  problems: Problems,
): VpcSettings | undefined {
  const [connector, network, subnet, tagsText, egressText] = VPC_INPUTS.map(text);
  if (!connector && !network && !subnet && !tagsText && !egressText) return undefined;
  let ok = true;
  const bad = (input: InputName, value: string, expected: string) => {
    problems.add(input, `${show(value)} is not a ${expected.split(':')[0]}`, expected);
    ok = false;
  };
  if (connector && !CONNECTOR.test(connector))
    bad(
      'vpc_connector',
      connector,
      'connector name: `my-connector`, or `projects/PROJECT/locations/REGION/connectors/NAME` (in the same region)',
    );
  if (network && !NETWORK.test(network))
    bad(
      'vpc_network',
      network,
      'network name: `default`, or `projects/HOST_PROJECT/global/networks/NAME` for a Shared VPC',
    );
  if (subnet && !SUBNET.test(subnet))
    bad(
      'vpc_subnet',
      subnet,
      'subnet name: `default`, or `projects/HOST_PROJECT/regions/REGION/subnetworks/NAME` for a Shared VPC',
    );
  if (connector && (network || subnet)) {
    problems.add(
      'vpc_connector',
      `is given with \`${network ? 'vpc_network' : 'vpc_subnet'}\`: a service or job uses a connector or Direct VPC egress, not both`,
      'either `vpc_connector`, or `vpc_network`/`vpc_subnet` (Direct VPC egress, which needs no connector)',
    );
    ok = false;
  }
  const connectorRegion = /\/locations\/([^/]+)\//.exec(connector)?.[1];
  if (connectorRegion && where.region && connectorRegion !== where.region) {
    problems.add(
      'vpc_connector',
      `is in ${connectorRegion}, not in \`region\` ${where.region}`,
      'a connector in the same region as the service or job',
    );
    ok = false;
  }
  const tags = tagsText
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t !== '');
  const badTags = tags.filter((t) => !new RegExp(`^${LABEL}$`).test(t));
  if (badTags.length > 0) {
    problems.add(
      'vpc_network_tags',
      `${badTags.map(show).join(', ')} ${badTags.length === 1 ? 'is not a network tag' : 'are not network tags'}`,
      'comma-separated tags of lowercase letters, digits and hyphens, starting with a letter, at most 63 characters each',
    );
    ok = false;
  } else if (tags.length > 0 && !network && !subnet) {
    problems.add(
      'vpc_network_tags',
      'is given without `vpc_network` or `vpc_subnet`: network tags belong to Direct VPC egress',
      'give the network or subnet with them, or leave the tags out',
    );
    ok = false;
  }
  let egress: VpcSettings['egress'];
  if (egressText) {
    egress = EGRESS[egressText.toLowerCase() as keyof typeof EGRESS];
    if (!egress) {
      problems.add(
        'vpc_egress',
        `${show(egressText)} is not a known value`,
        '`all-traffic` or `private-ranges-only`',
      );
      ok = false;
    } else if (!connector && !network && !subnet) {
      problems.add(
        'vpc_egress',
        'is given without `vpc_connector`, `vpc_network` or `vpc_subnet`',
        'name the path the traffic takes with it: the connector, or the network and subnet',
      );
      ok = false;
    }
  }
  if (!ok) return undefined;
  const fullConnector =
    connector && !connector.includes('/') && where.project && where.region
      ? `projects/${where.project}/locations/${where.region}/connectors/${connector}`
      : connector;
  return {
    ...(fullConnector && { connector: fullConnector }),
    ...(network && { network }),
    ...(subnet && { subnet }),
    ...(tags.length > 0 && { tags }),
    ...(egress && { egress }),
  };
}
