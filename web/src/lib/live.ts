/**
 * The small store the one WebSocket to the server feeds (live-connection.ts): sites, sessions,
 * transfers, queue and the control-connection log. The store follows "snapshot, then deltas": a
 * snapshot replaces everything; each delta must carry the next seq, and a gap asks the
 * server for a fresh snapshot instead of guessing what was missed.
 */
import { useSyncExternalStore } from 'react';
import {
  assertNever,
  type Job,
  type LiveSession,
  type LogLine,
  type QueueState,
  type RememberedRoute,
  type Run,
  type ServerMessage,
  type Site,
  type TraceEntry,
  type Transfer,
} from '../../../contract/index.js';
import { api } from './api.js';
import { createLiveConnection } from './live-connection.js';

export type LiveStatus = 'live' | 'reconnecting' | 'offline';
export type LogEntry = LogLine & { id: number };

export interface LiveState {
  status: LiveStatus;
  /** Whether this page has been live at least once (to say "connecting" rather than "reconnecting"). */
  everLive: boolean;
  /** seq of the last applied message on the current socket, null before its snapshot. */
  seq: number | null;
  /** True from connect (or a detected gap) until the next snapshot: deltas are dropped meanwhile. */
  awaitingSnapshot: boolean;
  /** Sorted by name. */
  sites: Site[];
  sessions: Record<string, LiveSession>;
  transfers: Record<string, Transfer>;
  queue: QueueState;
  /**
   * Mirror jobs and runs as last announced. Not in the snapshot: the Jobs view loads them over
   * HTTP and these keep it current, so a snapshot leaves them as they are.
   */
  jobs: Record<string, Job>;
  runs: Record<string, Run>;
  /**
   * Remembered routes as last announced, by routePairKey, null once forgotten (the Routes view
   * may hold one loaded over HTTP and never announced). Like jobs, not in the snapshot.
   */
  routes: Record<string, RememberedRoute | null>;
  log: LogEntry[];
  nextLogId: number;
  /** Trace events (a data connection, a relay, a ladder note) as announced; bounded like the log. */
  traceEvents: { transferId: string; entry: TraceEntry }[];
}

/** The log keeps the last lines only, so a chatty server cannot grow the page without bound. */
export const LOG_LIMIT = 2000;

export function initialLiveState(): LiveState {
  return {
    status: 'offline',
    everLive: false,
    seq: null,
    awaitingSnapshot: true,
    sites: [],
    sessions: {},
    transfers: {},
    queue: { paused: false, running: 0, waiting: 0 },
    jobs: {},
    runs: {},
    routes: {},
    log: [],
    nextLogId: 1,
    traceEvents: [],
  };
}

type Delta = Exclude<ServerMessage, { type: 'snapshot' }>;
/** A delta without its seq: what the HTTP answers feed in locally. */
export type LocalDelta = Delta extends infer D ? (D extends unknown ? Omit<D, 'seq'> : never) : never;

/** One ordered pair of sites, as a record key. */
export const routePairKey = (sourceSiteId: string, destinationSiteId: string) => `${sourceSiteId}>${destinationSiteId}`;

const byName = (a: Site, b: Site) => a.name.localeCompare(b.name, undefined, { sensitivity: 'base', numeric: true });

function withoutKey<T>(record: Record<string, T>, key: string): Record<string, T> {
  if (!(key in record)) return record;
  const next = { ...record };
  delete next[key];
  return next;
}

/**
 * Apply one delta to the state; pure, and ignores seq (reduceMessage checks it). A transfer
 * older (by version) than the one held is dropped, so a late HTTP answer cannot roll it back.
 */
export function applyDelta(state: LiveState, delta: LocalDelta): LiveState {
  switch (delta.type) {
    case 'transfer.updated': {
      // HTTP answers and the socket race: whichever carries the older version lost. The same
      // version is the same stored state with fresher progress, so it is taken.
      const known = state.transfers[delta.transfer.id];
      if (known && known.version > delta.transfer.version) return state;
      return { ...state, transfers: { ...state.transfers, [delta.transfer.id]: delta.transfer } };
    }
    case 'transfer.removed':
      return { ...state, transfers: withoutKey(state.transfers, delta.id) };
    case 'session.updated':
      return { ...state, sessions: { ...state.sessions, [delta.session.id]: delta.session } };
    case 'session.removed':
      return { ...state, sessions: withoutKey(state.sessions, delta.id) };
    case 'site.updated': {
      const others = state.sites.filter((site) => site.id !== delta.site.id);
      return { ...state, sites: [...others, delta.site].sort(byName) };
    }
    case 'site.removed':
      return { ...state, sites: state.sites.filter((site) => site.id !== delta.id) };
    case 'queue.updated':
      return { ...state, queue: delta.queue };
    case 'job.updated':
      return { ...state, jobs: { ...state.jobs, [delta.job.id]: delta.job } };
    case 'job.removed':
      return { ...state, jobs: withoutKey(state.jobs, delta.id) };
    case 'run.updated':
      return { ...state, runs: { ...state.runs, [delta.run.id]: delta.run } };
    case 'route.updated': {
      const key = routePairKey(delta.route.sourceSiteId, delta.route.destinationSiteId);
      return { ...state, routes: { ...state.routes, [key]: delta.route } };
    }
    case 'route.forgotten':
      return {
        ...state,
        routes: { ...state.routes, [routePairKey(delta.sourceSiteId, delta.destinationSiteId)]: null },
      };
    case 'log': {
      const entry: LogEntry = {
        id: state.nextLogId,
        sessionId: delta.sessionId,
        siteId: delta.siteId,
        direction: delta.direction,
        line: delta.line,
        at: delta.at,
        ...(delta.transferId !== undefined
          ? { transferId: delta.transferId, role: delta.role, traceSeq: delta.traceSeq, path: delta.path }
          : {}),
      };
      const kept = state.log.length >= LOG_LIMIT ? state.log.slice(state.log.length - LOG_LIMIT + 1) : state.log;
      return { ...state, log: [...kept, entry], nextLogId: state.nextLogId + 1 };
    }
    case 'trace.event': {
      const kept = state.traceEvents.length >= LOG_LIMIT ? state.traceEvents.slice(1) : state.traceEvents;
      return { ...state, traceEvents: [...kept, { transferId: delta.transferId, entry: delta.entry }] };
    }
    default:
      return assertNever(delta);
  }
}

export interface ReduceResult {
  state: LiveState;
  /** The client should send {"type":"resync"}: a seq was skipped. */
  resync: boolean;
}

export function reduceMessage(state: LiveState, message: ServerMessage): ReduceResult {
  if (message.type === 'snapshot') {
    const sessions: Record<string, LiveSession> = {};
    for (const session of message.sessions) sessions[session.id] = session;
    const transfers: Record<string, Transfer> = {};
    for (const transfer of message.transfers) transfers[transfer.id] = transfer;
    return {
      state: {
        ...state,
        seq: message.seq,
        awaitingSnapshot: false,
        sites: [...message.sites].sort(byName),
        sessions,
        transfers,
        queue: message.queue,
      },
      resync: false,
    };
  }
  if (state.awaitingSnapshot) return { state, resync: false };
  if (state.seq === null) return { state: { ...state, awaitingSnapshot: true }, resync: true };
  if (message.seq <= state.seq) return { state, resync: false };
  if (message.seq !== state.seq + 1) return { state: { ...state, awaitingSnapshot: true }, resync: true };
  const { seq, ...delta } = message;
  return { state: { ...applyDelta(state, delta as LocalDelta), seq }, resync: false };
}

// ---- store ------------------------------------------------------------------------------

export interface LiveStore {
  getState(): LiveState;
  subscribe(listener: () => void): () => void;
  /** Feed one server message; returns true when a resync must be requested. */
  receive(message: ServerMessage): boolean;
  /** A new socket opened: its seq numbering starts over with a snapshot. */
  socketOpened(): void;
  setStatus(status: LiveStatus): void;
  /** Apply what an HTTP answer already told us, without waiting for the socket. */
  applyLocal(delta: LocalDelta): void;
  /** What POST /api/transfers/clear took out: finished rows, failed ones only `withFailed`. */
  clearFinishedTransfers(withFailed?: boolean): void;
  clearLog(): void;
  reset(): void;
}

type Schedule = (flush: () => void) => void;

const defaultSchedule: Schedule = (flush) => {
  // One render per frame however many messages arrive; timers in tests and on the server.
  if (typeof requestAnimationFrame === 'function') requestAnimationFrame(flush);
  else setTimeout(flush, 16);
};

export function createLiveStore(schedule: Schedule = defaultSchedule): LiveStore {
  let current = initialLiveState();
  let published = current;
  let scheduled = false;
  const listeners = new Set<() => void>();

  const flush = () => {
    scheduled = false;
    if (published === current) return;
    published = current;
    for (const listener of listeners) listener();
  };
  const update = (next: LiveState) => {
    if (next === current) return;
    current = next;
    if (!scheduled) {
      scheduled = true;
      schedule(flush);
    }
  };

  return {
    getState: () => published,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    receive(message) {
      const result = reduceMessage(current, message);
      update(result.state);
      return result.resync;
    },
    socketOpened: () => update({ ...current, seq: null, awaitingSnapshot: true }),
    setStatus(status) {
      if (current.status === status) return;
      update({ ...current, status, everLive: current.everLive || status === 'live' });
    },
    applyLocal: (delta) => update(applyDelta(current, delta)),
    clearFinishedTransfers(withFailed = false) {
      const transfers: Record<string, Transfer> = {};
      const stays = (t: Transfer) =>
        t.state === 'queued' || t.state === 'running' || t.state === 'paused' || (t.state === 'failed' && !withFailed);
      for (const t of Object.values(current.transfers)) if (stays(t)) transfers[t.id] = t;
      update({ ...current, transfers });
    },
    clearLog: () => update({ ...current, log: [] }),
    reset: () => update({ ...initialLiveState(), nextLogId: current.nextLogId }),
  };
}

// ---- the app's instance and hooks ------------------------------------------------------

export const liveStore = createLiveStore();
export const liveConnection = createLiveConnection(liveStore, {
  checkSession: () => api.get('/api/session'),
});

export function useLive<T>(selector: (state: LiveState) => T): T {
  return useSyncExternalStore(liveStore.subscribe, () => selector(liveStore.getState()));
}

/** Actions that need the server are enabled only while the socket is live. */
export const useOnline = () => useLive((state) => state.status === 'live');
export const useSites = () => useLive((state) => state.sites);
