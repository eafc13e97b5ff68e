/** A built app on a temp data dir, for inject/injectWS tests and API-level integration tests. */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { WebSocket } from 'ws';
import { expect, inject } from 'vitest';
import type { ServerMessage, Transfer } from '../../contract/index.js';
import { buildApp, type App, type BuildOptions } from '../src/app.js';
import { readConfig, type AppConfig } from '../src/config.js';

export const PASSWORD = 'correct horse battery staple';
export const TOKEN = 'test-token-0123456789';

export interface TestApp {
  app: App;
  config: AppConfig;
  /** Headers that authenticate as a script (bearer token). */
  auth: Record<string, string>;
  close(): Promise<void>;
}

export async function startTestApp(
  options: BuildOptions & { dataDir?: string; env?: Record<string, string> } = {},
): Promise<TestApp> {
  const dataDir = options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'pasv-app-'));
  const postgres = await postgresFor(dataDir);
  const config = readConfig([], {
    ...postgres?.env,
    PASV_DATA_DIR: dataDir,
    PASV_PASSWORD: PASSWORD,
    PASV_API_TOKEN: TOKEN,
    PASV_WEB_DIR: path.join(dataDir, 'no-web'),
    // app.inject's default Host (the app never listens on the configured port here).
    PASV_ALLOWED_HOSTS: 'localhost:80',
    ...options.env,
  });
  const app = await buildApp(config, {
    logger: false,
    pool: { backoffMs: 50, connectAttempts: 2, ...options.pool },
    runner: { retryDelaysMs: [200, 400, 800], stallTimeoutMs: 10_000, finalReplyTimeoutMs: 5_000, ...options.runner },
    hubFlushMs: options.hubFlushMs ?? 50,
  });
  await app.ready();
  return {
    app,
    config,
    auth: { authorization: `Bearer ${TOKEN}` },
    async close() {
      await app.close();
      if (options.dataDir) return;
      fs.rmSync(dataDir, { recursive: true, force: true });
      await postgres?.drop();
    },
  };
}

/**
 * In vitest's "postgres" project (postgres-global.ts), the app's store: a database of its
 * own per data dir (an app started again on the same dir finds its data), and the master key
 * in a file there, as a cluster's nodes are given it.
 */
export async function postgresFor(
  dataDir: string,
): Promise<{ env: Record<string, string>; drop(): Promise<void> } | null> {
  const server = inject('postgresUrl');
  if (!server) return null;
  const name = `app_${crypto.createHash('sha256').update(dataDir).digest('hex').slice(0, 20)}`;
  const admin = async (sql: string) => {
    const client = new pg.Client(server);
    await client.connect();
    try {
      return await client.query(sql);
    } finally {
      await client.end();
    }
  };
  const exists = await admin(`SELECT 1 FROM pg_database WHERE datname = '${name}'`);
  if (exists.rowCount === 0) await admin(`CREATE DATABASE ${name}`);
  const keyFile = path.join(dataDir, 'cluster.key');
  if (!fs.existsSync(keyFile)) fs.writeFileSync(keyFile, crypto.randomBytes(32).toString('base64'), { mode: 0o600 });
  const url = new URL(server);
  url.pathname = `/${name}`;
  return {
    env: { PASV_DATABASE_URL: url.toString(), PASV_MASTER_KEY_FILE: keyFile },
    drop: async () => void (await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)),
  };
}

/** Open the live feed and record every message, from the first (the snapshot) on. */
export async function openFeed(
  t: TestApp,
  headers: Record<string, string>,
): Promise<{ socket: WebSocket; messages: ServerMessage[] }> {
  const messages: ServerMessage[] = [];
  const socket = await t.app.injectWS(
    '/api/ws',
    { headers },
    {
      onInit: (ws) => ws.on('message', (data) => messages.push(JSON.parse(data.toString()) as ServerMessage)),
    },
  );
  return { socket, messages };
}

export async function eventually<T>(
  probe: () => T | Promise<T>,
  timeoutMs = 20_000,
  intervalMs = 50,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value as NonNullable<T>;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) throw lastError ?? new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** A plain-FTP site for a test server, made through the API; its id. */
export async function addSite(
  t: TestApp,
  server: { host: string; port: number; user: string; password: string },
  name: string,
): Promise<string> {
  const response = await t.app.inject({
    method: 'POST',
    url: '/api/sites',
    headers: t.auth,
    payload: { name, host: server.host, port: server.port, user: server.user, password: server.password, tls: 'none' },
  });
  expect(response.statusCode, response.body).toBe(201);
  return response.json().id as string;
}

/** Queue a transfer through the API and wait until it is over; it must end done. */
export async function copied(t: TestApp, body: object): Promise<Transfer> {
  const started = await t.app.inject({ method: 'POST', url: '/api/transfers', headers: t.auth, payload: body });
  expect(started.statusCode, started.body).toBe(202);
  const { id } = started.json() as Transfer;
  const done = await eventually(async () => {
    const current = (await t.app.inject({ url: `/api/transfers/${id}`, headers: t.auth })).json() as Transfer;
    return ['done', 'failed', 'cancelled', 'skipped'].includes(current.state) ? current : null;
  }, 30_000);
  expect(done.state).toBe('done');
  return done;
}
