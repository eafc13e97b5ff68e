import { Transform } from 'node:stream';
import type { TransformCallback } from 'node:stream';

/**
 * Counts the bytes of one data transfer (for STAT) and, when a rate is set, holds them back
 * to that rate, so the demo shows progress and tests can catch a transfer in flight.
 */
export class Meter extends Transform {
  bytes = 0;
  private startedAt = 0;
  private timer: NodeJS.Timeout | null = null;
  private wakeUp: (() => void) | null = null;
  private readonly sliceSize: number;

  constructor(private readonly bytesPerSecond?: number) {
    super();
    // Slices of ~50 ms keep the pace smooth without a timer per byte.
    this.sliceSize = bytesPerSecond ? Math.max(1, Math.floor(bytesPerSecond / 20)) : 0;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    if (!this.bytesPerSecond) {
      this.bytes += chunk.length;
      callback(null, chunk);
      return;
    }
    this.throttle(chunk).then(() => callback(), callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.wakeUp?.();
    callback(error);
  }

  private async throttle(chunk: Buffer): Promise<void> {
    const rate = this.bytesPerSecond as number;
    if (this.startedAt === 0) this.startedAt = Date.now();
    for (let offset = 0; offset < chunk.length && !this.destroyed; offset += this.sliceSize) {
      const slice = chunk.subarray(offset, offset + this.sliceSize);
      this.bytes += slice.length;
      this.push(slice);
      const wait = this.startedAt + (this.bytes / rate) * 1000 - Date.now();
      if (wait > 0) await this.sleep(wait);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.wakeUp = resolve;
      this.timer = setTimeout(() => {
        this.timer = null;
        this.wakeUp = null;
        resolve();
      }, ms);
    });
  }
}
