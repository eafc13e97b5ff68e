/**
 * What kind of place an IP address leads to, whatever its spelling. An IPv6 address can
 * carry an IPv4 one (mapped `::ffff:7f00:1`, NAT64 `64:ff9b::…`, the old compatible `::a.b.c.d`)
 * and reach it: those are judged as the IPv4 address inside. Pure: no DNS, no policy.
 */
import { BlockList, isIP, isIPv4 } from 'node:net';

export type AddressClass =
  /** 0.0.0.0/8 and `::`: connecting there reaches this machine. */
  | 'this-host'
  /** Cloud instance metadata services (credentials live there). */
  | 'metadata'
  | 'link-local'
  | 'loopback'
  /** RFC 1918, CGNAT 100.64/10, unique-local fc00::/7. */
  | 'private'
  | 'public';

/** Most specific first: fd00:ec2::254 is metadata before it is unique-local. */
const CLASSES: [AddressClass, BlockList][] = [
  ['this-host', blockList(['0.0.0.0/8', '::/128'])],
  ['metadata', blockList(['169.254.169.254/32', '100.100.100.200/32', 'fd00:ec2::254/128'])],
  ['link-local', blockList(['169.254.0.0/16', 'fe80::/10'])],
  ['loopback', blockList(['127.0.0.0/8', '::1/128'])],
  ['private', blockList(['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', 'fc00::/7'])],
];

/** IPv6 prefixes (as 16-bit groups) whose last 32 bits are an IPv4 address that they reach. */
const IPV4_CARRIERS = [
  [0, 0, 0, 0, 0, 0xffff], // IPv4-mapped
  [0, 0, 0, 0, 0xffff, 0], // IPv4-translated (SIIT)
  [0x64, 0xff9b, 0, 0, 0, 0], // NAT64 well-known prefix
  [0, 0, 0, 0, 0, 0], // IPv4-compatible (deprecated); `::` and `::1` are classified before
];

/**
 * The address in its canonical family: an IPv4 address carried in IPv6 comes out as IPv4,
 * a zone id is dropped, brackets are stripped. Null for anything that is not an IP address.
 */
export function normalizeAddress(ip: string): string | null {
  const bare = ip.replace(/^\[(.*)\]$/, '$1').replace(/%.*$/, '');
  const family = isIP(bare);
  if (family === 4) return bare;
  if (family !== 6) return null;
  const groups = ipv6Groups(bare);
  if (groups.every((g) => g === 0) || (groups.slice(0, 7).every((g) => g === 0) && groups[7] === 1))
    return bare.toLowerCase();
  const carrier = IPV4_CARRIERS.some((prefix) => prefix.every((g, i) => groups[i] === g));
  if (!carrier) return bare.toLowerCase();
  const [high, low] = [groups[6]!, groups[7]!];
  return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
}

/** "::ffff:1.2.3.4", as a dual-stack socket reports an IPv4 peer, → "1.2.3.4"; anything else as it is. */
export function unmapIPv4(host: string): string {
  const mapped = /^::ffff:(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})$/i.exec(host);
  return mapped !== null && isIPv4(mapped[1]!) ? mapped[1]! : host;
}

/** The class of an IP address (see AddressClass), or null when `ip` is not one. */
export function classifyAddress(ip: string): AddressClass | null {
  let known = classified.get(ip);
  if (known === undefined) {
    known = classify(ip);
    if (classified.size >= CLASSIFIED_MAX) classified.clear();
    classified.set(ip, known);
  }
  return known;
}

/**
 * Every PASV reply is judged against its control address (pasv.ts passiveHost), so on a tree
 * of small files the same two or three addresses are classified thousands of times, each time
 * through BlockList checks that build native SocketAddress objects (~4 % of the controller's
 * CPU). The class of a string never changes: remembered, a bounded few.
 */
const classified = new Map<string, AddressClass | null>();
const CLASSIFIED_MAX = 1024;

function classify(ip: string): AddressClass | null {
  const address = normalizeAddress(ip);
  if (address === null) return null;
  const family = isIPv4(address) ? 'ipv4' : 'ipv6';
  return CLASSES.find(([, list]) => list.check(address, family))?.[0] ?? 'public';
}

/** A BlockList of CIDRs ("10.0.0.0/8") and single addresses; throws on anything else. */
export function blockList(entries: string[]): BlockList {
  const list = new BlockList();
  for (const entry of entries) {
    const [address = '', bits, extra] = entry.split('/');
    const family = isIP(address);
    const prefix = bits === undefined ? (family === 4 ? 32 : 128) : /^\d{1,3}$/.test(bits) ? Number(bits) : NaN;
    if (family === 0 || extra !== undefined || !(prefix >= 0 && prefix <= (family === 4 ? 32 : 128))) {
      throw new Error(`not an address or CIDR: ${JSON.stringify(entry)}`);
    }
    list.addSubnet(address, prefix, family === 4 ? 'ipv4' : 'ipv6');
  }
  return list;
}

/** "2001:db8::1" → its eight 16-bit groups (a trailing dotted quad counts as two). */
function ipv6Groups(ip: string): number[] {
  const hexOnly = ip.replace(/(\d+)\.(\d+)\.(\d+)\.(\d+)$/, (_match, a: string, b: string, c: string, d: string) =>
    [(Number(a) << 8) | Number(b), (Number(c) << 8) | Number(d)].map((g) => g.toString(16)).join(':'),
  );
  const [head = '', tail] = hexOnly.split('::');
  const parse = (part: string) => (part ? part.split(':').map((g) => parseInt(g, 16)) : []);
  const [left, right] = [parse(head), parse(tail ?? '')];
  return tail === undefined ? left : [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
}
