/**
 * The WebSocket hub: each client gets a snapshot, then the service events, numbered by seq.
 * Transfer updates go out as they come: transfers/ publishes a transfer's progress at most
 * ~5 times a second and its state changes at once, and a second throttle here would only
 * delay those. Updates to the same session, site or queue are coalesced (the newest wins)
 * and flushed with the log lines a few times a second. A client that doesn't read is dropped
 * rather than buffered without bound.
 */
import type { WebSocket } from 'ws';
import { Value } from 'typebox/value';
import { ClientMessage, type LiveEvent, type ServerMessage, type Snapshot } from '../../../contract/index.js';
import { coalescingKey, type EventBus } from '../events.js';

export interface HubOptions {
  /** How often pending session, site and queue updates and log lines are flushed to each client (default 200 ms). */
  flushMs?: number;
  /** A client whose socket has more than this unsent is dropped (default 4 MiB). */
  maxBufferedBytes?: number;
  /** Most log lines kept for one flush; older ones are dropped and counted. */
  maxPendingLogLines?: number;
  /** Ping interval; a client that misses a pong is closed (default 30 s). */
  heartbeatMs?: number;
  /** Called before anything is sent: the store commits what an event may report (GroupCommit). */
  beforeSend?: () => void;
}

type SnapshotBody = Omit<Snapshot, 'type'>;

/** One connected browser or script. */
class Client {
  private seq = 0;
  private readonly pending = new Map<string, LiveEvent>();
  private logLines: LiveEvent[] = [];
  alive = true;

  constructor(
    readonly socket: WebSocket,
    private readonly options: Required<HubOptions>,
  ) {}

  send(message: Omit<ServerMessage, 'seq'> | LiveEvent): void {
    if (this.socket.readyState !== this.socket.OPEN) return;
    this.options.beforeSend();
    if (this.socket.bufferedAmount > this.options.maxBufferedBytes) {
      this.socket.close(1013, 'too slow: reconnect and resync');
      return;
    }
    // Every client gets the same event: serialize it once, then prepend this client's seq.
    this.socket.send(`{"seq":${++this.seq},${serialized(message).slice(1)}`);
  }

  queue(event: LiveEvent): void {
    // Trace events keep their place among the lines they came between.
    if (event.type === 'log' || event.type === 'trace.event') {
      this.logLines.push(event);
      if (this.logLines.length > this.options.maxPendingLogLines) this.logLines.shift();
      return;
    }
    if (event.type === 'transfer.updated' || event.type === 'transfer.removed') {
      this.send(event);
      return;
    }
    const key = coalescingKey(event)!; // every event but log lines and trace entries has one
    this.pending.delete(key); // re-insert so the order follows the newest update
    this.pending.set(key, event);
  }

  flush(): void {
    const events = [...this.pending.values()];
    this.pending.clear();
    const lines = this.logLines;
    this.logLines = [];
    for (const event of events) this.send(event);
    for (const line of lines) this.send(line);
  }

  resetPending(): void {
    this.pending.clear();
    this.logLines = [];
  }
}

const serializedEvents = new WeakMap<object, string>();

function serialized(message: object): string {
  let json = serializedEvents.get(message);
  if (json === undefined) {
    json = JSON.stringify(message);
    serializedEvents.set(message, json);
  }
  return json;
}

export class Hub {
  private readonly clients = new Set<Client>();
  private readonly options: Required<HubOptions>;
  private readonly flushTimer: NodeJS.Timeout;
  private readonly heartbeatTimer: NodeJS.Timeout;
  private readonly layers: ((body: SnapshotBody) => SnapshotBody)[] = [];
  private readonly onEvent = (event: LiveEvent) => {
    for (const client of this.clients) client.queue(event);
  };

  constructor(
    private readonly events: EventBus,
    private readonly snapshot: () => SnapshotBody,
    options: HubOptions = {},
  ) {
    this.options = {
      flushMs: options.flushMs ?? 200,
      maxBufferedBytes: options.maxBufferedBytes ?? 4 * 1024 * 1024,
      maxPendingLogLines: options.maxPendingLogLines ?? 500,
      heartbeatMs: options.heartbeatMs ?? 30_000,
      beforeSend: options.beforeSend ?? (() => undefined),
    };
    events.on('event', this.onEvent);
    this.flushTimer = setInterval(() => this.clients.forEach((c) => c.flush()), this.options.flushMs);
    this.heartbeatTimer = setInterval(() => this.heartbeat(), this.options.heartbeatMs);
    this.flushTimer.unref();
    this.heartbeatTimer.unref();
  }

  get size(): number {
    return this.clients.size;
  }

  /** Attach a socket: listeners first (synchronously), then the snapshot. */
  accept(socket: WebSocket): void {
    const client = new Client(socket, this.options);
    this.clients.add(client);
    const unwatch = this.events.watch();
    socket.on('pong', () => (client.alive = true));
    socket.on('close', () => {
      this.clients.delete(client);
      unwatch();
    });
    socket.on('error', () => socket.terminate());
    socket.on('message', (data, isBinary) => {
      try {
        const message: unknown = isBinary ? null : JSON.parse(data.toString());
        if (!Value.Check(ClientMessage, message)) socket.close(1008, 'unknown message');
        else if (message.type === 'resync') this.sendSnapshot(client);
      } catch {
        socket.close(1007, 'messages must be JSON');
      }
    });
    this.sendSnapshot(client);
  }

  /**
   * Close every live socket but keep serving: each client reconnects and starts over from a
   * snapshot. What a proxy or server restart does to the browsers, on demand (e2e tests).
   */
  dropClients(): void {
    for (const client of this.clients) client.socket.close(1012, 'service restart');
  }

  /** A fresh snapshot to every client: events may have been missed (the events bridge reconnected). */
  resync(): void {
    for (const client of this.clients) this.sendSnapshot(client);
  }

  /**
   * Every snapshot from now on passes through `layer`: what the store cannot tell, such as the
   * position of a file another node copies (cluster/events-bridge.ts).
   */
  layerSnapshots(layer: (body: SnapshotBody) => SnapshotBody): void {
    this.layers.push(layer);
  }

  close(): void {
    this.events.off('event', this.onEvent);
    clearInterval(this.flushTimer);
    clearInterval(this.heartbeatTimer);
    for (const client of this.clients) client.socket.close(1001, 'server shutting down');
    this.clients.clear();
  }

  private sendSnapshot(client: Client): void {
    client.resetPending(); // the snapshot already holds everything pending
    const body = this.layers.reduce((shaped, layer) => layer(shaped), this.snapshot());
    client.send({ type: 'snapshot', ...body });
  }

  private heartbeat(): void {
    for (const client of this.clients) {
      if (!client.alive) {
        client.socket.terminate();
        continue;
      }
      client.alive = false;
      client.socket.ping();
    }
  }
}
