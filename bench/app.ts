/**
 * pasv as a user runs it, in this process: buildApp with production defaults (only the
 * concurrency turned), listening on loopback, driven over HTTP with the bearer token.
 * Completion is read from the service's event bus, so no polling skews the timings.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { LiveEvent, Transfer, TransferCreate } from '../contract/index.js';
import { buildApp, type App } from '../server/src/app.js';
import { readConfig } from '../server/src/config.js';
import type { EventBus } from '../server/src/events.js';
import type { ServerPair } from './servers.js';

export const BENCH_TOKEN = 'bench-token-0123456789abcdef';
const FINISHED = new Set(['done', 'failed', 'cancelled']);

export interface SiteSpec {
  name: string;
  host: string;
  port: number;
  user: string;
  password: string;
  maxConnections?: number;
}

/** What talks to a running pasv over HTTP, wherever it runs (here or in a child). */
export class ApiClient {
  constructor(readonly baseUrl: string) {}

  async request<T>(method: string, url: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.baseUrl}${url}`, {
      method,
      headers: {
        authorization: `Bearer ${BENCH_TOKEN}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${url}: ${response.status} ${text.slice(0, 300)}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  async addSite(site: SiteSpec): Promise<string> {
    const created = await this.request<{ id: string }>('POST', '/api/sites', site);
    return created.id;
  }

  /** The pair's two servers as sites named "source" and "destination" (+ `suffix`: names are unique); their ids. */
  async addPair(
    pair: ServerPair,
    maxConnections: number,
    suffix = '',
  ): Promise<{ source: string; destination: string }> {
    const site = (name: string, server: ServerPair['source']) =>
      this.addSite({
        name: name + suffix,
        host: server.host,
        port: server.port,
        user: server.user,
        password: server.password,
        maxConnections,
      });
    return { source: await site('source', pair.source), destination: await site('destination', pair.destination) };
  }

  /** Removes addPair's two sites (their sessions close with them). */
  async removePair(sites: { source: string; destination: string }): Promise<void> {
    for (const id of [sites.source, sites.destination]) await this.request('DELETE', `/api/sites/${id}`);
  }

  createTransfer(body: TransferCreate): Promise<Transfer> {
    return this.request<Transfer>('POST', '/api/transfers', body);
  }
}

export interface BenchApp extends ApiClient {
  app: App;
  /** Resolves with the transfer once it reached done, failed or cancelled. */
  finished(id: string, timeoutMs?: number): Promise<Transfer>;
  close(): Promise<void>;
}

export async function startBenchApp(env: Record<string, string> = {}): Promise<BenchApp> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pasv-bench-app-'));
  const config = readConfig([], {
    PASV_HOST: '127.0.0.1',
    PASV_PORT: '0',
    PASV_DATA_DIR: dataDir,
    PASV_PASSWORD: 'bench password',
    PASV_API_TOKEN: BENCH_TOKEN,
    PASV_WEB_DIR: path.join(dataDir, 'no-web'),
    PASV_LOG_LEVEL: 'warn',
    ...env,
  });
  const app = await buildApp(config, { logger: false });
  await app.listen({ host: config.host, port: 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const client = new ApiClient(`http://127.0.0.1:${port}`);

  const transfers = finishedTransfers(app.services.events);

  return Object.assign(client, {
    app,
    finished: transfers.finished,
    async close() {
      transfers.stop();
      try {
        await app.close();
      } finally {
        fs.rmSync(dataDir, { recursive: true, force: true });
      }
    },
  });
}

/**
 * Final states recorded as they happen (a transfer may finish before finished() is asked),
 * read from the service's event bus so that no polling skews the timings.
 */
export function finishedTransfers(events: EventBus): {
  finished: (id: string, timeoutMs?: number) => Promise<Transfer>;
  stop: () => void;
} {
  const settled = new Map<string, Transfer>();
  const waiters = new Map<string, (transfer: Transfer) => void>();
  const onEvent = (event: LiveEvent) => {
    if (event.type !== 'transfer.updated' || !FINISHED.has(event.transfer.state)) return;
    settled.set(event.transfer.id, event.transfer);
    waiters.get(event.transfer.id)?.(event.transfer);
  };
  events.on('event', onEvent);
  return {
    finished(id, timeoutMs = 600_000) {
      const known = settled.get(id);
      if (known) return Promise.resolve(known);
      return new Promise<Transfer>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`transfer ${id} not finished after ${timeoutMs} ms`)),
          timeoutMs,
        );
        waiters.set(id, (transfer) => {
          clearTimeout(timer);
          waiters.delete(id);
          resolve(transfer);
        });
      });
    },
    stop: () => events.off('event', onEvent),
  };
}

/** Fails loudly when a transfer did not copy everything. */
export function assertDone(transfer: Transfer, expectedFiles?: number): void {
  if (transfer.state !== 'done' || (expectedFiles !== undefined && transfer.filesDone !== expectedFiles)) {
    throw new Error(
      `transfer ${transfer.name} ended ${transfer.state} with ${transfer.filesDone}/${transfer.filesTotal} files` +
        (transfer.error ? `: ${transfer.error.code} ${transfer.error.message}` : ''),
    );
  }
}
