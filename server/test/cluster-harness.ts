/**
 * A cluster for a test, on the describe's real PostgreSQL (withPostgres): web nodes in this
 * process (their API through inject, their pool in reach) or as child processes, workers as
 * child processes of the real server (server/src/main.ts), killed by PID; and embedded FTP
 * servers that log every command they receive. Everything a test started ends after it.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, expect } from 'vitest';
import type { Transfer } from '../../contract/index.js';
import { startFtpServer, type EmbeddedFtpServer } from '../src/demo/ftp-server/server.js';
import { eventually, startTestApp, type TestApp } from './app.js';
import { startChildNode, type ChildBackend } from './faults/children.js';
import type { PostgresFixture } from './postgres.js';

export const FTP_USER = { user: 'tester', password: 'secret' };
/** The API token of every child node. */
export const NODE_TOKEN = 'cluster-test-token';

export interface LoggedServer {
  server: EmbeddedFtpServer;
  root: string;
  /** Every command it received, as `#<connection> > VERB arg`. */
  commands: string[];
}

export function clusterHarness(postgres: PostgresFixture) {
  const cleanup: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });
  const masterKey = crypto.randomBytes(32).toString('base64');
  const env = () => ({ PASV_DATABASE_URL: postgres.url, PASV_MASTER_KEY: masterKey });

  async function ftp(
    address: string,
    files: Record<string, Buffer> = {},
    options: { bytesPerSecond?: number; onCommand?: (line: string) => void } = {},
  ): Promise<LoggedServer> {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pasv-cluster-ftp-'));
    for (const [name, data] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
      fs.writeFileSync(path.join(root, name), data);
    }
    const commands: string[] = [];
    const server = await startFtpServer({
      host: address,
      root,
      users: [FTP_USER],
      bytesPerSecond: options.bytesPerSecond,
      log: (line) => {
        if (!/^#\d+ > /.test(line)) return;
        commands.push(line);
        options.onCommand?.(line);
      },
    });
    cleanup.push(async () => {
      await server.close();
      fs.rmSync(root, { recursive: true, force: true });
    });
    return { server, root, commands };
  }

  /** A web node in this process. */
  async function webNode(): Promise<TestApp> {
    const t = await startTestApp({ env: { ...env(), PASV_ROLE: 'web' } });
    cleanup.push(() => t.close());
    return t;
  }

  /** A node as a child process of the real server. */
  async function node(role: 'web' | 'worker', extra: Record<string, string> = {}): Promise<ChildBackend> {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `pasv-${role}-`));
    const child = await startChildNode(dataDir, NODE_TOKEN, { ...env(), PASV_ROLE: role, ...extra });
    cleanup.push(async () => {
      await child.kill();
      fs.rmSync(dataDir, { recursive: true, force: true });
    });
    return child;
  }

  async function site(t: TestApp, server: LoggedServer, name: string, fields: object = {}): Promise<string> {
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/sites',
      headers: t.auth,
      payload: { name, host: server.server.host, port: server.server.port, ...FTP_USER, tls: 'none', ...fields },
    });
    expect(response.statusCode, response.body).toBe(201);
    return response.json().id as string;
  }

  async function copy(t: TestApp, source: string, sourcePath: string, destination: string): Promise<Transfer> {
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/transfers',
      headers: t.auth,
      payload: { source: { siteId: source, path: sourcePath }, destination: { siteId: destination, dir: '/' } },
    });
    expect(response.statusCode, response.body).toBe(202);
    return response.json() as Transfer;
  }

  const transfer = async (t: TestApp, id: string) =>
    (await t.app.inject({ url: `/api/transfers/${id}`, headers: t.auth })).json() as Transfer;

  async function finished(t: TestApp, id: string, timeoutMs = 60_000): Promise<Transfer> {
    let last: Transfer | undefined;
    await eventually(async () => {
      last = await transfer(t, id);
      return !['queued', 'running'].includes(last.state);
    }, timeoutMs);
    return last!;
  }

  return { cleanup, env, ftp, webNode, node, worker: (extra?: Record<string, string>) => node('worker', extra), site, copy, transfer, finished };
}

/** The STORs a server received (of one file, given its name). */
export function stors(server: LoggedServer, name?: string): string[] {
  return server.commands.filter((line) => / > STOR /.test(line) && (!name || line.endsWith(name)));
}
