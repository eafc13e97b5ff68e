import { describe, it, expect, vi } from 'vitest';
import type { LiveSession, RememberedRoute, ServerMessage, Site, Transfer } from '../../../contract/index.js';
import {
  LOG_LIMIT,
  applyDelta,
  createLiveStore,
  initialLiveState,
  reduceMessage,
  routePairKey,
  type LiveState,
} from './live.js';
import { backoffDelay, createLiveConnection } from './live-connection.js';

const site = (id: string, name: string): Site => ({
  id,
  name,
  host: '127.0.0.1',
  port: 21,
  user: 'anonymous',
  tls: 'none',
  fingerprint256: null,
  maxConnections: 2,
  passive: 'auto',
  relayAllowed: true,
  allowClearData: false,
  pasvAddress: 'control',
  pret: 'auto',
  hasPassword: false,
  createdAt: '2026-11-24T09:00:00.000Z',
  updatedAt: '2026-11-24T09:00:00.000Z',
});

const transfer = (id: string, patch: Partial<Transfer> = {}): Transfer => ({
  id,
  version: 1,
  state: 'queued',
  mode: null,
  requestedMode: 'auto',
  ifExists: 'overwrite',
  kind: 'file',
  name: `${id}.bin`,
  source: { siteId: 'a', path: `/${id}.bin` },
  destination: { siteId: 'b', dir: '/' },
  bytesDone: 0,
  bytesTotal: 1000,
  bytesPerSecond: 0,
  filesDone: 0,
  filesFailed: 0,
  filesSkipped: 0,
  verified: null,
  filesTotal: 1,
  position: 1,
  attempts: 0,
  notes: [],
  createdAt: '2026-11-24T09:00:00.000Z',
  ...patch,
});

const session: LiveSession = { id: 's1', siteId: 'a', state: 'idle', since: '2026-11-24T09:00:00.000Z' };

const snapshot = (seq: number, transfers: Transfer[] = [transfer('t1')]): ServerMessage => ({
  type: 'snapshot',
  seq,
  sites: [site('b', 'beta'), site('a', 'alpha')],
  sessions: [session],
  transfers,
  queue: { paused: false, running: 0, waiting: transfers.length },
});

const log = (seq: number, line: string): ServerMessage => ({
  type: 'log',
  seq,
  sessionId: 's1',
  siteId: 'a',
  direction: 'sent',
  line,
  at: '2026-11-24T09:00:01.000Z',
});

function run(messages: ServerMessage[], start: LiveState = initialLiveState()) {
  let state = start;
  const resyncs: number[] = [];
  for (const message of messages) {
    const result = reduceMessage(state, message);
    state = result.state;
    if (result.resync) resyncs.push(message.seq);
  }
  return { state, resyncs };
}

describe('reduceMessage', () => {
  it('takes everything from a snapshot, sites sorted by name', () => {
    const { state } = run([snapshot(1)]);
    expect(state.seq).toBe(1);
    expect(state.awaitingSnapshot).toBe(false);
    expect(state.sites.map((s) => s.name)).toEqual(['alpha', 'beta']);
    expect(Object.keys(state.transfers)).toEqual(['t1']);
    expect(state.sessions.s1).toEqual(session);
    expect(state.queue.waiting).toBe(1);
  });

  it('replaces, not merges, on a later snapshot but keeps the log', () => {
    const { state } = run([snapshot(1), log(2, 'PASV'), snapshot(3, [transfer('t2')])]);
    expect(Object.keys(state.transfers)).toEqual(['t2']);
    expect(state.log.map((l) => l.line)).toEqual(['PASV']);
    expect(state.seq).toBe(3);
  });

  it('applies deltas in seq order', () => {
    const { state, resyncs } = run([
      snapshot(10),
      { type: 'transfer.updated', seq: 11, transfer: transfer('t1', { state: 'running', bytesDone: 500 }) },
      { type: 'session.updated', seq: 12, session: { ...session, state: 'transferring', command: 'RETR a.bin' } },
      { type: 'site.updated', seq: 13, site: site('c', 'aardvark') },
      { type: 'site.removed', seq: 14, id: 'b' },
      { type: 'queue.updated', seq: 15, queue: { paused: true, running: 1, waiting: 0 } },
      { type: 'transfer.updated', seq: 16, transfer: transfer('t9') },
      { type: 'transfer.removed', seq: 17, id: 't1' },
      { type: 'session.removed', seq: 18, id: 's1' },
    ]);
    expect(resyncs).toEqual([]);
    expect(state.seq).toBe(18);
    expect(Object.keys(state.transfers)).toEqual(['t9']);
    expect(state.sessions).toEqual({});
    expect(state.sites.map((s) => s.name)).toEqual(['aardvark', 'alpha']);
    expect(state.queue.paused).toBe(true);
  });

  it('updates a transfer in place with the newest progress', () => {
    const { state } = run([
      snapshot(1),
      { type: 'transfer.updated', seq: 2, transfer: transfer('t1', { state: 'running', bytesDone: 300 }) },
      { type: 'transfer.updated', seq: 3, transfer: transfer('t1', { state: 'running', bytesDone: 700 }) },
    ]);
    expect(state.transfers.t1?.bytesDone).toBe(700);
  });

  it('asks for a resync on a gap and drops deltas until the snapshot', () => {
    const { state, resyncs } = run([
      snapshot(1),
      log(2, 'USER a'),
      log(4, 'lost ordering'),
      log(5, 'still waiting'),
      snapshot(6, []),
      log(7, 'after'),
    ]);
    expect(resyncs).toEqual([4]);
    expect(state.log.map((l) => l.line)).toEqual(['USER a', 'after']);
    expect(state.transfers).toEqual({});
    expect(state.seq).toBe(7);
  });

  it('ignores duplicated or old seqs', () => {
    const { state, resyncs } = run([snapshot(1), log(2, 'one'), log(2, 'one again'), log(1, 'older')]);
    expect(resyncs).toEqual([]);
    expect(state.log.map((l) => l.line)).toEqual(['one']);
  });

  it('ignores deltas that arrive before the first snapshot', () => {
    const { state, resyncs } = run([log(1, 'early'), snapshot(2), log(3, 'ok')]);
    expect(resyncs).toEqual([]);
    expect(state.log.map((l) => l.line)).toEqual(['ok']);
  });

  it('caps the log at LOG_LIMIT lines, keeping the newest', () => {
    const messages: ServerMessage[] = [snapshot(0)];
    for (let i = 1; i <= LOG_LIMIT + 25; i += 1) messages.push(log(i, `line ${i}`));
    const { state } = run(messages);
    expect(state.log).toHaveLength(LOG_LIMIT);
    expect(state.log[0]?.line).toBe('line 26');
    expect(state.log.at(-1)?.line).toBe(`line ${LOG_LIMIT + 25}`);
    const ids = state.log.map((l) => l.id);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('applyDelta', () => {
  it('does not touch seq (used for answers of HTTP calls)', () => {
    const { state } = run([snapshot(5)]);
    const next = applyDelta(state, { type: 'transfer.updated', transfer: transfer('t3') });
    expect(next.seq).toBe(5);
    expect(next.transfers.t3?.name).toBe('t3.bin');
  });
});

describe('remembered routes', () => {
  it('keeps the newest per pair and marks a forgotten pair null (the view may hold it from HTTP)', () => {
    const route: RememberedRoute = {
      sourceSiteId: 'a',
      destinationSiteId: 'b',
      sourceSiteName: 'alpha',
      destinationSiteName: 'beta',
      route: { mode: 'relay', pret: false },
      description: 'relay through pasv',
      workedAt: '2026-11-24T09:00:00.000Z',
      failures: [],
    };
    let state = applyDelta(initialLiveState(), { type: 'route.updated', route });
    expect(state.routes).toEqual({ [routePairKey('a', 'b')]: route });
    state = applyDelta(state, { type: 'route.forgotten', sourceSiteId: 'b', destinationSiteId: 'a' });
    state = applyDelta(state, { type: 'route.forgotten', sourceSiteId: 'a', destinationSiteId: 'b' });
    expect(state.routes).toEqual({ [routePairKey('a', 'b')]: null, [routePairKey('b', 'a')]: null });
  });
});

describe('createLiveStore', () => {
  it('publishes on flush, once per batch', () => {
    const pending: Array<() => void> = [];
    const store = createLiveStore((flush) => pending.push(flush));
    let notified = 0;
    store.subscribe(() => (notified += 1));
    store.socketOpened();
    expect(store.receive(snapshot(1))).toBe(false);
    expect(store.receive(log(2, 'NOOP'))).toBe(false);
    expect(store.getState().seq).toBeNull();
    expect(pending).toHaveLength(1);
    pending.shift()?.();
    expect(notified).toBe(1);
    expect(store.getState().log).toHaveLength(1);
    expect(store.receive(log(9, 'gap'))).toBe(true);
  });

  it('keeps unfinished and failed transfers on clearFinished, failed ones gone only when asked', () => {
    const pending: Array<() => void> = [];
    const store = createLiveStore((flush) => pending.push(flush));
    store.receive(
      snapshot(1, [
        transfer('q'),
        transfer('r', { state: 'running' }),
        transfer('p', { state: 'paused' }),
        transfer('d', { state: 'done' }),
        transfer('s', { state: 'skipped' }),
        transfer('f', { state: 'failed' }),
      ]),
    );
    store.clearFinishedTransfers();
    pending.splice(0).forEach((flush) => flush());
    expect(Object.keys(store.getState().transfers).sort()).toEqual(['f', 'p', 'q', 'r']);
    store.clearFinishedTransfers(true);
    pending.splice(0).forEach((flush) => flush());
    expect(Object.keys(store.getState().transfers).sort()).toEqual(['p', 'q', 'r']);
  });
});

describe('transfer versions', () => {
  it('keeps a newer socket update when a late HTTP answer carries an older version', () => {
    const store = createLiveStore((flush) => flush());
    store.socketOpened();
    store.receive(snapshot(1, [transfer('t1', { version: 4, state: 'failed' })]));
    // Retry answered with v5 (queued), but the socket already said v6: the runner started it.
    store.receive({ type: 'transfer.updated', seq: 2, transfer: transfer('t1', { version: 6, state: 'running' }) });
    store.applyLocal({ type: 'transfer.updated', transfer: transfer('t1', { version: 5, state: 'queued' }) });
    expect(store.getState().transfers.t1).toMatchObject({ version: 6, state: 'running' });
  });

  it('keeps a newer HTTP answer when an older socket update is still in flight', () => {
    const store = createLiveStore((flush) => flush());
    store.socketOpened();
    store.receive(snapshot(1, [transfer('t1', { version: 4, state: 'running' })]));
    store.applyLocal({ type: 'transfer.updated', transfer: transfer('t1', { version: 7, state: 'cancelled' }) });
    store.receive({ type: 'transfer.updated', seq: 2, transfer: transfer('t1', { version: 6, state: 'running' }) });
    expect(store.getState().transfers.t1).toMatchObject({ version: 7, state: 'cancelled' });
    expect(store.getState().seq).toBe(2);
  });

  it('takes progress at the same version and anything newer', () => {
    const { state } = run([
      snapshot(1, [transfer('t1', { version: 3, state: 'running', bytesDone: 100 })]),
      { type: 'transfer.updated', seq: 2, transfer: transfer('t1', { version: 3, state: 'running', bytesDone: 400 }) },
    ]);
    expect(state.transfers.t1?.bytesDone).toBe(400);
    const next = applyDelta(state, {
      type: 'transfer.updated',
      transfer: transfer('t1', { version: 4, state: 'done' }),
    });
    expect(next.transfers.t1?.state).toBe('done');
  });
});

describe('backoffDelay', () => {
  it('grows from 0.5 s to a 10 s cap, jittered between half and full', () => {
    expect(backoffDelay(0, () => 1)).toBe(500);
    expect(backoffDelay(0, () => 0)).toBe(250);
    expect(backoffDelay(1, () => 1)).toBe(1000);
    expect(backoffDelay(4, () => 1)).toBe(8000);
    expect(backoffDelay(5, () => 1)).toBe(10_000);
    expect(backoffDelay(50, () => 0.5)).toBe(7500);
  });
});

class FakeSocket {
  static instances: FakeSocket[] = [];
  readyState = 0;
  sent: string[] = [];
  onopen: ((event: Event) => void) | null = null;
  onmessage: ((event: MessageEvent) => void) | null = null;
  onclose: ((event: CloseEvent) => void) | null = null;
  onerror: ((event: Event) => void) | null = null;
  constructor(readonly url: string) {
    FakeSocket.instances.push(this);
  }
  send(data: string) {
    this.sent.push(data);
  }
  close() {
    this.readyState = 3;
  }
  open() {
    this.readyState = 1;
    this.onopen?.({} as Event);
  }
  deliver(message: ServerMessage) {
    this.onmessage?.({ data: JSON.stringify(message) } as MessageEvent);
  }
  drop() {
    this.readyState = 3;
    this.onclose?.({} as CloseEvent);
  }
}

describe('createLiveConnection', () => {
  it('goes live on the snapshot, sends resync on a gap, reconnects after a drop', async () => {
    FakeSocket.instances = [];
    const store = createLiveStore((flush) => flush());
    const connection = createLiveConnection(store, {
      url: () => 'ws://127.0.0.1/api/ws',
      createSocket: (url) => new FakeSocket(url),
      random: () => 0,
    });
    connection.start();
    expect(store.getState().status).toBe('reconnecting');
    const first = FakeSocket.instances[0]!;
    first.open();
    first.deliver(snapshot(1));
    expect(store.getState().status).toBe('live');
    first.deliver(log(3, 'skipped 2'));
    expect(first.sent.map((s) => JSON.parse(s))).toEqual([{ type: 'resync' }]);

    first.drop();
    expect(store.getState().status).toBe('reconnecting');
    await vi.waitFor(() => expect(FakeSocket.instances).toHaveLength(2));
    const second = FakeSocket.instances[1]!;
    second.open();
    second.deliver(snapshot(1, []));
    expect(store.getState().status).toBe('live');
    expect(store.getState().transfers).toEqual({});

    connection.stop();
    expect(store.getState().status).toBe('offline');
    expect(second.readyState).toBe(3);
  });
});
