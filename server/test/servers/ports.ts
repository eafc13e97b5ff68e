import { createServer } from 'node:net';
import { mkdir, open, readFile, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A port the kernel just handed out on `host`; it is free again by the time this resolves. */
export async function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.unref();
    probe.once('error', reject);
    probe.listen({ host, port: 0, exclusive: true }, () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => (port ? resolve(port) : reject(new Error(`no port on ${host}`))));
    });
  });
}

/** Whether nothing holds `port` on `host` right now. */
export async function canListen(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.unref();
    probe.once('error', () => resolve(false));
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve(true)));
  });
}

export interface PassiveRange {
  min: number;
  max: number;
  /** Gives the range back; idempotent. */
  release(): Promise<void>;
}

export const PASSIVE_RANGE_SIZE = 25;

/**
 * Passive ranges live below the kernel's ephemeral range when there is room, because
 * every outgoing connection (clients, freePort) takes an ephemeral port and could
 * otherwise land inside a server's passive range while it runs.
 */
function passiveRegion(): { low: number; high: number } {
  try {
    const [ephemeralLow] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8')
      .trim()
      .split(/\s+/)
      .map(Number);
    if (ephemeralLow !== undefined && ephemeralLow >= 20_000 + PASSIVE_RANGE_SIZE * 100) {
      return { low: 20_000, high: ephemeralLow };
    }
  } catch {
    // not Linux, or /proc is hidden: fall back to the fixed region below
  }
  return { low: 30_000, high: 60_000 };
}

// Vitest runs files in separate processes, so in-process bookkeeping is not enough:
// each claimed block is a lock file created with O_EXCL, naming its owner's pid.
const lockDir = join(tmpdir(), 'pasv-test-passive-ports');
let counter = 0;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function claim(lockFile: string): Promise<boolean> {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(lockFile, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number((await readFile(lockFile, 'utf8').catch(() => '')).trim());
      // An empty file may be a claim being written right now: leave it alone.
      if (!owner || alive(owner)) return false;
      await rm(lockFile, { force: true });
    }
  }
  return false;
}

/**
 * Claims a block of PASSIVE_RANGE_SIZE ports that no other live process holds and that
 * can all be bound on `host` right now.
 */
export async function allocatePassiveRange(host: string): Promise<PassiveRange> {
  await mkdir(lockDir, { recursive: true });
  const { low, high } = passiveRegion();
  const blocks = Math.floor((high - low) / PASSIVE_RANGE_SIZE);
  const start = (process.pid * 31 + counter++ * 7) % blocks;
  for (let i = 0; i < blocks; i++) {
    const block = (start + i) % blocks;
    const min = low + block * PASSIVE_RANGE_SIZE;
    const max = min + PASSIVE_RANGE_SIZE - 1;
    const lockFile = join(lockDir, `${min}.lock`);
    if (!(await claim(lockFile))) continue;
    let free = true;
    for (let port = min; port <= max && free; port++) free = await canListen(host, port);
    if (!free) {
      await rm(lockFile, { force: true });
      continue;
    }
    let released = false;
    return {
      min,
      max,
      async release() {
        if (released) return;
        released = true;
        await rm(lockFile, { force: true });
      },
    };
  }
  throw new Error(`no free passive port range on ${host} in ${low}-${high}`);
}
