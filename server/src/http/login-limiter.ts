/**
 * Password guessing, throttled per client (an address, or an IPv6 /64). Only failures count,
 * so a flood of wrong passwords from one client locks out that client and nobody else: the
 * admin, signing in from anywhere else (or as often as they like), is never turned away.
 * A guess is counted before its password is checked, so concurrent guesses cannot slip
 * past the limit while scrypt runs; a right password gives its count back.
 */
export interface LoginLimiterOptions {
  /** Failed sign-ins an address may make per window. */
  maxFailures?: number;
  windowMs?: number;
  /** Addresses remembered at once; the oldest is forgotten first, so memory stays bounded. */
  maxAddresses?: number;
}

interface Window {
  failures: number;
  endsAt: number;
}

export class LoginLimiter {
  private readonly windows = new Map<string, Window>();
  private readonly maxFailures: number;
  private readonly windowMs: number;
  private readonly maxAddresses: number;

  constructor(options: LoginLimiterOptions = {}) {
    this.maxFailures = options.maxFailures ?? 10;
    this.windowMs = options.windowMs ?? 60_000;
    this.maxAddresses = options.maxAddresses ?? 10_000;
  }

  /**
   * Takes one attempt for `address`: null when it may go ahead, else the seconds it must
   * wait. Call `succeeded` when the password was right.
   */
  attempt(address: string, now = Date.now()): number | null {
    const client = clientOf(address);
    let window = this.windows.get(client);
    if (window !== undefined && window.endsAt <= now) {
      this.windows.delete(client);
      window = undefined;
    }
    if (window === undefined) {
      this.forgetOldest(now);
      window = { failures: 0, endsAt: now + this.windowMs };
      this.windows.set(client, window);
    }
    if (window.failures >= this.maxFailures) return Math.max(1, Math.ceil((window.endsAt - now) / 1000));
    window.failures++;
    return null;
  }

  succeeded(address: string): void {
    const window = this.windows.get(clientOf(address));
    if (window !== undefined) window.failures = Math.max(0, window.failures - 1);
  }

  /** How many addresses are remembered now. */
  get size(): number {
    return this.windows.size;
  }

  /** Map order is insertion order: the first entries are the oldest windows. */
  private forgetOldest(now: number): void {
    for (const [address, window] of this.windows) {
      if (this.windows.size < this.maxAddresses && window.endsAt > now) return;
      this.windows.delete(address);
    }
  }
}

/**
 * Who is counted: an IPv4 address (also when it arrives IPv4-mapped), or an IPv6 /64, the
 * share one host usually gets, so a flooder cannot take a fresh address for every guess.
 */
export function clientOf(address: string): string {
  const ip = address.replace(/%.*$/, '').toLowerCase();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(ip);
  if (mapped) return mapped[1]!;
  if (!ip.includes(':')) return ip;
  const [head = '', tail] = ip.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups =
    tail === undefined
      ? left
      : [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  return `${groups
    .slice(0, 4)
    .map((group) => group.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}
