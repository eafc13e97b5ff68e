/**
 * Live events between the nodes of a cluster, over PostgreSQL LISTEN/NOTIFY on a connection
 * of the bridge's own (the store's Db is synchronous and cannot LISTEN).
 *
 * Every node is a source: workers copy, and web nodes change sites, queue and jobs through
 * the API. Its local events are coalesced (events-wire.ts: a few a second per transfer, a
 * state change at once) and NOTIFYed on `pasv_events`, many to a payload. Web and 'all' nodes
 * LISTEN there, drop their own messages and transfers older than a version already seen, and
 * publish the rest on their local bus, where the Hub sends them on unchanged. Workers listen
 * too, for a site changed or removed on a web node (it ends their pooled sessions to it) and a
 * job's change (their schedulers follow it).
 *
 * Some events are built only while someone watches (log lines, session states). A node with
 * browsers says so on `pasv_watching` every `announceMs`; every node holds a watch on its bus
 * while such a word from another node is fresh (three periods).
 *
 * A lost connection is taken again with backoff; the local Hub then resyncs its browsers
 * (fresh snapshots), as it does when a sender's seq shows a gap, since events were missed.
 * The snapshot is built from the store, which knows no running file's position (only the
 * worker copying it does): the bridge lays the newest bridged state of each unfinished
 * transfer over it.
 */
import pg from 'pg';
import type { LiveEvent, Snapshot } from '../../../contract/index.js';
import type { EventBus } from '../events.js';
import type { ClusterNode } from './node.js';
import { Coalescer, pack, parseMessage, Reassembly, TransferViews, type Message } from './events-wire.js';

export type SnapshotBody = Omit<Snapshot, 'type'>;

/** What a worker takes of the other nodes' events. */
const WORKER_EVENTS: ReadonlySet<LiveEvent['type']> = new Set(['site.updated', 'site.removed', 'job.updated', 'job.removed']);

/** What the bridge needs of the local Hub (http/hub.ts). */
export interface HubHooks {
  /** A fresh snapshot to every browser. */
  resync(): void;
  /** `layer` shapes every snapshot from now on. */
  layerSnapshots(layer: (body: SnapshotBody) => SnapshotBody): void;
}

export interface BridgeLog {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
}

export interface EventsBridgeOptions {
  bus: EventBus;
  node: ClusterNode;
  databaseUrl: string;
  log: BridgeLog;
  /** The local Hub, on nodes that have browsers (web, all). */
  hub?: HubHooks;
  /** Per transfer (session, site, …), at most one message per this window (default 200 ms). */
  coalesceMs?: number;
  /** How often a node with browsers says so (default 2 s). */
  announceMs?: number;
  /** The first wait before taking a lost connection again; doubles up to 10 s (default 200 ms). */
  reconnectMs?: number;
}

export interface EventsBridge {
  close(): Promise<void>;
}

const EVENTS = 'pasv_events';
const WATCHING = 'pasv_watching';
/** Events of a burst (log lines of one reply, a file's end) share payloads. */
const FLUSH_MS = 10;
/** Payloads waiting for the connection at most; past it they are dropped (receivers see the gap). */
const MAX_QUEUED = 5_000;
const NOTIFYS_PER_STATEMENT = 16;
const HEARTBEAT_MS = 10_000;
const MAX_BACKOFF_MS = 10_000;

/** What the node's LISTEN connection is called in pg_stat_activity. */
export function bridgeApplicationName(node: ClusterNode): string {
  return `pasv-events ${node.id}`.slice(0, 63);
}

export async function startEventsBridge(options: EventsBridgeOptions): Promise<EventsBridge> {
  const bridge = new Bridge(options);
  await bridge.start();
  return { close: () => bridge.close() };
}

class Bridge {
  private readonly bus: EventBus;
  private readonly node: ClusterNode;
  private readonly log: BridgeLog;
  private readonly receives: boolean;
  private readonly coalescer: Coalescer;
  private readonly announceMs: number;
  private readonly reconnectMs: number;

  private client: pg.Client | null = null;
  private closing = false;
  private backoff: number;
  private seq = 0;
  private outbox: string[] = [];
  private readonly queue: string[] = [];
  private pumping: Promise<void> | null = null;
  private readonly timers = new Set<NodeJS.Timeout>();
  private flushTimer: NodeJS.Timeout | null = null;
  private resyncTimer: NodeJS.Timeout | null = null;
  private resyncAt = 0;
  private dropping = false;

  /** Events this bridge published: not sent back out. */
  private readonly bridged = new WeakSet<LiveEvent>();
  private readonly transfers = new TransferViews();
  private readonly senders = new Map<string, { seq: number; parts: Reassembly }>();

  private heldWatch: (() => void) | null = null;
  private heardWatchingAt = 0;
  private announcedAt = 0;
  private wasWatched = false;

  constructor(private readonly options: EventsBridgeOptions) {
    this.bus = options.bus;
    this.node = options.node;
    this.log = options.log;
    this.receives = options.node.role !== 'worker';
    this.announceMs = options.announceMs ?? 2_000;
    this.reconnectMs = options.reconnectMs ?? 200;
    this.backoff = this.reconnectMs;
    this.coalescer = new Coalescer(options.coalesceMs ?? 200, (event) => this.enqueue(event));
  }

  async start(): Promise<void> {
    this.client = await this.connect();
    this.bus.on('event', this.onLocal);
    this.options.hub?.layerSnapshots((body) => ({ ...body, transfers: this.transfers.overStored(body.transfers) }));
    this.every(Math.min(250, this.announceMs / 4), () => this.tick());
    this.every(HEARTBEAT_MS, () => this.heartbeat());
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    this.bus.off('event', this.onLocal);
    for (const timer of this.timers) clearInterval(timer);
    // What waits goes out: a draining worker's last states are the ones that matter most.
    this.coalescer.flush();
    this.flush();
    const deadline = Date.now() + 2_000;
    while (this.pumping && Date.now() < deadline) await Promise.race([this.pumping, sleep(100)]);
    this.heldWatch?.();
    this.heldWatch = null;
    const client = this.client;
    this.client = null;
    // A connection to a dead server may never finish ending.
    if (client) await Promise.race([client.end().catch(() => undefined), sleep(1_000)]);
  }

  // ---- source -----------------------------------------------------------------------------

  private readonly onLocal = (event: LiveEvent): void => {
    if (this.bridged.has(event)) return;
    // A web node's own change (a cancel) outranks an older state still on its way from a worker.
    if (this.receives) this.transfers.fresh(event);
    this.coalescer.push(event);
  };

  private enqueue(event: LiveEvent): void {
    this.outbox.push(JSON.stringify(event));
    if (this.flushTimer) return;
    this.flushTimer = setTimeout(() => this.flush(), FLUSH_MS);
    this.flushTimer.unref();
  }

  private flush(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    const payloads = pack(
      this.node.id,
      this.outbox,
      () => ++this.seq,
      (bytes) =>
        this.log.warn({ bytes }, 'events bridge: an event too large to send was dropped; the other nodes resync'),
    );
    this.outbox = [];
    // Dropped ones keep their seq numbers: the gap tells the receivers.
    if (this.queue.length + payloads.length > MAX_QUEUED) {
      if (!this.dropping) this.log.warn({ queued: this.queue.length }, 'events bridge: NOTIFY falls behind, dropping');
      this.dropping = true;
      return;
    }
    this.dropping = false;
    this.queue.push(...payloads);
    this.pump();
  }

  private pump(): void {
    if (this.pumping || !this.client || this.queue.length === 0) return;
    const client = this.client;
    this.pumping = (async () => {
      while (this.client === client && this.queue.length > 0) {
        const payloads = this.queue.splice(0, NOTIFYS_PER_STATEMENT);
        const calls = payloads.map((_, i) => `pg_notify('${EVENTS}', $${i + 1})`).join(', ');
        try {
          await client.query(`SELECT ${calls}`, payloads);
        } catch (error) {
          // Lost (the connection went, or the server refused them): the seq gap tells the receivers.
          if (!this.closing) this.log.warn({ err: error }, 'events bridge: events not sent');
        }
      }
    })().finally(() => {
      this.pumping = null;
      this.pump();
    });
  }

  // ---- receiver ---------------------------------------------------------------------------

  private onNotification(channel: string, payload: string | undefined): void {
    if (channel === WATCHING) {
      if (payload === this.node.id) return;
      this.heardWatchingAt = Date.now();
      this.heldWatch ??= this.bus.watch();
      return;
    }
    if (channel !== EVENTS || payload === undefined) return;
    const message = parseMessage(payload);
    if (!message || message.from === this.node.id) return;
    const events = this.unpack(message);
    for (const event of events ?? []) {
      // A worker has no browsers; of the others' events it needs only a site's change, which
      // ends its pooled sessions to that site, and a job's, which its schedule follows (app.ts).
      if (this.receives || WORKER_EVENTS.has(event.type)) this.deliver(event);
    }
  }

  private unpack(message: Message): LiveEvent[] | null {
    let sender = this.senders.get(message.from);
    if (!sender) {
      sender = { seq: message.s - 1, parts: new Reassembly() };
      this.senders.set(message.from, sender);
    }
    if (message.s !== sender.seq + 1) {
      sender.parts.reset();
      this.resyncHub();
    }
    sender.seq = message.s;
    return message.events ?? (message.part ? sender.parts.add(message.part) : null);
  }

  private deliver(event: LiveEvent): void {
    if (!this.transfers.fresh(event)) return;
    this.transfers.bridged(event);
    this.bridged.add(event);
    try {
      this.bus.publish(event);
    } catch (error) {
      this.log.warn({ err: error, type: event.type }, 'events bridge: a listener failed on a bridged event');
    }
  }

  // ---- watching, connection ---------------------------------------------------------------

  private tick(): void {
    const now = Date.now();
    if (this.receives && this.client) {
      const watched = this.watchedHere();
      if (watched && (!this.wasWatched || now - this.announcedAt >= this.announceMs)) {
        this.announcedAt = now;
        this.client.query(`SELECT pg_notify('${WATCHING}', $1)`, [this.node.id]).catch(() => undefined);
      }
      this.wasWatched = watched;
    }
    if (this.heldWatch && now - this.heardWatchingAt > 3 * this.announceMs) {
      this.heldWatch();
      this.heldWatch = null;
    }
    this.transfers.forgetStale(now);
  }

  /**
   * Whether anyone here watches, the bridge's own watch aside: counted, two nodes would keep
   * each other watching for ever. Let go and taken again in one turn, so no event is built unwatched.
   */
  private watchedHere(): boolean {
    if (!this.heldWatch) return this.bus.watched;
    this.heldWatch();
    const watched = this.bus.watched;
    this.heldWatch = this.bus.watch();
    return watched;
  }

  private async connect(): Promise<pg.Client> {
    const client = new pg.Client({
      connectionString: this.options.databaseUrl,
      application_name: bridgeApplicationName(this.node),
      keepAlive: true,
    });
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client, new Error('connection ended')));
    client.on('notification', (n) => this.onNotification(n.channel, n.payload));
    try {
      await client.connect();
      await client.query(`LISTEN ${WATCHING}`);
      await client.query(`LISTEN ${EVENTS}`);
      return client;
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
  }

  private lost(client: pg.Client, error: Error): void {
    if (this.client !== client) return;
    this.client = null;
    void client.end().catch(() => undefined);
    if (this.closing) return;
    this.log.warn({ err: error }, 'events bridge: connection lost, taking it again');
    this.retry();
  }

  private retry(): void {
    const wait = this.backoff;
    this.backoff = Math.min(MAX_BACKOFF_MS, this.backoff * 2);
    const timer = setTimeout(async () => {
      this.timers.delete(timer);
      if (this.closing) return;
      try {
        const client = await this.connect();
        if (this.closing) return void (await client.end().catch(() => undefined));
        this.client = client;
        this.backoff = this.reconnectMs;
        // Whatever was sent meanwhile is gone: seq numbers start over as far as we know.
        this.senders.clear();
        this.log.info({}, 'events bridge: connected again; browsers get fresh snapshots');
        this.resyncHub();
        this.pump();
      } catch (error) {
        this.log.warn({ err: error, waitMs: this.backoff }, 'events bridge: still no connection');
        this.retry();
      }
    }, wait);
    timer.unref();
    this.timers.add(timer);
  }

  /** Fresh snapshots for the browsers here, at most one a second: a snapshot of a long queue is large. */
  private resyncHub(): void {
    const hub = this.options.hub;
    if (!hub || this.resyncTimer) return;
    const resync = () => {
      if (this.resyncTimer) this.timers.delete(this.resyncTimer);
      this.resyncTimer = null;
      this.resyncAt = Date.now();
      hub.resync();
    };
    const wait = this.resyncAt + 1_000 - Date.now();
    if (wait <= 0) return resync();
    this.resyncTimer = setTimeout(resync, wait);
    this.resyncTimer.unref();
    this.timers.add(this.resyncTimer);
  }

  /** A connection that went silent (no RST on a dead network) is found by asking. */
  private heartbeat(): void {
    const client = this.client;
    if (!client) return;
    const timeout = sleep(HEARTBEAT_MS / 2).then(() => {
      throw new Error('no answer to a heartbeat');
    });
    Promise.race([client.query('SELECT 1'), timeout]).catch((error: Error) => this.lost(client, error));
  }

  private every(ms: number, run: () => void): void {
    const timer = setInterval(run, ms);
    timer.unref();
    this.timers.add(timer);
  }
}

const sleep = (ms: number) =>
  new Promise<void>((resolve) => {
    setTimeout(resolve, ms).unref();
  });
