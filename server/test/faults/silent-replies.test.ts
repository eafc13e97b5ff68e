/**
 * Fault: a server that goes silent at the worst moments, scripted in front of a real
 * (embedded) destination: no answer to PASV (the reply timeout must end it), and no final
 * reply after the data went through (the final-reply watchdog must end it, as with a
 * pure-ftpd that drops a foreign data connection). Each time the copy is retried on a fresh
 * session and completes identical; nothing hangs.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { startTestApp } from '../app.js';
import { embedded, seededBytes, sha256 } from '../fixtures.js';
import { addSite, finished, recordLog, sentTo, startTransfer } from './api.js';
import { startScriptedServer, type Script } from './scripted-server.js';

const MiB = 1024 * 1024;
const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

/** Source A (embedded), destination B (embedded) behind the scripted proxy, an app. */
async function setUp(script: Script, data: Buffer) {
  const a = await embedded.start({ address: '127.0.0.2', files: { 'f.bin': data } });
  cleanup.push(() => a.stop());
  const b = await embedded.start({ address: '127.0.0.3' });
  cleanup.push(() => b.stop());
  const proxy = await startScriptedServer({ host: '127.0.0.3', upstream: { host: b.host, port: b.port }, ...script });
  cleanup.push(() => proxy.close());
  const t = await startTestApp({
    pool: { replyTimeoutMs: 1_000 },
    runner: { finalReplyTimeoutMs: 1_000, maxAttempts: 4, retryDelaysMs: [100, 200] },
  });
  cleanup.push(() => t.close());
  const log = recordLog(t);
  const [src, dst] = [await addSite(t, a, 'A'), await addSite(t, { ...b, port: proxy.port }, 'B')];
  return { b, proxy, t, log, src, dst };
}

it('no reply to PASV: the reply timeout ends that session and the retry completes', async () => {
  const data = seededBytes(2 * MiB, 71);
  let silenced = false;
  const { b, proxy, t, src, dst } = await setUp(
    {
      command: (conn, command) => {
        if (command.verb !== 'PASV' || silenced) return false;
        silenced = true;
        conn.mute();
        return true;
      },
    },
    data,
  );

  const created = await startTransfer(t, [src, '/f.bin'], [dst, '/']);
  const done = await finished(t, created.id, 15_000);
  expect(done.state, JSON.stringify(done)).toBe('done');
  expect(done.notes.join('\n')).toMatch(/no reply to PASV within 1000 ms; will retry/);
  expect(sha256(fs.readFileSync(path.join(b.root, 'f.bin')))).toBe(sha256(data));

  // pasv hung up on the silent session itself, about one reply timeout after its PASV.
  const silent = proxy.connections.find((c) => c.muted)!;
  await silent.closed;
  expect(silent.lastCommand?.verb).toBe('PASV'); // nothing was sent after it
  const waited = silent.closedAt! - silent.lastCommand!.at;
  expect(waited).toBeGreaterThanOrEqual(990);
  expect(waited).toBeLessThan(3_000);
  expect(proxy.connections.filter((c) => c.muted)).toHaveLength(1);
});

it('no final reply after the data went through: the watchdog ends it and the retry resumes to completion', async () => {
  const data = seededBytes(2 * MiB, 72);
  let swallowed = false;
  const { b, proxy, t, log, src, dst } = await setUp(
    {
      reply: (conn, line) => {
        if (swallowed || conn.lastCommand?.verb !== 'STOR' || !line.startsWith('226')) return false;
        // The file is complete on disk, but the destination never says so, nor anything else.
        swallowed = true;
        conn.mute();
        return true;
      },
    },
    data,
  );

  const created = await startTransfer(t, [src, '/f.bin'], [dst, '/']);
  const done = await finished(t, created.id, 20_000);
  expect(done.state, JSON.stringify(done)).toBe('done');
  expect(done.notes.join('\n')).toMatch(
    /destination: no final reply within 1000 ms after the source finished; will retry/,
  );
  expect(sha256(fs.readFileSync(path.join(b.root, 'f.bin')))).toBe(sha256(data));
  // The retry saw the whole file already there: it resumed at its end instead of copying again.
  expect(sentTo(log, dst, 'REST').map((s) => s.line)).toContain(`REST ${data.length}`);
  const silent = proxy.connections.find((c) => c.muted)!;
  await silent.closed;
  expect(silent.commands.map((c) => c.verb)).toContain('ABOR'); // asked, never answered, then dropped
});
