/**
 * Fault: a live-feed client that stops reading (its TCP socket paused) while the server emits
 * a flood of events. The hub must drop that client with 1013 instead of buffering for it, the
 * server's memory must stay flat, and a normal client alongside must keep receiving every
 * event in order. A real listening app and real `ws` clients on loopback.
 */
import type net from 'node:net';
import v8 from 'node:v8';
import vm from 'node:vm';
import { afterEach, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Transfer } from '../../../contract/index.js';
import { eventually, startTestApp, TOKEN } from '../app.js';

const MiB = 1024 * 1024;
const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

/** A transfer update of ~16 KiB (its notes), each of a new transfer. */
function bulkyUpdate(i: number): Transfer {
  return {
    id: `flood-${i}`,
    version: 1,
    state: 'running',
    mode: 'fxp',
    requestedMode: 'auto',
    ifExists: 'overwrite',
    kind: 'file',
    name: `file-${i}.bin`,
    source: { siteId: 'a', path: `/file-${i}.bin` },
    destination: { siteId: 'b', dir: '/' },
    bytesDone: i,
    bytesTotal: 1e9,
    bytesPerSecond: 0,
    filesDone: 0,
    filesFailed: 0,
    filesSkipped: 0,
    filesTotal: 1,
    verified: null,
    position: i,
    attempts: 0,
    notes: Array.from({ length: 32 }, (_, n) => `note ${n} of update ${i}: ${'x'.repeat(480)}`),
    createdAt: new Date(0).toISOString(),
  };
}

interface Feed {
  socket: WebSocket;
  /** The underlying TCP socket, to stop reading as a stuck browser tab does. */
  tcp: net.Socket;
  received: number;
  floodSeen: number;
  seqGaps: number;
  closed: Promise<{ code: number; reason: string }>;
}

async function openFeed(url: string): Promise<Feed> {
  const socket = new WebSocket(url, { headers: { authorization: `Bearer ${TOKEN}` } });
  let tcp: net.Socket | undefined;
  socket.on('upgrade', (response) => (tcp = response.socket as net.Socket));
  const feed = { socket, received: 0, floodSeen: 0, seqGaps: 0 } as Feed;
  let lastSeq = 0;
  socket.on('message', (data) => {
    const text = data.toString();
    // The hub writes seq first; reading it this way keeps a fast client fast.
    const seq = Number(/^\{"seq":(\d+),/.exec(text)?.[1]);
    if (seq !== lastSeq + 1) feed.seqGaps++;
    lastSeq = seq;
    feed.received++;
    if (text.includes('"id":"flood-')) feed.floodSeen++;
  });
  feed.closed = new Promise((resolve) =>
    socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  feed.tcp = tcp!;
  await eventually(() => feed.received > 0); // the snapshot
  cleanup.push(() => socket.terminate());
  return feed;
}

// A full collection before each reading: what is retained, not garbage not yet collected.
v8.setFlagsFromString('--expose-gc');
const collectGarbage = vm.runInNewContext('gc') as () => void;
const retained = () => {
  collectGarbage();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.external;
};

it('drops a client that stops reading (1013), keeps memory flat, and a normal client gets everything', async () => {
  const t = await startTestApp();
  cleanup.push(() => t.close());
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = t.app.server.address() as net.AddressInfo;
  const url = `ws://127.0.0.1:${port}/api/ws`;
  const { hub, events } = t.app.services;

  const normal = await openFeed(url);
  const stuck = await openFeed(url);
  expect(hub.size).toBe(2);
  stuck.tcp.pause();

  // ~20 MiB/s for 4 s: 1 MiB per 50 ms tick, far more than the hub's 4 MiB allowance.
  const PER_TICK = 64;
  const TICKS = 80;
  const before = retained();
  let peak = before;
  let published = 0;
  for (let tick = 1; tick <= TICKS; tick++) {
    for (let i = 0; i < PER_TICK; i++) events.publish({ type: 'transfer.updated', transfer: bulkyUpdate(published++) });
    await new Promise((resolve) => setTimeout(resolve, 50));
    if (tick % 10 === 0) peak = Math.max(peak, retained());
  }
  await eventually(() => normal.floodSeen === published, 10_000);
  const floodBytes = published * JSON.stringify(bulkyUpdate(0)).length;
  expect(floodBytes).toBeGreaterThan(64 * MiB);

  // The normal client got every update, in order, and is still connected.
  expect(normal.seqGaps).toBe(0);
  expect(normal.socket.readyState).toBe(WebSocket.OPEN);
  // Memory stayed far below what buffering the flood for the stuck client takes (~80 MiB
  // retained when the hub's limit is lifted; ~7 MiB with it).
  expect(peak - before).toBeLessThan(24 * MiB);

  // Reading again, the stuck client finds what was in flight, then the hub's 1013.
  stuck.tcp.resume();
  const closed = await stuck.closed;
  expect(closed).toEqual({ code: 1013, reason: 'too slow: reconnect and resync' });
  expect(stuck.floodSeen).toBeLessThan(published / 4);
  await eventually(() => hub.size === 1);

  // And a reconnect gets a fresh snapshot, as the close reason says.
  const again = await openFeed(url);
  expect(again.received).toBeGreaterThanOrEqual(1);
  expect(hub.size).toBe(2);
});
