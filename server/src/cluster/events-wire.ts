/**
 * What the events bridge (events-bridge.ts) puts on PostgreSQL NOTIFY and takes off it: the
 * source's coalescing, the packing of events into payloads under NOTIFY's limit, the
 * receiver's parsing and reassembly, and what it remembers of transfers. No connection here.
 *
 * A message is `{"from":node,"s":seq,"events":[…]}`: the events of one flush in the order the
 * source published them, as many as fit. An event too large for one payload goes whole, as
 * base64 parts of its JSON (`"part":[i,n,data]`), one message each, sent back to back. Every
 * message of a node, parts too, takes the next seq, so a receiver that sees a gap knows it
 * missed something (and resyncs its browsers) rather than guessing.
 */
import type { LiveEvent, Transfer } from '../../../contract/index.js';
import { coalescingKey } from '../events.js';

/** NOTIFY refuses a payload of 8000 bytes or more; some room is kept for safety. */
export const MAX_PAYLOAD_BYTES = 7900;
/** Larger than any event the services make (a run's 10,000 selected paths); past it an event is dropped. */
export const MAX_EVENT_BYTES = 4 * 1024 * 1024;

export interface Message {
  from: string;
  s: number;
  events?: LiveEvent[];
  part?: [index: number, count: number, data: string];
}

const UNFINISHED = new Set(['queued', 'running', 'paused']);
/** A bridged transfer's state not renewed for this long no longer shapes snapshots. */
const LIVE_TTL_MS = 30_000;
/** Transfers whose newest version is kept; the oldest is forgotten past it. */
const MAX_VERSIONS = 20_000;
const REMOVED = Number.POSITIVE_INFINITY;

/** A transfer's state as the coalescer compares it: a change of it is never held back. */
function transferState(event: LiveEvent): string | undefined {
  if (event.type === 'transfer.updated') return event.transfer.state;
  if (event.type === 'transfer.removed') return 'removed';
  return undefined;
}

interface Slot {
  state: string | undefined;
  pending: LiveEvent | null;
  timer: NodeJS.Timeout;
}

/**
 * At most one event per key and window: the first goes at once, later ones within the window
 * wait and only the newest of them goes when it ends. A transfer whose state changed (running,
 * done, failed, removed) goes at once and replaces what waited, so the last state always goes
 * and no state is skipped for a progress update.
 */
export class Coalescer {
  private readonly slots = new Map<string, Slot>();

  constructor(
    private readonly windowMs: number,
    private readonly emit: (event: LiveEvent) => void,
  ) {}

  push(event: LiveEvent): void {
    const key = coalescingKey(event);
    if (key === null) return this.emit(event);
    const slot = this.slots.get(key);
    const state = transferState(event);
    if (slot && state === slot.state) {
      slot.pending = event;
      return;
    }
    if (slot) clearTimeout(slot.timer);
    this.send(key, event, state);
  }

  /** Everything that waits goes now (the bridge closes). */
  flush(): void {
    for (const [key, slot] of this.slots) {
      clearTimeout(slot.timer);
      if (slot.pending) this.emit(slot.pending);
      this.slots.delete(key);
    }
  }

  private send(key: string, event: LiveEvent, state: string | undefined): void {
    this.emit(event);
    // The slot lives one window: then what waited goes (and opens the next), or it is forgotten.
    const timer = setTimeout(() => {
      const slot = this.slots.get(key);
      if (slot?.timer !== timer) return;
      this.slots.delete(key);
      if (slot.pending) this.send(key, slot.pending, transferState(slot.pending) ?? slot.state);
    }, this.windowMs);
    timer.unref();
    this.slots.set(key, { state, pending: null, timer });
  }
}

/**
 * The payloads for `events` (each already JSON), in order; `seq` gives each message its number.
 * An event past MAX_EVENT_BYTES is left out and its number skipped (`onDropped` is told).
 */
export function pack(
  from: string,
  events: string[],
  seq: () => number,
  onDropped: (bytes: number) => void = () => undefined,
): string[] {
  const payloads: string[] = [];
  const head = (s: number) => `{"from":${JSON.stringify(from)},"s":${s},`;
  // The longest head a message may get: seq numbers stay below 2^53.
  const headBytes = Buffer.byteLength(head(Number.MAX_SAFE_INTEGER));
  const room = MAX_PAYLOAD_BYTES - headBytes - '"events":[]}'.length;
  let batch: string[] = [];
  let batchBytes = 0;
  const close = () => {
    if (batch.length === 0) return;
    payloads.push(`${head(seq())}"events":[${batch.join(',')}]}`);
    batch = [];
    batchBytes = 0;
  };
  for (const json of events) {
    const bytes = Buffer.byteLength(json);
    if (bytes > room) {
      close();
      if (bytes > MAX_EVENT_BYTES) {
        seq(); // skipped on purpose: receivers see the gap and resync
        onDropped(bytes);
        continue;
      }
      payloads.push(...parts(json, (part) => `${head(seq())}"part":${part}}`, headBytes));
      continue;
    }
    if (batchBytes + bytes + 1 > room) close();
    batch.push(json);
    batchBytes += bytes + 1;
  }
  close();
  return payloads;
}

function parts(json: string, message: (part: string) => string, headBytes: number): string[] {
  // Base64 of UTF-8: its length is exact, whatever the text (quotes, controls, any script).
  const data = Buffer.from(json);
  const chunk = Math.floor((MAX_PAYLOAD_BYTES - headBytes - '"part":[1000,1000,""]}'.length) / 4) * 3;
  const count = Math.ceil(data.length / chunk);
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const piece = data.subarray(i * chunk, (i + 1) * chunk).toString('base64');
    out.push(message(`[${i},${count},"${piece}"]`));
  }
  return out;
}

/** A payload as a Message, or null when it is not one of ours. */
export function parseMessage(payload: string): Message | null {
  let value: unknown;
  try {
    value = JSON.parse(payload);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const { from, s, events, part } = value as Record<string, unknown>;
  if (typeof from !== 'string' || !Number.isSafeInteger(s)) return null;
  if (events !== undefined && !isEventList(events)) return null;
  if (part !== undefined && !isPart(part)) return null;
  if ((events === undefined) === (part === undefined)) return null;
  return value as Message;
}

const isEventList = (value: unknown): value is LiveEvent[] =>
  Array.isArray(value) &&
  value.every((e) => typeof e === 'object' && e !== null && typeof (e as { type?: unknown }).type === 'string');

const isPart = (value: unknown): value is [number, number, string] =>
  Array.isArray(value) &&
  value.length === 3 &&
  Number.isInteger(value[0]) &&
  Number.isInteger(value[1]) &&
  typeof value[2] === 'string' &&
  value[0] >= 0 &&
  value[0] < value[1];

/**
 * One sender's parts put back together. Its parts come back to back and in order (one
 * connection's NOTIFYs arrive in the order they were sent); anything else, such as the first
 * part missing after a reconnect, drops the partial event.
 */
export class Reassembly {
  private pieces: Buffer[] = [];
  private count = 0;

  /** The events once the last part is in, else null. */
  add([index, count, data]: [number, number, string]): LiveEvent[] | null {
    if (index === 0) {
      this.pieces = [];
      this.count = count;
    } else if (index !== this.pieces.length || count !== this.count) {
      this.reset();
      return null;
    }
    this.pieces.push(Buffer.from(data, 'base64'));
    if (this.pieces.length < count) return null;
    const json = Buffer.concat(this.pieces).toString();
    this.reset();
    try {
      const events: unknown = [JSON.parse(json)];
      return isEventList(events) ? events : null;
    } catch {
      return null;
    }
  }

  reset(): void {
    this.pieces = [];
    this.count = 0;
  }
}

/**
 * What a receiving node remembers of transfers: the newest version of each, to drop an older
 * state that arrives late (from a worker that lost the file, or behind a web node's own
 * cancel), and the newest bridged state of each unfinished one, whose running files only the
 * worker copying them knows the position of.
 */
export class TransferViews {
  private readonly versions = new Map<string, number>();
  private readonly live = new Map<string, { transfer: Transfer; at: number }>();

  /** False for a transfer older than one already seen; otherwise notes its version. */
  fresh(event: LiveEvent): boolean {
    if (event.type !== 'transfer.updated' && event.type !== 'transfer.removed') return true;
    const id = event.type === 'transfer.updated' ? event.transfer.id : event.id;
    const version = event.type === 'transfer.updated' ? event.transfer.version : REMOVED;
    const known = this.versions.get(id);
    if (known !== undefined && version < known) return false;
    this.versions.delete(id); // re-inserted: the map forgets the transfers heard of longest ago
    this.versions.set(id, version);
    if (this.versions.size > MAX_VERSIONS) this.versions.delete(this.versions.keys().next().value!);
    return true;
  }

  /** A fresh event from another node. */
  bridged(event: LiveEvent): void {
    if (event.type === 'transfer.updated' && UNFINISHED.has(event.transfer.state)) {
      this.live.set(event.transfer.id, { transfer: event.transfer, at: Date.now() });
    } else if (event.type === 'transfer.updated') {
      this.live.delete(event.transfer.id);
    } else if (event.type === 'transfer.removed') {
      this.live.delete(event.id);
    }
  }

  /**
   * The store's transfers, each replaced by its bridged state where the versions agree: the
   * same stored state, plus the bytes moving now and the speed. Where the store is newer, it wins.
   */
  overStored(stored: Transfer[]): Transfer[] {
    if (this.live.size === 0) return stored;
    const now = Date.now();
    return stored.map((transfer) => {
      const live = this.live.get(transfer.id);
      return live && live.transfer.version === transfer.version && now - live.at < LIVE_TTL_MS
        ? live.transfer
        : transfer;
    });
  }

  forgetStale(now: number): void {
    for (const [id, live] of this.live) if (now - live.at > LIVE_TTL_MS) this.live.delete(id);
  }
}
