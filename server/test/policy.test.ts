/**
 * Replies that are server policy, not faults, through the API on real embedded servers (FXP
 * from 127.0.0.2 to 127.0.0.3) with the switches that make them answer like glFTPd: a dupe is
 * skipped with the server's words, a full destination pauses its queue until Resume, one
 * login too many lowers the site's limit, a slow transfer is tried once more.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Transfer } from '../../contract/index.js';
import { startFtpServer, type EmbeddedFtpServer, type FtpServerOptions } from '../src/demo/ftp-server/server.js';
import { startTestApp, type TestApp } from './app.js';
import { filesOf, finished, getTransfer, recordLog, sentTo, startTransfer, untilPaused } from './faults/api.js';
import { seededBytes, sha256, writeFiles } from './fixtures.js';

const KiB = 1024;
const USER = { user: 'tester', password: 'secret' };
const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function serve(
  host: string,
  files: Record<string, Buffer> = {},
  policy: Partial<FtpServerOptions> = {},
): Promise<{ server: EmbeddedFtpServer; root: string }> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pasv-policy-'));
  cleanup.push(() => fs.rmSync(root, { recursive: true, force: true }));
  writeFiles(root, files);
  const server = await startFtpServer({ host, root, users: [USER], ...policy });
  cleanup.push(() => server.close());
  return { server, root };
}

async function app(runner: Parameters<typeof startTestApp>[0] = {}): Promise<TestApp> {
  const t = await startTestApp(runner);
  cleanup.push(() => t.close());
  return t;
}

async function site(t: TestApp, server: EmbeddedFtpServer, name: string, maxConnections = 4): Promise<string> {
  const response = await t.app.inject({
    method: 'POST',
    url: '/api/sites',
    headers: t.auth,
    payload: { name, host: server.host, port: server.port, ...USER, maxConnections },
  });
  expect(response.statusCode, response.body).toBe(201);
  return response.json().id as string;
}

/** n files of `size` bytes below `dir`, each different. */
function tree(dir: string, n: number, size: number): Record<string, Buffer> {
  return Object.fromEntries(Array.from({ length: n }, (_, i) => [`${dir}/f${i}.bin`, seededBytes(size, i + 1)]));
}

function expectSame(a: string, b: string, names: string[]): void {
  for (const name of names) {
    expect(sha256(fs.readFileSync(path.join(b, name))), name).toBe(sha256(fs.readFileSync(path.join(a, name))));
  }
}

describe('policy replies', () => {
  it('553 X-DUPE: the file is skipped with the server’s words, the others are copied', async () => {
    const files = tree('d', 5, 32 * KiB);
    const a = await serve('127.0.0.2', files);
    const b = await serve('127.0.0.3', { 'in/d/f2.bin': Buffer.from('theirs') }, { dupes: true });
    const t = await app();
    const created = await startTransfer(t, [await site(t, a.server, 'A'), '/d'], [await site(t, b.server, 'B'), '/in']);

    const done = await finished(t, created.id);
    expect(done).toMatchObject({ state: 'done', filesDone: 4, filesSkipped: 1, filesFailed: 0 });
    expect(done.notes).toContain(
      '/d/f2.bin: skipped, the destination already has it (553 X-DUPE: f2.bin already exists)',
    );
    const skipped = (await filesOf(t, created.id)).filter((f) => f.state === 'skipped');
    expect(skipped.map((f) => f.path)).toEqual(['/d/f2.bin']);
    expect(fs.readFileSync(path.join(b.root, 'in/d/f2.bin'), 'utf8')).toBe('theirs');
    expectSame(a.root, path.join(b.root, 'in'), ['d/f0.bin', 'd/f1.bin', 'd/f3.bin', 'd/f4.bin']);
  });

  it('452 out of space: the destination’s queue pauses with a note, nothing fails; more room and Resume finish it', async () => {
    const files = tree('q', 8, 64 * KiB);
    const a = await serve('127.0.0.2', { ...files, 'later.bin': seededBytes(10 * KiB, 99) });
    const b = await serve('127.0.0.3', {}, { quotaBytes: 200 * KiB });
    const t = await app({ runner: { maxAttempts: 2 } });
    const log = recordLog(t);
    const [src, dst] = [await site(t, a.server, 'A'), await site(t, b.server, 'B')];
    const created = await startTransfer(t, [src, '/q'], [dst, '/']);

    const paused = await untilPaused(t, created.id);
    const note =
      'paused: B is out of space — 452 Error writing file: No space left on device.; free space and press Resume';
    expect(paused.notes).toContain(note);
    // A transfer to the same destination added now waits too, saying why.
    const later = await startTransfer(t, [src, '/later.bin'], [dst, '/']);
    expect((await getTransfer(t, later.id)).state).toBe('paused');
    // Copies claimed before the pause end with their own 452 and are put back; none starts after.
    const running = async () => (await filesOf(t, created.id)).filter((f) => f.state === 'running').length;
    await expect.poll(running, { timeout: 10_000 }).toBe(0);
    const stors = sentTo(log, dst, 'STOR').length;
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(sentTo(log, dst, 'STOR')).toHaveLength(stors);
    const files1 = await filesOf(t, created.id);
    expect(files1.filter((f) => f.state === 'failed' || f.state === 'running')).toEqual([]);
    expect((await getTransfer(t, created.id)).state).toBe('paused');

    b.server.setQuota(undefined);
    const resumed = await t.app.inject({ method: 'POST', url: '/api/queue/resume', headers: t.auth });
    expect(resumed.statusCode).toBe(200);
    expect(await finished(t, created.id)).toMatchObject({ state: 'done', filesDone: 8, filesFailed: 0 });
    expect(await finished(t, later.id)).toMatchObject({ state: 'done' });
    expectSame(a.root, b.root, [...Object.keys(files), 'later.bin']);
  });

  for (const mode of ['fxp', 'relay'] as const) {
    it(`452 after the data connection was closed (ProFTPD's order), by ${mode}: still one STOR and the queue pauses`, async () => {
      const a = await serve('127.0.0.2', { 'big.bin': seededBytes(1024 * KiB, 7) });
      const b = await serve('127.0.0.3', {}, { quotaBytes: 128 * KiB, quotaCloseMs: 300 });
      // Retries that would come at once: had the sender's 426 been taken for the cause, a second STOR would go out.
      const t = await app({ runner: { maxAttempts: 4, retryDelaysMs: [50, 50, 50] } });
      const log = recordLog(t);
      const [src, dst] = [await site(t, a.server, 'A'), await site(t, b.server, 'B')];
      const created = await startTransfer(t, [src, '/big.bin'], [dst, '/'], mode);

      const paused = await untilPaused(t, created.id);
      expect(paused.notes).toContain(
        'paused: B is out of space — 452 Error writing file: No space left on device.; free space and press Resume',
      );
      expect(paused).toMatchObject({ filesFailed: 0, mode });
      if (mode === 'fxp') {
        // The order this is about: the source's word that its data connection closed came first.
        const received = log
          .filter((l) => l.direction === 'received')
          .map((l) => `${l.siteId === src ? 'A' : 'B'} ${l.line}`);
        const aborted = received.indexOf('A 426 Connection closed; transfer aborted.');
        expect(aborted).toBeGreaterThanOrEqual(0);
        expect(aborted).toBeLessThan(received.indexOf('B 452 Error writing file: No space left on device.'));
      }
      await new Promise((resolve) => setTimeout(resolve, 400));
      expect(sentTo(log, dst, 'STOR')).toHaveLength(1);
    });
  }

  it('530 too many logins: the site is held to the sessions it has, every file copied, one note', async () => {
    const files = tree('m', 12, 48 * KiB);
    const a = await serve('127.0.0.2', files);
    const b = await serve('127.0.0.3', {}, { maxLogins: 2 });
    const t = await app({ runner: { concurrency: 4 } });
    const created = await startTransfer(
      t,
      [await site(t, a.server, 'A'), '/m'],
      [await site(t, b.server, 'B', 4), '/'],
    );

    const done = await finished(t, created.id);
    expect(done).toMatchObject({ state: 'done', filesDone: 12, filesFailed: 0 });
    expectSame(a.root, b.root, Object.keys(files));
    const logins = b.server.logins();
    expect(logins.peak).toBeLessThanOrEqual(2);
    // Refused once per session pasv tried beyond the limit before it knew, not once per file.
    expect(logins.refused).toBeGreaterThan(0);
    expect(logins.refused).toBeLessThanOrEqual(4);
    expect(
      done.notes.filter((n) =>
        /^B takes fewer sessions than configured: at most [12] for now \(530 Sorry, your account is restricted to 2 simultaneous logins\.\)$/.test(
          n,
        ),
      ),
    ).toHaveLength(1);
  });

  it('426 Slow transfer once: tried again at once, resuming, and done', async () => {
    const data = seededBytes(2 * 1024 * KiB, 7);
    const a = await serve('127.0.0.2', { 's.bin': data }, { slowTransfers: 1 });
    const b = await serve('127.0.0.3');
    const t = await app();
    const log = recordLog(t);
    const dst = await site(t, b.server, 'B');
    const created = await startTransfer(t, [await site(t, a.server, 'A'), '/s.bin'], [dst, '/']);

    const done = await finished(t, created.id);
    expect(done.state).toBe('done');
    expect(done.notes).toContain('/s.bin: source: 426 Slow transfer, you were too slow.; trying once more');
    expect(sentTo(log, dst, 'STOR')).toHaveLength(2);
    expect(sentTo(log, dst, 'REST').map((r) => r.line)).toEqual([`REST ${64 * KiB}`]);
    expect(fs.readFileSync(path.join(b.root, 's.bin')).equals(data)).toBe(true);
  });

  it('426 Slow transfer twice: failed with the server’s text', async () => {
    const a = await serve('127.0.0.2', { 's.bin': seededBytes(256 * KiB, 8) }, { slowTransfers: 2 });
    const b = await serve('127.0.0.3');
    const t = await app();
    const log = recordLog(t);
    const src = await site(t, a.server, 'A');
    const created: Transfer = await startTransfer(t, [src, '/s.bin'], [await site(t, b.server, 'B'), '/']);

    const failed = await finished(t, created.id);
    expect(failed).toMatchObject({
      state: 'failed',
      error: { code: 'slow_transfer', message: 'source: 426 Slow transfer, you were too slow.' },
    });
    expect(sentTo(log, src, 'RETR')).toHaveLength(2);
  });
});
