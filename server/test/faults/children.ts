/**
 * Processes a fault test can really kill: the embedded FTP server and the pasv backend, each
 * a child started with `node --import tsx`, addressed only by its PID.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { FtpServerOptions } from '../../src/demo/ftp-server/server.js';
import { postgresFor } from '../app.js';

export interface ChildProcessHandle {
  readonly pid: number;
  readonly child: ChildProcess;
  /** Resolves once the process has exited (for whatever reason). */
  readonly exited: Promise<void>;
  signal(name: NodeJS.Signals): void;
  /** SIGKILL by PID (SIGCONT first, so a stopped process dies too) and wait for the exit. */
  kill(): Promise<void>;
}

function handleFor(child: ChildProcess): ChildProcessHandle {
  const pid = child.pid;
  if (pid === undefined) throw new Error('the child process did not start');
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  const signal = (name: NodeJS.Signals) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    try {
      process.kill(pid, name);
    } catch {
      // already gone
    }
  };
  return {
    pid,
    child,
    exited,
    signal,
    async kill() {
      signal('SIGKILL');
      signal('SIGCONT');
      await exited;
    },
  };
}

/** Spawns a TypeScript entry point and resolves once its stdout matches `ready`. */
async function spawnTs(
  entry: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  ready: RegExp,
): Promise<{ handle: ChildProcessHandle; match: RegExpExecArray }> {
  const child = spawn(process.execPath, ['--import', 'tsx', entry, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const handle = handleFor(child);
  let output = '';
  const match = await new Promise<RegExpExecArray>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const found = ready.exec(output);
      if (found) resolve(found);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code, signal) =>
      reject(new Error(`${entry} exited (${code ?? signal}) before it was ready: ${output}`)),
    );
    setTimeout(() => reject(new Error(`${entry} not ready within 20 s: ${output}`)), 20_000).unref();
  }).catch(async (error: unknown) => {
    await handle.kill();
    throw error;
  });
  return { handle, match };
}

export interface ChildFtpServer extends ChildProcessHandle {
  host: string;
  port: number;
  user: string;
  password: string;
}

/**
 * The embedded FTP server in its own process. Start it again with the same root and
 * port after a kill and clients see the same server come back.
 */
export async function startChildFtpServer(
  options: Omit<FtpServerOptions, 'users' | 'log' | 'tls'> & { host: string },
): Promise<ChildFtpServer> {
  const user = 'tester';
  const password = 'secret';
  const config: FtpServerOptions = { ...options, users: [{ user, password }] };
  const { handle, match } = await spawnTs(
    'server/test/faults/ftp-child.ts',
    [JSON.stringify(config)],
    {},
    /listening (\d+)/,
  );
  return { ...handle, host: options.host, port: Number(match[1]), user, password };
}

export interface ChildBackend extends ChildProcessHandle {
  url: string;
  /** The API token it was started with. */
  token: string;
}

/**
 * The real backend (server/src/main.ts) on a data directory, listening on 127.0.0.1; in the
 * "postgres" project on that dir's database (app.ts postgresFor).
 */
export async function startChildBackend(dataDir: string, token: string): Promise<ChildBackend> {
  const postgres = await postgresFor(dataDir);
  return startChildNode(dataDir, token, postgres?.env ?? {});
}

/**
 * A node of a cluster (or a lone backend), its role and database in `env`: a web or 'all'
 * node once it listens, a worker once it says it runs (its url is then '').
 */
export async function startChildNode(dataDir: string, token: string, env: NodeJS.ProcessEnv): Promise<ChildBackend> {
  const { handle, match } = await spawnTs(
    'server/src/main.ts',
    [],
    {
      PASV_HOST: '127.0.0.1',
      PASV_PORT: '0',
      PASV_DATA_DIR: dataDir,
      PASV_PASSWORD: 'pw',
      PASV_API_TOKEN: token,
      PASV_LOG_LEVEL: 'warn',
      ...env,
    },
    /listening on (http:\/\/\S+)|pasv worker is running/,
  );
  return { ...handle, url: match[1] ?? '', token };
}

/** A JSON API call to a child backend with its token; any status but 2xx throws with the body. */
export async function childApi<T>(backend: ChildBackend, method: string, url: string, body?: object): Promise<T> {
  const response = await fetch(`${backend.url}${url}`, {
    method,
    headers: { authorization: `Bearer ${backend.token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  if (!response.ok) throw new Error(`${method} ${url}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}
