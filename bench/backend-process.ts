/**
 * Starts the bundled backend (backend.ts) as a child with its own data dir and talks to it:
 * HTTP for what a user does, IPC for what only a benchmark asks (CPU, memory, GC, leases).
 */
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Transfer } from '../contract/index.js';
import { ApiClient, BENCH_TOKEN } from './app.js';
import type { BackendRequest, BackendUsage } from './backend.js';
import { childBundle } from './bundle.js';

export interface Backend {
  pid: number;
  api: ApiClient;
  usage(): Promise<BackendUsage>;
  gc(): Promise<BackendUsage>;
  leaseAndRelease(siteIds: string[], perSite: number): Promise<number>;
  /** The transfer once it reached done, failed or cancelled (read from the backend's event bus). */
  finished(id: string): Promise<Transfer>;
  profileStart(): Promise<void>;
  /** The V8 CPU profile (a .cpuprofile object) since profileStart(). */
  profileStop(): Promise<unknown>;
  stop(): Promise<void>;
}

export async function startBackend(env: Record<string, string> = {}): Promise<Backend> {
  const bundle = await childBundle('backend');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pasv-bench-backend-'));
  const child: ChildProcess = fork(bundle, [], {
    execArgv: ['--expose-gc'],
    env: {
      PATH: process.env.PATH ?? '',
      PASV_DATA_DIR: dataDir,
      PASV_PASSWORD: 'bench password',
      PASV_API_TOKEN: BENCH_TOKEN,
      PASV_WEB_DIR: path.join(dataDir, 'no-web'),
      PASV_LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let nextId = 1;
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the backend exited with ${code} before it was ready`)));
    child.on(
      'message',
      (message: { ready?: boolean; port?: number; id?: number; result?: unknown; error?: string }) => {
        if (message.ready) {
          resolve(message.port!);
          return;
        }
        const waiter = message.id === undefined ? undefined : pending.get(message.id);
        if (!waiter) return;
        pending.delete(message.id!);
        if (message.error) waiter.reject(new Error(`backend: ${message.error}`));
        else waiter.resolve(message.result);
      },
    );
  });
  const call = <T>(request: BackendRequest): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      child.send({ id, request });
    });

  return {
    pid: child.pid!,
    api: new ApiClient(`http://127.0.0.1:${port}`),
    usage: () => call<BackendUsage>({ op: 'usage' }),
    gc: () => call<BackendUsage>({ op: 'gc' }),
    leaseAndRelease: async (siteIds, perSite) =>
      (await call<{ leased: number }>({ op: 'lease', siteIds, perSite })).leased,
    finished: (id) => call<Transfer>({ op: 'finished', id }),
    profileStart: async () => {
      await call({ op: 'profile-start' });
    },
    profileStop: async () => (await call<{ profile: unknown }>({ op: 'profile-stop' })).profile,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        await Promise.race([call({ op: 'close' }).catch(() => undefined), exited]);
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
