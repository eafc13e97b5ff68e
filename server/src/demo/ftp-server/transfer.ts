import type { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { DataChannel, DataSocket } from './data-channel.js';
import { DataChannelError } from './data-channel.js';
import { toFsError } from './fs.js';
import { Meter } from './meter.js';
import type { PolicyCut } from './policy.js';

/** What a transfer command does once its data connection is up. */
export type TransferPlan = {
  /** Text of the 150 reply. */
  openingText: string;
  /** Text of the 226 reply. */
  successText: string;
  /** Bytes this transfer will send, when known (STAT shows "N of M"). */
  total: number | null;
  /** Always called once at the end, whatever happened (closes file handles). */
  cleanup(): Promise<void>;
  /** A policy switch acting on this transfer (a quota, a slow cut). */
  policy?: PolicyCut | null;
} & ({ direction: 'send'; begin(): Promise<Readable> } | { direction: 'receive'; begin(): Promise<Writable> });

/** The parts of a control connection a transfer talks to. */
export interface TransferHost {
  reply(code: number, text: string): void;
  /** Wakes the command loop: commands held back during the transfer may now run. */
  notify(): void;
  readonly bytesPerSecond: number | undefined;
}

export const ABORTED_TEXT = 'Connection closed; transfer aborted.';

/** How long to wait for the peer to close its side after the last byte. */
const CLOSE_GRACE_MS = 2000;

/**
 * One RETR/STOR/APPE/LIST/NLST/MLSD in flight. It runs beside the command loop, so ABOR, STAT
 * and NOOP are answered while it runs; `done` settles after its final reply is written.
 */
export class Transfer {
  phase: 'connecting' | 'transferring' = 'connecting';
  private aborted = false;
  private meter: Meter | null = null;
  private socket: DataSocket | null = null;
  readonly done: Promise<void>;

  constructor(
    private readonly host: TransferHost,
    private readonly channel: DataChannel,
    private readonly plan: TransferPlan,
  ) {
    this.done = this.run().catch((err: unknown) => {
      // A bug here must not leave the client waiting forever for a final reply.
      this.host.reply(451, `Requested action aborted: local error in processing (${String(err)}).`);
    });
  }

  /** Commands the loop may run before this transfer's final reply: ABOR always, STAT/NOOP after 150. */
  accepts(verb: string): boolean {
    if (verb === 'ABOR') return true;
    return this.phase === 'transferring' && (verb === 'STAT' || verb === 'NOOP');
  }

  statusText(): string {
    const bytes = this.meter?.bytes ?? 0;
    return this.plan.total === null
      ? `Status: ${bytes} bytes transferred`
      : `Status: ${bytes} of ${this.plan.total} bytes transferred`;
  }

  /** ABOR, or the control connection went away: stop now; the final reply will be 426. */
  abort(): void {
    this.aborted = true;
    this.channel.close();
    this.socket?.destroy();
    this.meter?.destroy();
  }

  private async run(): Promise<void> {
    try {
      const socket = await this.connect();
      if (!socket) return;
      let stream: Readable | Writable;
      try {
        stream = await this.plan.begin();
      } catch (err) {
        socket.destroy();
        this.host.reply(550, toFsError(err).message);
        return;
      }
      if (this.aborted) {
        stream.destroy();
        socket.destroy();
        this.host.reply(426, ABORTED_TEXT);
        return;
      }
      this.host.reply(150, this.plan.openingText);
      this.phase = 'transferring';
      this.host.notify();
      const ok = (await this.pump(socket, stream)) && !this.aborted;
      const policy = this.aborted ? null : this.plan.policy?.reply();
      if (policy?.afterMs) await new Promise((resolve) => setTimeout(resolve, policy.afterMs));
      if (policy) this.host.reply(policy.code, policy.text);
      else this.host.reply(ok ? 226 : 426, ok ? this.plan.successText : ABORTED_TEXT);
    } finally {
      this.channel.close();
      await this.plan.cleanup().catch(() => {});
    }
  }

  /** Waits for the data connection; on failure replies and returns null. */
  private async connect(): Promise<DataSocket | null> {
    try {
      const socket = await this.channel.connect();
      this.socket = socket;
      if (!this.aborted) return socket;
      socket.destroy();
    } catch (err) {
      if (!this.aborted) {
        const failure =
          err instanceof DataChannelError ? err : new DataChannelError(425, 'Failed to establish connection.');
        this.host.reply(failure.code, failure.message);
        return null;
      }
    }
    this.host.reply(426, ABORTED_TEXT);
    return null;
  }

  /** Moves the bytes with backpressure; true only for a complete transfer and a clean close. */
  private async pump(socket: DataSocket, stream: Readable | Writable): Promise<boolean> {
    const meter = new Meter(this.host.bytesPerSecond);
    this.meter = meter;
    const filters = this.plan.policy ? [this.plan.policy.filter] : [];
    try {
      if (this.plan.direction === 'send') {
        // Drain anything the peer sends, so closing never turns into a reset that drops our data.
        socket.resume();
        await pipeline([stream as Readable, meter, ...filters, socket]);
      } else {
        await pipeline([socket, meter, ...filters, stream as Writable]);
      }
    } catch {
      socket.destroy();
      return false;
    }
    await closeGracefully(socket);
    return true;
  }
}

/** Ends our side and waits briefly for the peer to close its side, so 226 means "all delivered". */
function closeGracefully(socket: DataSocket): Promise<void> {
  if (socket.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => socket.destroy(), CLOSE_GRACE_MS);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.resume();
    socket.end();
  });
}
