/**
 * Which hosts a site may point at. The backend connects wherever a site says, so a site is a
 * way to make it reach addresses: link-local and cloud metadata addresses are refused unless
 * allowed; private ranges are allowed by default (self-hosting) and refusable for shared
 * deployments.
 */
import dns from 'node:dns/promises';
import net from 'node:net';

export interface HostPolicy {
  allowLinkLocal: boolean;
  allowPrivate: boolean;
}

export class HostRefusedError extends Error {
  override readonly name = 'HostRefusedError';
}

const ipv4ToNumber = (ip: string) => ip.split('.').reduce((n, part) => n * 256 + Number(part), 0);
const inV4 = (ip: string, base: string, bits: number) =>
  Math.floor(ipv4ToNumber(ip) / 2 ** (32 - bits)) === Math.floor(ipv4ToNumber(base) / 2 ** (32 - bits));

export function classifyAddress(ip: string): 'link-local' | 'private' | 'loopback' | 'public' {
  const v4 = ip.startsWith('::ffff:') && net.isIPv4(ip.slice(7)) ? ip.slice(7) : ip;
  if (net.isIPv4(v4)) {
    if (inV4(v4, '169.254.0.0', 16)) return 'link-local';
    if (inV4(v4, '127.0.0.0', 8)) return 'loopback';
    if (inV4(v4, '10.0.0.0', 8) || inV4(v4, '172.16.0.0', 12) || inV4(v4, '192.168.0.0', 16) || inV4(v4, '100.64.0.0', 10)) {
      return 'private';
    }
    return 'public';
  }
  const lower = v4.toLowerCase();
  if (/^fe[89ab]/.test(lower)) return 'link-local';
  if (lower === '::1') return 'loopback';
  if (/^f[cd]/.test(lower)) return 'private';
  return 'public';
}

/** Resolve the host and refuse it if any address it names is off limits. */
export async function checkHost(host: string, policy: HostPolicy): Promise<void> {
  const bare = host.replace(/^\[|\]$/g, '');
  const addresses = net.isIP(bare) ? [bare] : (await dns.lookup(bare, { all: true }).catch(() => [])).map((a) => a.address);
  for (const address of addresses) {
    const kind = classifyAddress(address);
    if (kind === 'link-local' && !policy.allowLinkLocal) {
      throw new HostRefusedError(`${host} resolves to the link-local address ${address}, which is not allowed`);
    }
    if ((kind === 'private' || kind === 'loopback') && !policy.allowPrivate) {
      throw new HostRefusedError(`${host} resolves to the private address ${address}, which this server does not allow`);
    }
  }
}
