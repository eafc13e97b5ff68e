/**
 * Nodes coming and going in a cluster on one real PostgreSQL: a browser's web node dies and
 * the browser, reconnecting through the load balancer, lands on another web node and sees
 * every update; and three workers' schedulers fire a mirror schedule once per slot. Nodes are
 * child processes of the real server, killed by PID; the load balancer is a TCP proxy here
 * that sends each new connection to the first node that takes it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Run, ServerMessage, Transfer } from '../../contract/index.js';
import { eventually } from './app.js';
import { startBalancer } from './balancer.js';
import { clusterHarness, FTP_USER, NODE_TOKEN, type LoggedServer } from './cluster-harness.js';
import { childApi } from './faults/children.js';
import { seededBytes, sha256 } from './fixtures.js';
import { createJob, isFinished, patchJob, runsOf } from './mirror-api.js';
import { skipWithoutPostgres, withPostgres } from './postgres.js';

const KiB = 1024;

describe.skipIf(skipWithoutPostgres())('nodes of a cluster coming and going', () => {
  const postgres = withPostgres('test');
  const { cleanup, ftp, node, webNode, site } = clusterHarness(postgres);

  it('a web node killed: its browser reconnects through the balancer to another and misses no update', async () => {
    const files: Record<string, Buffer> = {};
    for (let i = 0; i < 8; i++) files[`batch/f${i}.bin`] = seededBytes(256 * KiB, 50 + i);
    const a = await ftp('127.0.0.2', files, { bytesPerSecond: 512 * KiB });
    const b = await ftp('127.0.0.3');
    const balancer = await startBalancer();
    cleanup.push(() => balancer.close());
    const webEnv = { PASV_ALLOWED_HOSTS: balancer.host };
    const web1 = await node('web', webEnv);
    const web2 = await node('web', webEnv);
    balancer.backends.push(web1.url, web2.url);
    await node('worker');
    const childSite = async (server: LoggedServer, name: string) =>
      (
        await childApi<{ id: string }>(web1, 'POST', '/api/sites', {
          name,
          host: server.server.host,
          port: server.server.port,
          ...FTP_USER,
          tls: 'none',
        })
      ).id;
    const [src, dst] = [await childSite(a, 'A'), await childSite(b, 'B')];

    const browser = new Browser(balancer.host);
    cleanup.push(() => browser.close());
    await eventually(() => browser.messages.some((m) => m.type === 'snapshot'));
    const created = await childApi<Transfer>(web1, 'POST', '/api/transfers', {
      source: { siteId: src, path: '/batch' },
      destination: { siteId: dst, dir: '/' },
    });
    await eventually(() => browser.transfer(created.id)?.state === 'running', 20_000);
    expect(browser.connections).toBe(1);
    await web1.kill();

    // The browser's socket closed; it reconnects, and the balancer sends it to web2.
    await eventually(() => browser.connections === 2, 20_000);
    const done = await eventually(() => (browser.transfer(created.id)?.state === 'done' ? browser.transfer(created.id) : null), 60_000);
    expect(done).toMatchObject({ filesDone: 8, filesTotal: 8, bytesDone: 8 * 256 * KiB });
    // Its view ends where the store does, and every update after the move came in order.
    const stored = await childApi<Transfer>(web2, 'GET', `/api/transfers/${created.id}`);
    expect(browser.transfer(created.id)).toEqual(stored);
    const afterMove = browser.messages.slice(browser.secondSnapshotAt);
    expect(afterMove[0]!.type).toBe('snapshot');
    expect(afterMove.map((m) => m.seq)).toEqual(afterMove.map((_, i) => i + 1));
    for (const [name, data] of Object.entries(files)) expect(sha256(fs.readFileSync(path.join(b.root, name)))).toBe(sha256(data));
  }, 120_000);

  it('three workers fire a mirror schedule once per slot: one run, one compare each', async () => {
    const a = await ftp('127.0.0.2', { 'src/a.txt': Buffer.from('a'), 'src/d/b.txt': Buffer.from('b') });
    const b = await ftp('127.0.0.3');
    const t = await webNode();
    await Promise.all([node('worker'), node('worker'), node('worker')]);
    const job = await createJob(t, {
      name: 'every second',
      source: { siteId: await site(t, a, 'A'), dir: '/src' },
      destination: { siteId: await site(t, b, 'B'), dir: '/dst' },
      schedule: { everyMinutes: 0.02 },
    });
    const runs = await eventually(async () => {
      const current = await runsOf(t, job.id);
      return current.filter(isFinished).length >= 5 ? current : null;
    }, 40_000);
    await patchJob(t, job.id, { enabled: false });
    const settled: Run[] = await eventually(async () => {
      const current = await runsOf(t, job.id);
      return current.every(isFinished) ? current : null;
    });
    expect(settled.length).toBeGreaterThanOrEqual(runs.length);
    const slots = settled.map((run) => run.slot);
    expect(new Set(slots).size).toBe(slots.length);
    expect(settled.every((run) => run.trigger === 'schedule' && run.state === 'done')).toBe(true);
    // Each run compared the trees once: three schedulers racing for a slot would list three times.
    const sourceListings = a.commands.filter((line) => / > MLSD \/src$/.test(line));
    expect(sourceListings).toHaveLength(settled.length);
    expect(fs.readFileSync(path.join(b.root, 'dst/d/b.txt'), 'utf8')).toBe('b');
  }, 120_000);
});

/**
 * The dashboard's live feed as web/src/lib/live.ts keeps it: replace the view on a snapshot,
 * apply transfer updates, and reconnect when the socket closes.
 */
class Browser {
  readonly messages: ServerMessage[] = [];
  connections = 0;
  secondSnapshotAt = -1;
  private readonly view = new Map<string, Transfer>();
  private socket: WebSocket | null = null;
  private closed = false;

  constructor(private readonly host: string) {
    this.connect();
  }

  transfer(id: string): Transfer | undefined {
    return this.view.get(id);
  }

  close(): void {
    this.closed = true;
    this.socket?.terminate();
  }

  private connect(): void {
    const socket = new WebSocket(`ws://${this.host}/api/ws`, {
      headers: { authorization: `Bearer ${NODE_TOKEN}`, origin: `http://${this.host}` },
    });
    this.socket = socket;
    socket.on('open', () => this.connections++);
    socket.on('message', (data) => {
      const message = JSON.parse(data.toString()) as ServerMessage;
      if (message.type === 'snapshot') {
        if (this.connections === 2 && this.secondSnapshotAt < 0) this.secondSnapshotAt = this.messages.length;
        this.view.clear();
        for (const transfer of message.transfers) this.view.set(transfer.id, transfer);
      } else if (message.type === 'transfer.updated') {
        const known = this.view.get(message.transfer.id);
        if (!known || known.version <= message.transfer.version) this.view.set(message.transfer.id, message.transfer);
      }
      this.messages.push(message);
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      if (!this.closed) setTimeout(() => this.connect(), 200);
    });
  }
}
