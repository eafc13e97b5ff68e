import { spawn } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { connect as connectTcp, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';
import { isIpv6 } from './harness.js';
import { canListen } from './ports.js';

/** The tail of what the server printed or logged while starting, for error messages. */
function startupOutput(files: string[]): string {
  return files
    .map((file) => {
      try {
        return readFileSync(file, 'utf8').slice(-2000).trim();
      } catch {
        return '';
      }
    })
    .filter(Boolean)
    .join('\n');
}

export class StartupError extends Error {
  constructor(
    message: string,
    readonly output: string,
    /** Another process took the port between freePort() and the server's bind. */
    readonly portTaken = false,
  ) {
    super(output ? `${message}\n${output}` : message);
  }
}

const liveServers = new Set<number>();
let exitHookInstalled = false;

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}

function childrenByParent(): Map<number, number[]> {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue;
    }
    // Fields after the parenthesised command name: state, ppid, …
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
  }
  return children;
}

/**
 * vsftpd and others put each session into a new session (setsid), and once the
 * listener dies those are re-parented and untraceable: so freeze the whole tree
 * first (a stopped process cannot fork), then kill every member.
 */
export function killTree(pid: number): number[] {
  const tree = new Set<number>();
  let frontier = [pid];
  while (frontier.length > 0) {
    for (const member of frontier) {
      tree.add(member);
      signal(member, 'SIGSTOP');
    }
    const children = childrenByParent();
    frontier = frontier.flatMap((member) => children.get(member) ?? []).filter((child) => !tree.has(child));
  }
  for (const member of tree) signal(member, 'SIGKILL');
  // Anything else still in the group the harness created.
  signal(-pid, 'SIGKILL');
  return [...tree];
}

/** Gone, or a zombie: init in some containers never reaps re-parented processes. */
export function isDead(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}

export interface Launched {
  pid: number;
  /** Ends the server and every session process it forked. */
  stop(): Promise<void>;
}

export interface LaunchOptions {
  command: string;
  args: string[];
  host: string;
  port: number;
  implicitTls: boolean;
  /** Receives the server's stdout and stderr. */
  outputFile: string;
  /** Logs worth quoting when the start fails (some servers report only there). */
  logFiles?: string[];
  /**
   * greeting (default): a probe connection reads the 220. listening: the socket is in
   * LISTEN state, for servers that stall their accept loop after a session ends.
   */
  readiness?: 'greeting' | 'listening';
  timeoutMs?: number;
}

/**
 * Starts a foreground server in its own process group (so stop() also reaches the
 * per-session processes it forks) and resolves once it greets with 220.
 */
export async function launch(options: LaunchOptions): Promise<Launched> {
  const output = openSync(options.outputFile, 'a');
  const child = spawn(options.command, options.args, { detached: true, stdio: ['ignore', output, output] });
  closeSync(output);
  const pid = child.pid;
  if (pid === undefined) {
    await new Promise((resolve) => child.once('error', resolve));
    throw new StartupError(`cannot run ${options.command}`, startupOutput([options.outputFile]));
  }
  child.unref();
  liveServers.add(pid);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    // A test that forgot stop(), or a crashed worker, must not leave servers behind.
    process.once('exit', () => {
      for (const server of liveServers) killTree(server);
    });
  }
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true;
      resolve();
    }),
  );

  const stop = async (): Promise<void> => {
    if (!exited) {
      // Keeps the event loop (and so this await) alive until the exit is seen.
      child.ref();
      const members = killTree(pid);
      await exit;
      // SIGKILL is delivered asynchronously; a session may still be on its way out.
      for (let waited = 0; waited < 5_000 && !members.every(isDead); waited += 20) await sleep(20);
    }
    liveServers.delete(pid);
  };

  try {
    await waitForGreeting(options, pid, () => exited);
  } catch (error) {
    await stop();
    const reason = error instanceof Error ? error.message : String(error);
    // vsftpd and ProFTPD exit on a failed bind without saying so on stderr.
    const portTaken = !(await canListen(options.host, options.port));
    const output = startupOutput([options.outputFile, ...(options.logFiles ?? [])]);
    throw new StartupError(`${options.command} did not start: ${reason}`, output, portTaken);
  }
  return { pid, stop };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function waitForGreeting(options: LaunchOptions, pid: number, hasExited: () => boolean): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 15_000);
  let lastError = 'not listening';
  while (Date.now() < deadline) {
    if (hasExited()) throw new Error('the server exited');
    // Only the server's own socket counts: after a lost port race another process listens there.
    if (!isListening(options.host, options.port, pid)) {
      await sleep(20);
      continue;
    }
    if (options.readiness === 'listening') return;
    try {
      const greeting = await readGreeting(options.host, options.port, options.implicitTls);
      if (greeting.startsWith('220')) return;
      throw new Error(`greeting was ${JSON.stringify(greeting)}`);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ECONNREFUSED' && code !== 'ECONNRESET') throw error;
      lastError = code;
    }
    await sleep(50);
  }
  throw new Error(`no 220 greeting on ${options.host}:${options.port} (${lastError})`);
}

/** The address as /proc/net/tcp{,6} prints it: 32-bit words in host (little-endian) order. */
function procAddress(address: string): string {
  let bytes: number[];
  if (isIpv6(address)) {
    const [head = '', tail = ''] = address.split('::');
    const groups = (part: string): number[] => (part ? part.split(':').map((group) => parseInt(group, 16)) : []);
    const left = groups(head);
    const right = groups(tail);
    const all = address.includes('::')
      ? [...left, ...Array<number>(8 - left.length - right.length).fill(0), ...right]
      : left;
    bytes = all.flatMap((group) => [group >> 8, group & 255]);
  } else {
    bytes = address.split('.').map(Number);
  }
  let hex = '';
  for (let word = 0; word < bytes.length; word += 4) {
    hex += Buffer.from(bytes.slice(word, word + 4).reverse()).toString('hex');
  }
  return hex.toUpperCase();
}

/**
 * Whether process `pid` holds a socket listening on host:port. Ownership matters: after
 * a lost port race the LISTEN entry belongs to someone else.
 */
export function isListening(host: string, port: number, pid: number): boolean {
  const local = `${procAddress(host)}:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  const table = isIpv6(host) ? '/proc/net/tcp6' : '/proc/net/tcp';
  const LISTEN = '0A';
  const inodes = readFileSync(table, 'utf8')
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter((fields) => fields[1] === local && fields[3] === LISTEN)
    .map((fields) => `socket:[${fields[9]}]`);
  if (inodes.length === 0) return false;
  try {
    return readdirSync(`/proc/${pid}/fd`).some((fd) => {
      try {
        return inodes.includes(readlinkSync(`/proc/${pid}/fd/${fd}`));
      } catch {
        return false;
      }
    });
  } catch {
    return false;
  }
}

/** Reads the complete first reply (multi-line aware) and hangs up. */
function readGreeting(host: string, port: number, implicitTls: boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket: Socket = implicitTls
      ? connectTls({ host, port, rejectUnauthorized: false })
      : connectTcp({ host, port });
    let text = '';
    const timer = setTimeout(() => finish(new Error('timed out reading the greeting')), 5_000);
    const finish = (error?: Error): void => {
      clearTimeout(timer);
      socket.destroy();
      if (error) reject(error);
      else resolve(text.trim());
    };
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      text += chunk;
      const lines = text.split('\r\n');
      const code = text.slice(0, 3);
      if (lines.slice(0, -1).some((line) => line.startsWith(`${code} `))) finish();
    });
    socket.once('error', finish);
    socket.once('close', () => finish(text ? undefined : Object.assign(new Error('closed'), { code: 'ECONNRESET' })));
  });
}

/** Retries a start whose port was taken by another process in the meantime. */
export async function withPortRetry<T>(start: () => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await start();
    } catch (error) {
      if (!(error instanceof StartupError && error.portTaken) || attempt >= attempts) throw error;
    }
  }
}
