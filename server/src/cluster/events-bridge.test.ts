/** The events bridge between EventBuses of "nodes" in this process, on a real PostgreSQL. */
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import type { LiveEvent, Transfer, TransferState } from '../../../contract/index.js';
import { eventually } from '../../test/app.js';
import { skipWithoutPostgres, withPostgres } from '../../test/postgres.js';
import type { Role } from '../config.js';
import { EventBus } from '../events.js';
import { bridgeApplicationName, startEventsBridge, type SnapshotBody } from './events-bridge.js';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function transfer(id: string, version: number, state: Transfer['state'], bytesDone = 0): Transfer {
  return {
    id,
    version,
    state,
    mode: 'fxp',
    requestedMode: 'auto',
    ifExists: 'overwrite',
    kind: 'file',
    name: 'big.iso',
    source: { siteId: 'a', path: '/pub/big.iso' },
    destination: { siteId: 'b', dir: '/in' },
    bytesDone,
    bytesTotal: 100_000,
    bytesPerSecond: bytesDone > 0 ? 50_000 : 0,
    filesDone: state === 'done' ? 1 : 0,
    filesFailed: 0,
    filesSkipped: 0,
    filesTotal: 1,
    verified: null,
    position: 1,
    attempts: 0,
    notes: [],
    createdAt: '2026-01-01T00:00:00.000Z',
  };
}

const updated = (t: Transfer): LiveEvent => ({ type: 'transfer.updated', transfer: t });
const line = (text: string): LiveEvent => ({
  type: 'log',
  sessionId: 's1',
  siteId: 'a',
  direction: 'sent',
  line: text,
  at: '2026-01-01T00:00:00.000Z',
});
const updatesOf = (events: LiveEvent[], id: string): Transfer[] =>
  events.flatMap((e) => (e.type === 'transfer.updated' && e.transfer.id === id ? [e.transfer] : []));
const linesOf = (events: LiveEvent[]): string[] => events.flatMap((e) => (e.type === 'log' ? [e.line] : []));

describe.skipIf(skipWithoutPostgres())('events bridge', () => {
  const postgres = withPostgres('test');

  /** A node: its bus, what arrived on it, and what its bridge asked of its hub. */
  async function node(id: string, role: Role, announceMs = 2_000) {
    const bus = new EventBus();
    const seen: LiveEvent[] = [];
    bus.on('event', (event) => seen.push(event));
    const hub = { resyncs: 0, layers: [] as ((body: SnapshotBody) => SnapshotBody)[] };
    const warnings: string[] = [];
    const bridge = await startEventsBridge({
      bus,
      node: { id, role, tags: [] },
      databaseUrl: postgres.url,
      log: { info: () => undefined, warn: (_details, message) => warnings.push(message) },
      hub: { resync: () => void hub.resyncs++, layerSnapshots: (layer) => void hub.layers.push(layer) },
      announceMs,
      reconnectMs: 100,
    });
    cleanup.push(() => bridge.close());
    return { bus, seen, hub, warnings, bridge };
  }

  it('events published on A arrive on B in order, and none comes back to A', async () => {
    const a = await node('node-a', 'all');
    const b = await node('node-b', 'all');
    const published: LiveEvent[] = [
      updated(transfer('t1', 1, 'queued')),
      ...Array.from({ length: 30 }, (_, i) => line(`STOR file${i}.bin`)),
      { type: 'transfer.removed', id: 't0' },
      updated(transfer('t2', 1, 'queued')),
      { type: 'queue.updated', queue: { paused: false, running: 1, waiting: 1 } },
      line('QUIT'),
    ];
    for (const event of published) a.bus.publish(event);

    await eventually(() => b.seen.length === published.length);
    expect(b.seen).toEqual(published);
    await sleep(500); // B republished them: had it sent them on, A would hear them by now
    expect(a.seen).toEqual(published);
    expect(a.seen.every((event, i) => event === published[i])).toBe(true);
  });

  it('coalesces 50 progress events in 100 ms into a handful, the newest last', async () => {
    const a = await node('worker-a', 'worker');
    const b = await node('web-b', 'web');
    for (let i = 1; i <= 50; i++) {
      a.bus.publish(updated(transfer('t1', 3, 'running', i * 1000)));
      await sleep(2);
    }
    await eventually(() => updatesOf(b.seen, 't1').at(-1)?.bytesDone === 50_000);
    await sleep(400); // nothing else is still on its way
    const arrived = updatesOf(b.seen, 't1');
    expect(arrived.length).toBeGreaterThanOrEqual(1);
    expect(arrived.length).toBeLessThanOrEqual(4);
    expect(arrived.at(-1)).toEqual(transfer('t1', 3, 'running', 50_000));
  });

  it('never holds back a state change: queued, running and done right after progress all arrive, in order', async () => {
    const a = await node('worker-a', 'worker');
    const b = await node('web-b', 'web');
    a.bus.publish(updated(transfer('t1', 1, 'queued')));
    a.bus.publish(updated(transfer('t1', 2, 'running')));
    for (let i = 1; i <= 10; i++) a.bus.publish(updated(transfer('t1', 2, 'running', i * 100)));
    a.bus.publish(updated(transfer('t1', 3, 'done', 100_000)));

    await eventually(() => updatesOf(b.seen, 't1').some((t) => t.state === 'done'));
    const states = updatesOf(b.seen, 't1').map((t) => t.state);
    const changes = states.filter((state, i) => state !== states[i - 1]);
    expect(changes).toEqual<TransferState[]>(['queued', 'running', 'done']);
    expect(updatesOf(b.seen, 't1').at(-1)).toEqual(transfer('t1', 3, 'done', 100_000));
  });

  it('drops a transfer older than one already seen: a late word from the worker that lost the file', async () => {
    const first = await node('worker-a', 'worker');
    const second = await node('worker-c', 'worker');
    const b = await node('web-b', 'web');
    second.bus.publish(updated(transfer('t1', 5, 'running', 4000)));
    await eventually(() => updatesOf(b.seen, 't1').length === 1);

    first.bus.publish(updated(transfer('t1', 4, 'running', 9000)));
    first.bus.publish(line('after the stale one'));
    await eventually(() => linesOf(b.seen).includes('after the stale one'));
    second.bus.publish(updated(transfer('t1', 5, 'running', 5000))); // same version: fresher progress
    await eventually(() => updatesOf(b.seen, 't1').length === 2);
    expect(updatesOf(b.seen, 't1').map((t) => [t.version, t.bytesDone])).toEqual([
      [5, 4000],
      [5, 5000],
    ]);
  });

  it('sends an event too large for one NOTIFY in parts, whole and in its place; past 4 MiB the receivers resync', async () => {
    const a = await node('worker-a', 'worker');
    const b = await node('web-b', 'web');
    const big = transfer('t1', 2, 'failed');
    // Quotes, backslashes, controls and characters of several bytes: the parts are cut in bytes.
    big.notes = Array.from({ length: 20 }, (_, i) => `${i}: "é\\ñ"\n\u0001 ✓ 🚀 `.repeat(150));
    big.error = { code: 'refused', message: 'ü'.repeat(9000) };
    const published = [line('before'), updated(big), line('after')];
    for (const event of published) a.bus.publish(event);
    await eventually(() => linesOf(b.seen).includes('after'));
    expect(JSON.stringify(big).length).toBeGreaterThan(30_000);
    expect(b.seen).toEqual(published);
    expect(b.hub.resyncs).toBe(0);

    a.bus.publish(line('x'.repeat(5 * 1024 * 1024)));
    a.bus.publish(line('next'));
    await eventually(() => linesOf(b.seen).includes('next'));
    expect(linesOf(b.seen)).toEqual(['before', 'after', 'next']);
    expect(b.hub.resyncs).toBe(1);
    expect(a.warnings).toEqual([expect.stringMatching(/too large/)]);
  });

  it('takes its LISTEN connection again when the server ends it, resyncs its hub, and gets later events', async () => {
    const a = await node('worker-a', 'worker');
    const b = await node('web-b', 'web');
    a.bus.publish(line('one'));
    await eventually(() => linesOf(b.seen).includes('one'));

    const admin = new pg.Client(postgres.url);
    await admin.connect();
    cleanup.push(() => admin.end());
    const name = bridgeApplicationName({ id: 'web-b', role: 'web', tags: [] });
    const backends = async () =>
      (await admin.query('SELECT pid FROM pg_stat_activity WHERE application_name = $1', [name])).rows.map(
        (row: { pid: number }) => row.pid,
      );
    const [before] = await backends();
    expect(before).toBeDefined();
    const ended = await admin.query('SELECT pg_terminate_backend($1) AS ok', [before]);
    expect(ended.rows[0].ok).toBe(true);

    await eventually(() => b.hub.resyncs === 1);
    const after = await backends();
    expect(after).toHaveLength(1);
    expect(after[0]).not.toBe(before);
    a.bus.publish(line('two'));
    await eventually(() => linesOf(b.seen).includes('two'));
    expect(b.warnings).toContain('events bridge: connection lost, taking it again');
  });

  it('a worker watches while a web node has a browser watching, and two nodes never keep each other watching', async () => {
    const worker = await node('worker-a', 'worker', 100);
    const web = await node('web-b', 'all', 100);
    const other = await node('all-c', 'all', 100);
    await sleep(300);
    expect([worker.bus.watched, web.bus.watched, other.bus.watched]).toEqual([false, false, false]);

    const browser = web.bus.watch(); // what the Hub does for each connected browser
    await eventually(() => worker.bus.watched && other.bus.watched);
    browser();
    // Three announcement periods without word, and everyone lets go, 'all' nodes included.
    await eventually(() => !worker.bus.watched && !web.bus.watched && !other.bus.watched, 3_000);
  });

  it('lays the newest bridged state of a running transfer over the store’s snapshot, while the versions agree', async () => {
    const a = await node('worker-a', 'worker');
    const b = await node('web-b', 'web');
    a.bus.publish(updated(transfer('t1', 4, 'running', 60_000)));
    a.bus.publish(updated(transfer('t2', 2, 'running', 10_000)));
    await eventually(() => updatesOf(b.seen, 't2').length === 1);

    const stored: SnapshotBody = {
      sites: [],
      sessions: [],
      queue: { paused: false, running: 2, waiting: 0 },
      // t1 as the store has it: same version, no bytes of the running file. t2: the store is newer.
      transfers: [transfer('t1', 4, 'running', 0), transfer('t2', 3, 'running', 0), transfer('t3', 1, 'queued')],
    };
    const [layer] = b.hub.layers;
    expect(layer!(stored).transfers).toEqual([
      transfer('t1', 4, 'running', 60_000),
      transfer('t2', 3, 'running', 0),
      transfer('t3', 1, 'queued'),
    ]);

    a.bus.publish(updated(transfer('t1', 5, 'done', 100_000)));
    await eventually(() => updatesOf(b.seen, 't1').length === 2);
    expect(layer!({ ...stored, transfers: [transfer('t1', 5, 'done', 100_000)] }).transfers).toEqual([
      transfer('t1', 5, 'done', 100_000),
    ]);
  });
});
