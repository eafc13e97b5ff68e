/**
 * Which addresses the backend may connect to. The backend connects wherever a site says,
 * so a site is a way to make it reach addresses: 0.0.0.0/8 and `::` (this machine) never;
 * link-local and cloud metadata addresses only when allowed; private and loopback ranges
 * by default (self-hosting), refusable for shared deployments. Judged on the address in
 * every spelling (ftp/address.ts), at save time on what the name resolves to, and again at
 * connect time on the address really reached (addressGuard), since DNS can change between.
 */
import dns from 'node:dns/promises';
import type { BlockList } from 'node:net';
import { blockList, classifyAddress, normalizeAddress } from '../ftp/address.js';
import { HostRefusedError } from '../ftp/errors.js';
import type { AddressGuard } from '../ftp/types.js';

export interface HostPolicy {
  allowLinkLocal: boolean;
  allowPrivate: boolean;
  /** Announced PASV addresses used even when their class differs from the control address's. */
  pasvAllow?: BlockList;
}

/** Why `address` is off limits under `policy`, or null. */
function refusalOf(address: string, policy: HostPolicy): string | null {
  switch (classifyAddress(address)) {
    case 'this-host':
      return `${address} reaches this machine (0.0.0.0/8, ::) and is never allowed`;
    case 'metadata':
    case 'link-local':
      return policy.allowLinkLocal ? null : `${address} is a link-local or cloud metadata address, which is not allowed`;
    case 'loopback':
    case 'private':
      return policy.allowPrivate ? null : `${address} is a ${classifyAddress(address)} address, which this server does not allow`;
    case 'public':
      return null;
    case null:
      return `${JSON.stringify(address)} is not an IP address`;
  }
}

/** Resolve the host and refuse it if it does not resolve or any address it names is off limits. */
export async function checkHost(host: string, policy: HostPolicy): Promise<void> {
  const bare = host.replace(/^\[(.*)\]$/, '$1');
  const addresses =
    normalizeAddress(bare) !== null
      ? [bare]
      : await dns.lookup(bare, { all: true }).then(
          (found) => found.map((a) => a.address),
          () => [],
        );
  if (addresses.length === 0) throw new HostRefusedError(`${host} does not resolve to any address`);
  for (const address of addresses) {
    const refusal = refusalOf(address, policy);
    if (refusal) throw new HostRefusedError(address === bare ? refusal : `${host} resolves to ${address}: ${refusal}`);
  }
}

/** The policy as the FTP layer applies it to connected and announced addresses. */
export function addressGuard(policy: HostPolicy): AddressGuard {
  return {
    refusal: (address) => refusalOf(address, policy),
    allowsPasvAddress: (address) => {
      const normalized = normalizeAddress(address);
      if (normalized === null || !policy.pasvAllow) return false;
      return policy.pasvAllow.check(normalized, normalized.includes(':') ? 'ipv6' : 'ipv4');
    },
  };
}

/** PASV_PASV_ALLOW: comma-separated CIDRs or addresses. */
export function parseAllowList(text: string): BlockList {
  const entries = text.split(',').map((entry) => entry.trim()).filter(Boolean);
  try {
    return blockList(entries);
  } catch (error) {
    throw new Error(`PASV_PASV_ALLOW: ${(error as Error).message}`, { cause: error });
  }
}
