// VPC access as data: the `vpc_*` inputs applied to a revision template's or a task template's
// `vpcAccess` as read (docs/platform.md "VPC egress"). Pure. The inputs name one path (a connector, or
// Direct VPC egress through one network interface); the other path is removed, since Cloud Run takes one.
import type { VpcSettings } from './config';

/** `vpcAccess` as the v2 API has it (RevisionTemplate and TaskTemplate alike). */
export interface VpcAccess {
  connector?: string;
  egress?: 'ALL_TRAFFIC' | 'PRIVATE_RANGES_ONLY' | string;
  networkInterfaces?: Array<{ network?: string; subnetwork?: string; tags?: string[] }>;
  [field: string]: unknown;
}

/**
 * The template's `vpcAccess` after the inputs: unchanged without them; else the path they name, with the
 * egress they give or, without one, the egress it had. Without `vpc_network_tags`, the tags stay when the
 * interface stays the same.
 */
export function planVpcAccess(
  current: VpcAccess | undefined,
  vpc: VpcSettings | undefined,
  notes: string[],
): VpcAccess | undefined {
  if (!vpc) return current && structuredClone(current);
  const egress = vpc.egress ?? current?.egress;
  if (vpc.connector) {
    if (current?.networkInterfaces?.length)
      notes.push(`Direct VPC egress is replaced by the connector ${vpc.connector}.`);
    return { connector: vpc.connector, ...(egress && { egress }) };
  }
  const before = current?.networkInterfaces?.[0];
  const same = before && before.network === vpc.network && before.subnetwork === vpc.subnet;
  const iface = {
    ...(vpc.network && { network: vpc.network }),
    ...(vpc.subnet && { subnetwork: vpc.subnet }),
    ...(vpc.tags ? { tags: [...vpc.tags] } : same && before.tags && { tags: [...before.tags] }),
  };
  if (current?.connector)
    notes.push(`The connector ${current.connector} is replaced by Direct VPC egress (${describe(iface)}).`);
  return { networkInterfaces: [iface], ...(egress && { egress }) };
}

function describe(iface: { network?: string; subnetwork?: string }): string {
  return [iface.network && `network ${iface.network}`, iface.subnetwork && `subnet ${iface.subnetwork}`]
    .filter(Boolean)
    .join(', ');
}
