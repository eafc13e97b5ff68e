/**
 * Fault: the destination's disk fills up mid-file — a real 256 KiB tmpfs mounted inside a real
 * server's root. vsftpd words ENOSPC as "451 Failure writing to local file." (transient: pasv
 * retries, resuming, a bounded number of times with growing pauses, then fails with the
 * server's text); ProFTPD as "452 … No space left on device", which pasv reads as the policy
 * reply it is (ftp/policy.ts): one try, and the destination's queue pauses with that text.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestApp } from '../app.js';
import { embedded, seededBytes } from '../fixtures.js';
import { skipWithout, startServer, type FtpServerKind } from '../servers/index.js';
import { addSite, expectNothingPending, finished, recordLog, sentTo, startTransfer, untilPaused } from './api.js';

const MiB = 1024 * 1024;
const DISK_BYTES = 256 * 1024;
const RETRY_DELAYS = [100, 200, 400];
const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

/** A tiny tmpfs owned by the FTP user at `dir`/full; null where mounting is not allowed. */
function mountTinyDisk(dir: string): string | null {
  const owner = fs.statSync(dir);
  const mountPoint = path.join(dir, 'full');
  fs.mkdirSync(mountPoint);
  try {
    const options = `size=${DISK_BYTES},mode=0755,uid=${owner.uid},gid=${owner.gid}`;
    execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', mountPoint], { stdio: 'ignore' });
  } catch {
    return null;
  }
  cleanup.push(() => void execFileSync('umount', ['-l', mountPoint]));
  return mountPoint;
}

const cases: [FtpServerKind, number, string, RegExp][] = [
  ['vsftpd', 4, 'server_error', /^destination: 451 Failure writing to local file\.$/],
];

/** A source with one 1 MiB file, `kind` as the destination with a tiny disk at /full; null if none can be mounted. */
async function fillingUp(kind: FtpServerKind) {
  const a = await embedded.start({ address: '127.0.0.2', files: { 'f.bin': seededBytes(MiB, 52) } });
  cleanup.push(() => a.stop());
  const b = await startServer(kind, { address: '127.0.0.3' });
  cleanup.push(() => b.stop());
  const disk = mountTinyDisk(b.root);
  if (!disk) return null;
  const t = await startTestApp({ runner: { maxAttempts: 4, retryDelaysMs: RETRY_DELAYS } });
  cleanup.push(() => t.close());
  const log = recordLog(t);
  const [src, dst] = [await addSite(t, a, 'A'), await addSite(t, b, kind)];
  return { t, log, src, dst, disk };
}

describe('the destination disk fills up', () => {
  for (const [kind, expectedStors, code, message] of cases) {
    it.skipIf(skipWithout(kind))(`${kind}: ${expectedStors} STOR(s), then ${code} with its text`, async (ctx) => {
      const setup = await fillingUp(kind);
      if (!setup) return ctx.skip('mounting a tmpfs is not allowed here');
      const { t, log, src, dst, disk } = setup;

      const created = await startTransfer(t, [src, '/f.bin'], [dst, '/full']);
      const failed = await finished(t, created.id);
      expect(failed.state).toBe('failed');
      expect(failed.error?.code).toBe(code);
      expect(failed.error?.message).toMatch(message);
      await expectNothingPending(t, created.id);
      const stors = sentTo(log, dst, 'STOR');
      expect(stors).toHaveLength(expectedStors);
      for (let i = 1; i < stors.length; i++) {
        expect(stors[i]!.at - stors[i - 1]!.at).toBeGreaterThanOrEqual(RETRY_DELAYS[i - 1]!);
        // Each retry resumed from what the full disk holds instead of starting over.
        expect(sentTo(log, dst, 'REST').length).toBeGreaterThanOrEqual(i);
      }
      expect(fs.statSync(path.join(disk, 'f.bin')).size).toBeLessThanOrEqual(DISK_BYTES);
    });
  }

  it.skipIf(skipWithout('proftpd'))(
    'proftpd: 452 No space left on device pauses the destination after one STOR',
    async (ctx) => {
      const setup = await fillingUp('proftpd');
      if (!setup) return ctx.skip('mounting a tmpfs is not allowed here');
      const { t, log, src, dst } = setup;

      const created = await startTransfer(t, [src, '/f.bin'], [dst, '/full']);
      const paused = await untilPaused(t, created.id);
      const note = /^paused: proftpd is out of space — 452 .*No space left on device.*; free space and press Resume$/;
      expect(paused.notes.some((n) => note.test(n))).toBe(true);
      expect(paused.filesFailed).toBe(0);
      await new Promise((resolve) => setTimeout(resolve, 4 * RETRY_DELAYS[0]!));
      expect(sentTo(log, dst, 'STOR')).toHaveLength(1);
    },
  );
});
