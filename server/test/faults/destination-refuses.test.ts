/**
 * Fault: the destination will not take the file — vsftpd with a directory the FTP user
 * cannot write (553), or a scripted 552/553/452/450 in front of a real server. The transfer
 * fails with the code and the server's own words; a permanent refusal is tried once, a
 * transient one a bounded number of times with growing pauses, never in a storm. Out of
 * space (552, 452) is the server's policy: tried once, and the destination's queue pauses.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startTestApp, type TestApp } from '../app.js';
import { embedded, seededBytes, type TestServer } from '../fixtures.js';
import { skipWithout, startServer } from '../servers/index.js';
import {
  addSite,
  expectNothingPending,
  filesOf,
  finished,
  untilPaused,
  recordLog,
  sentTo,
  startTransfer,
  type LogEvent,
} from './api.js';
import { startScriptedServer } from './scripted-server.js';

const MiB = 1024 * 1024;
const RETRY_DELAYS = [100, 200, 400];
const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function app(): Promise<{ t: TestApp; log: LogEvent[] }> {
  const t = await startTestApp({ runner: { maxAttempts: 4, retryDelaysMs: RETRY_DELAYS } });
  cleanup.push(() => t.close());
  return { t, log: recordLog(t) };
}

async function source(): Promise<TestServer> {
  const server = await embedded.start({ address: '127.0.0.2', files: { 'f.bin': seededBytes(MiB, 51) } });
  cleanup.push(() => server.stop());
  return server;
}

describe('a destination that refuses the file', () => {
  it.skipIf(skipWithout('vsftpd'))('vsftpd, directory not writable: fails once with 553 and its text', async () => {
    const a = await source();
    const b = await startServer('vsftpd', { address: '127.0.0.3' });
    cleanup.push(() => b.stop());
    fs.mkdirSync(path.join(b.root, 'locked'), { mode: 0o755 }); // root's: the FTP user cannot write here
    const { t, log } = await app();
    const [src, dst] = [await addSite(t, a, 'A'), await addSite(t, b, 'vsftpd')];

    const created = await startTransfer(t, [src, '/f.bin'], [dst, '/locked']);
    const failed = await finished(t, created.id);
    expect(failed.state).toBe('failed');
    expect(failed.error).toEqual({ code: 'name_not_allowed', message: 'destination: 553 Could not create file.' });
    const [file] = await filesOf(t, created.id);
    expect(file!.error?.code).toBe('name_not_allowed');
    await expectNothingPending(t, created.id);
    expect(sentTo(log, dst, 'STOR')).toHaveLength(1);
    // vsftpd's own protocol log agrees: one STOR, refused (written on vsftpd's schedule).
    const vsftpdLog = () => fs.readFileSync(b.logFile!, 'utf8');
    await vi.waitFor(() => expect(vsftpdLog()).toMatch(/"553 Could not create file\."/));
    expect(vsftpdLog().match(/"STOR \/locked\/f\.bin"/g)).toHaveLength(1);
    expect(fs.existsSync(path.join(b.root, 'locked', 'f.bin'))).toBe(false);
  });

  // A scripted proxy in front of a real (embedded) destination answers STOR itself.
  const scripted: [number, string, string, number][] = [
    [553, 'Requested action not taken. File name not allowed.', 'name_not_allowed', 1],
    [450, 'Requested file action not taken. File busy.', 'file_busy', 4],
  ];

  /** A source, and a scripted proxy in front of an embedded destination that answers STOR with `reply`. */
  async function refusing(replyCode: number, text: string) {
    const a = await source();
    const b = await embedded.start({ address: '127.0.0.3' });
    cleanup.push(() => b.stop());
    const proxy = await startScriptedServer({
      host: '127.0.0.3',
      upstream: { host: b.host, port: b.port },
      command: (conn, command) => {
        if (command.verb !== 'STOR') return false;
        conn.reply(replyCode, text);
        return true;
      },
    });
    cleanup.push(() => proxy.close());
    const { t, log } = await app();
    const [src, dst] = [await addSite(t, a, 'A'), await addSite(t, { ...b, port: proxy.port }, 'refusing')];
    return { t, log, src, dst, proxy, b };
  }

  for (const [replyCode, text] of [
    [552, 'Requested file action aborted. Exceeded storage allocation.'],
    [452, 'Requested action not taken. Insufficient storage space in system.'],
  ] as const) {
    it(`scripted ${replyCode} to STOR: 1 STOR, then the destination pauses with the server's text`, async () => {
      const { t, src, dst, proxy } = await refusing(replyCode, text);
      const created = await startTransfer(t, [src, '/f.bin'], [dst, '/']);
      const paused = await untilPaused(t, created.id);
      expect(paused.notes).toContain(
        `paused: refusing is out of space — ${replyCode} ${text}; free space and press Resume`,
      );
      expect(paused.filesFailed).toBe(0);
      await new Promise((resolve) => setTimeout(resolve, 4 * RETRY_DELAYS[0]!));
      expect(proxy.commandLog().filter((line) => / STOR /.test(line))).toHaveLength(1);
    });
  }

  for (const [replyCode, text, code, expectedStors] of scripted) {
    it(`scripted ${replyCode} to STOR: ${expectedStors} STOR(s), then ${code} with the server's text`, async () => {
      const { t, log, src, dst, proxy, b } = await refusing(replyCode, text);
      const created = await startTransfer(t, [src, '/f.bin'], [dst, '/']);
      const failed = await finished(t, created.id);
      expect(failed.state).toBe('failed');
      expect(failed.error).toEqual({ code, message: `destination: ${replyCode} ${text}` });
      await expectNothingPending(t, created.id);
      expect(proxy.commandLog().filter((line) => / STOR /.test(line))).toHaveLength(expectedStors);
      // A transient refusal is retried after each of the runner's growing delays, no sooner.
      const times = sentTo(log, dst, 'STOR').map((s) => s.at);
      for (let i = 1; i < times.length; i++)
        expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(RETRY_DELAYS[i - 1]!);
      expect(fs.existsSync(path.join(b.root, 'f.bin'))).toBe(false);
    });
  }
});
