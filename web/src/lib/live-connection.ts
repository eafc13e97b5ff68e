/**
 * The one WebSocket to the server, feeding the store of live.ts: it hands each message to the
 * store, asks for a fresh snapshot when the store finds a gap, pings while idle, and reconnects
 * with backoff (after a socket that never opened, only once the login session checks out).
 */
import type { ServerMessage } from '../../../contract/index.js';
import type { LiveStore } from './live.js';

/** Exponential backoff with jitter: 0.5 s, 1 s, 2 s … capped at 10 s, each between 50% and 100%. */
export function backoffDelay(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(10_000, 500 * 2 ** Math.min(attempt, 16));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

interface SocketLike {
  readyState: number;
  onopen: ((event: Event) => void) | null;
  onmessage: ((event: MessageEvent) => void) | null;
  onclose: ((event: CloseEvent) => void) | null;
  onerror: ((event: Event) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export interface LiveConnectionOptions {
  url?: () => string;
  createSocket?: (url: string) => SocketLike;
  /** Asked after a socket that never opened: rejects when the session is gone (then we stop). */
  checkSession?: () => Promise<unknown>;
  random?: () => number;
}

export interface LiveConnection {
  start(): void;
  stop(): void;
  /** Reconnect now instead of waiting out the backoff (the browser came back online). */
  retryNow(): void;
}

const PING_EVERY_MS = 25_000;

function defaultUrl(): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}/api/ws`;
}

export function createLiveConnection(store: LiveStore, options: LiveConnectionOptions = {}): LiveConnection {
  const url = options.url ?? defaultUrl;
  const createSocket = options.createSocket ?? ((u: string) => new WebSocket(u) as SocketLike);
  let running = false;
  let socket: SocketLike | null = null;
  let attempt = 0;
  let reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  let pingTimer: ReturnType<typeof setInterval> | undefined;

  const clearTimers = () => {
    clearTimeout(reconnectTimer);
    clearInterval(pingTimer);
    reconnectTimer = undefined;
    pingTimer = undefined;
  };

  const send = (data: object) => {
    if (socket && socket.readyState === 1) socket.send(JSON.stringify(data));
  };

  const scheduleReconnect = (opened: boolean) => {
    const delay = backoffDelay(attempt, options.random);
    attempt += 1;
    reconnectTimer = setTimeout(() => {
      reconnectTimer = undefined;
      if (!running) return;
      if (opened || !options.checkSession) return connect();
      // An upgrade refused before it opened looks the same as a server that is down; the
      // session check tells them apart (a 401 signs the user out and stop() ends this loop).
      options.checkSession().then(
        () => running && connect(),
        () => running && scheduleReconnect(false),
      );
    }, delay);
  };

  const connect = () => {
    if (!running) return;
    if (store.getState().status !== 'live') store.setStatus('reconnecting');
    let opened = false;
    let ws: SocketLike;
    try {
      ws = createSocket(url());
    } catch {
      scheduleReconnect(false);
      return;
    }
    socket = ws;
    ws.onopen = () => {
      opened = true;
      store.socketOpened();
      pingTimer = setInterval(() => send({ type: 'ping' }), PING_EVERY_MS);
    };
    ws.onmessage = (event) => {
      if (typeof event.data !== 'string') return;
      let message: ServerMessage;
      try {
        message = JSON.parse(event.data) as ServerMessage;
      } catch {
        return;
      }
      if (typeof message !== 'object' || message === null || typeof message.type !== 'string') return;
      if (store.receive(message)) send({ type: 'resync' });
      if (message.type === 'snapshot') {
        attempt = 0;
        store.setStatus('live');
      }
    };
    ws.onclose = () => {
      if (socket !== ws) return;
      socket = null;
      clearTimers();
      if (!running) return;
      store.setStatus('reconnecting');
      scheduleReconnect(opened);
    };
    ws.onerror = () => {
      // A close event always follows; reconnecting is handled there.
    };
  };

  return {
    start() {
      if (running) return;
      running = true;
      attempt = 0;
      connect();
    },
    stop() {
      running = false;
      clearTimers();
      const ws = socket;
      socket = null;
      if (ws && ws.readyState < 2) ws.close(1000, 'signed out');
      store.reset();
      store.setStatus('offline');
    },
    retryNow() {
      if (!running || socket) return;
      clearTimeout(reconnectTimer);
      attempt = 0;
      connect();
    },
  };
}
