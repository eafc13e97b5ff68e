/**
 * The FXP engine's behaviour, as one suite run against each kind of real server: two
 * instances on distinct loopback addresses (127.0.0.2 and 127.0.0.3, the client on
 * 127.0.0.1) so that the servers' anti-FXP checks really fire.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { copyFile, VerificationError, type CopyRequest } from '../src/ftp/copy.js';
import { UnsafeArgumentError } from '../src/ftp/errors.js';
import { FxpRefusedError } from '../src/ftp/fxp.js';
import type { LogLine } from '../src/ftp/session.js';
import { CancelledError } from '../src/ftp/cancel.js';
import { list, size } from '../src/ftp/ops.js';
import { recordingSlot, seededBytes, sha256, type FxpPolicy, type ServerKind, type TestServer } from './fixtures.js';

const MiB = 1024 * 1024;

export function copySuite(source: ServerKind, destination: ServerKind = source): void {
  describe(`copy ${source.kind} → ${destination.kind}`, () => {
    const cleanup: (() => Promise<void>)[] = [];
    afterEach(async () => {
      for (const step of cleanup.splice(0).reverse()) await step();
    });

    async function pair(
      options: {
        sourceFxp?: FxpPolicy;
        destFxp?: FxpPolicy;
        files?: Record<string, Buffer>;
        destFiles?: Record<string, Buffer>;
        bytesPerSecond?: number;
        destBytesPerSecond?: number;
      } = {},
    ) {
      const a = await source.start({
        address: '127.0.0.2',
        fxp: options.sourceFxp,
        files: options.files,
        bytesPerSecond: options.bytesPerSecond,
      });
      cleanup.push(() => a.stop());
      const b = await destination.start({
        address: '127.0.0.3',
        fxp: options.destFxp,
        files: options.destFiles,
        bytesPerSecond: options.destBytesPerSecond,
      });
      cleanup.push(() => b.stop());
      const log: LogLine[] = [];
      const slots = { source: recordingSlot(a, log), destination: recordingSlot(b, log), probe: recordingSlot(b) };
      cleanup.push(async () => {
        await Promise.all(Object.values(slots).map((s) => s.close()));
      });
      const copy = (request: Partial<CopyRequest> & { sourcePath: string; destinationPath: string }) =>
        copyFile({ ...slots, stallTimeoutMs: 10_000, finalReplyTimeoutMs: 5_000, ...request });
      return { a, b, log, slots, copy };
    }

    const onDisk = (server: TestServer, name: string) => fs.readFileSync(path.join(server.root, name));

    it('copies a 0-byte file by FXP', async () => {
      const { b, copy } = await pair({ files: { 'empty.txt': Buffer.alloc(0) } });
      const result = await copy({ sourcePath: '/empty.txt', destinationPath: '/empty.txt', mode: 'fxp' });
      expect(result).toMatchObject({ outcome: 'copied', mode: 'fxp', bytes: 0, size: 0 });
      expect(onDisk(b, 'empty.txt').length).toBe(0);
    });

    it('copies 10 MiB by FXP, identical on the destination disk', async () => {
      const data = seededBytes(10 * MiB, 2);
      const { b, log, copy } = await pair({ files: { 'big.bin': data } });
      const result = await copy({ sourcePath: '/big.bin', destinationPath: '/big copy.bin', mode: 'fxp' });
      expect(result).toMatchObject({ mode: 'fxp', passive: 'destination', bytes: 10 * MiB, notes: [] });
      if (source.kind === 'embedded' && destination.kind === 'embedded') {
        expect(result.hash).toEqual({ algorithm: 'SHA-256', value: sha256(data) });
      }
      expect(sha256(onDisk(b, 'big copy.bin'))).toBe(sha256(data));
      // The bytes flowed between the servers: PORT named the destination's address.
      expect(log.some((l) => l.direction === 'sent' && /^PORT 127,0,0,3,\d+,\d+$/.test(l.line))).toBe(true);
    });

    it('resumes a partial destination with REST on both sides', async () => {
      const data = seededBytes(6 * MiB, 3);
      const { b, log, copy } = await pair({
        files: { 'r.bin': data },
        destFiles: { 'r.bin': data.subarray(0, 2 * MiB) },
      });
      const result = await copy({ sourcePath: '/r.bin', destinationPath: '/r.bin', mode: 'fxp', ifExists: 'resume' });
      expect(result).toMatchObject({ offset: 2 * MiB, bytes: 4 * MiB });
      expect(log.filter((l) => l.line === `REST ${2 * MiB}`)).toHaveLength(2);
      expect(sha256(onDisk(b, 'r.bin'))).toBe(sha256(data));
    });

    it.runIf(source.kind === 'embedded' && destination.kind === 'embedded')(
      'catches a corrupt partial file on resume by the hash both servers compute',
      async () => {
        const data = seededBytes(2 * MiB, 15);
        const corrupt = Buffer.from(data.subarray(0, MiB));
        corrupt[1000] ^= 0xff;
        const { copy } = await pair({ files: { 'h.bin': data }, destFiles: { 'h.bin': corrupt } });
        await expect(
          copy({ sourcePath: '/h.bin', destinationPath: '/h.bin', ifExists: 'resume' }),
        ).rejects.toBeInstanceOf(VerificationError);
      },
    );

    it('skips an existing destination when asked to', async () => {
      const { b, copy } = await pair({
        files: { 's.txt': Buffer.from('new') },
        destFiles: { 's.txt': Buffer.from('old!') },
      });
      const result = await copy({ sourcePath: '/s.txt', destinationPath: '/s.txt', ifExists: 'skip' });
      expect(result.outcome).toBe('skipped');
      expect(onDisk(b, 's.txt').toString()).toBe('old!');
    });

    it.runIf(source.splitFxp)('flips the passive side when the source refuses to connect out', async () => {
      const data = seededBytes(MiB, 4);
      // Destination passive first: the source must PORT to a foreign address and refuses;
      // flipped, the source listens and the destination (allowed to) connects to it.
      const { b, copy } = await pair({ files: { 'f.bin': data }, sourceFxp: 'passive-only' });
      const result = await copy({ sourcePath: '/f.bin', destinationPath: '/f.bin', mode: 'fxp' });
      expect(result).toMatchObject({ mode: 'fxp', passive: 'source' });
      expect(result.notes.join()).toMatch(/flipped passive side/);
      expect(sha256(onDisk(b, 'f.bin'))).toBe(sha256(data));
    });

    it('relays through pasv when both sides refuse FXP (auto mode)', async () => {
      const data = seededBytes(3 * MiB, 5);
      const { b, copy } = await pair({ files: { 'f.bin': data }, sourceFxp: 'none', destFxp: 'none' });
      const result = await copy({ sourcePath: '/f.bin', destinationPath: '/f.bin' });
      expect(result.mode).toBe('relay');
      expect(result.notes.join()).toMatch(/flipped passive side.*fell back to relay/s);
      expect(sha256(onDisk(b, 'f.bin'))).toBe(sha256(data));
    });

    it('relays in forced relay mode, resuming a partial destination with REST on both sides', async () => {
      const data = seededBytes(10 * MiB + 12345, 16);
      const { b, log, copy } = await pair({
        files: { 'r.bin': data },
        destFiles: { 'r.bin': data.subarray(0, 3 * MiB) },
      });
      const result = await copy({ sourcePath: '/r.bin', destinationPath: '/r.bin', mode: 'relay', ifExists: 'resume' });
      expect(result).toMatchObject({ mode: 'relay', offset: 3 * MiB, bytes: 7 * MiB + 12345 });
      expect(log.filter((l) => l.line === `REST ${3 * MiB}`)).toHaveLength(2);
      expect(sha256(onDisk(b, 'r.bin'))).toBe(sha256(data));
    });

    it.runIf(destination.throttles)(
      'relays intact into a destination slower than the source (backpressure)',
      async () => {
        // Far more than the loopback socket buffers hold, so the relay must wait for the destination.
        const data = seededBytes(24 * MiB, 17);
        const { b, copy } = await pair({ files: { 'slow-in.bin': data }, destBytesPerSecond: 12 * MiB });
        const positions: number[] = [];
        const result = await copy({
          sourcePath: '/slow-in.bin',
          destinationPath: '/slow-in.bin',
          mode: 'relay',
          pollIntervalMs: 100,
          onProgress: (position) => positions.push(position),
        });
        expect(result).toMatchObject({ mode: 'relay', bytes: data.length });
        expect(sha256(onDisk(b, 'slow-in.bin'))).toBe(sha256(data));
        // Progress was reported while the bytes flowed, never backwards, never past the size.
        expect(positions.filter((p) => p > 0 && p < data.length).length).toBeGreaterThan(0);
        expect(positions).toEqual([...positions].sort((x, y) => x - y));
        expect(Math.max(...positions)).toBeLessThanOrEqual(data.length);
      },
    );

    it.runIf(source.throttles)('fails a relay whose source server goes away mid-transfer, promptly', async () => {
      const data = seededBytes(8 * MiB, 18);
      const { a, copy } = await pair({ files: { 'gone.bin': data }, bytesPerSecond: 2 * MiB });
      let stopping: Promise<void> | undefined;
      const copying = copy({
        sourcePath: '/gone.bin',
        destinationPath: '/gone.bin',
        mode: 'relay',
        pollIntervalMs: 100,
        onProgress: (position) => {
          if (position > 0) stopping ??= a.stop();
        },
      });
      const failure = await copying.catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(Error);
      expect(failure).not.toBeInstanceOf(CancelledError);
      await stopping;
    });

    it('fails clearly in forced FXP mode when both sides refuse, leaving sessions usable', async () => {
      const { slots, copy } = await pair({
        files: { 'f.bin': seededBytes(MiB, 6) },
        sourceFxp: 'none',
        destFxp: 'none',
      });
      const failure = await copy({ sourcePath: '/f.bin', destinationPath: '/f.bin', mode: 'fxp' }).catch(
        (e: unknown) => e,
      );
      expect(failure).toBeInstanceOf(FxpRefusedError);
      expect(String((failure as Error).message)).toMatch(/refused FXP/);
      const listing = await list(await slots.source.acquire(), '/');
      expect(listing.entries.map((e) => e.name)).toContain('f.bin');
      expect((await list(await slots.destination.acquire(), '/')).path).toBe('/');
    });

    it('refuses a name with CR/LF before anything reaches a socket', async () => {
      const { log, copy } = await pair({ files: { 'ok.txt': Buffer.from('x') } });
      await expect(copy({ sourcePath: '/ok.txt', destinationPath: '/evil\r\nDELE ok.txt' })).rejects.toBeInstanceOf(
        UnsafeArgumentError,
      );
      expect(log.some((l) => /DELE|evil/.test(l.line))).toBe(false);
    });

    for (const mode of ['fxp', 'relay'] as const) {
      it.runIf(source.throttles)(
        `cancels a running ${mode === 'fxp' ? 'FXP copy' : 'relay'} and both sessions stay usable`,
        async () => {
          const data = seededBytes(8 * MiB, 7);
          const { slots, copy } = await pair({ files: { 'slow.bin': data }, bytesPerSecond: 2 * MiB });
          const controller = new AbortController();
          const copying = copy({
            sourcePath: '/slow.bin',
            destinationPath: '/slow.bin',
            mode,
            signal: controller.signal,
            pollIntervalMs: 100,
            onProgress: (position) => {
              if (position > 0) controller.abort();
            },
          });
          const cancelledAt = Date.now();
          await expect(copying).rejects.toBeInstanceOf(CancelledError);
          // At most the abort timeout (5 s) when a server ignores ABOR until the file is done.
          expect(Date.now() - cancelledAt).toBeLessThan(7_000);
          const sourceSession = await slots.source.acquire();
          const destinationSession = await slots.destination.acquire();
          expect((await list(sourceSession, '/')).entries.map((e) => e.name)).toContain('slow.bin');
          const partial = await size(destinationSession, '/slow.bin');
          if (source.abortsInTransfer) expect(partial).toBeLessThan(data.length);
        },
      );
    }
  });
}
