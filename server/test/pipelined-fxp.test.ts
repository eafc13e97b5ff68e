/**
 * A lane's files after its first go with PORT and RETR in one write and the STOR beside them
 * (fxp.ts): on every server we test with, the copies end identical, the log shows the RETR and
 * the STOR sent before the PORT's reply, and the lane's first file, which might be refused, is
 * never pipelined.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { copyFile, SessionSlot } from '../src/ftp/copy.js';
import type { LogLine } from '../src/ftp/session.js';
import { startTestApp } from './app.js';
import { embedded, seededBytes, sha256 } from './fixtures.js';
import { addSite, finished, recordLog, startTransfer, type LogEvent } from './faults/api.js';
import { serverKinds, skipWithout, startServer } from './servers/index.js';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

/**
 * For each PORT the source was sent: whether its RETR went out before any reply came back,
 * and the destination's STOR too.
 */
function pipelinedPorts(log: LogEvent[], source: string, destination: string): boolean[] {
  const out: boolean[] = [];
  for (const [i, line] of log.entries()) {
    if (line.siteId !== source || line.direction !== 'sent' || !line.line.startsWith('PORT ')) continue;
    const answered = log.findIndex((l, k) => k > i && l.siteId === source && l.direction === 'received');
    const before = log.slice(i + 1, answered === -1 ? undefined : answered);
    const next = before.find((l) => l.siteId === source);
    const retr = next?.direction === 'sent' && next.line.startsWith('RETR ');
    const stor = before.some((l) => l.siteId === destination && l.direction === 'sent' && l.line.startsWith('STOR '));
    out.push(retr && stor);
  }
  return out;
}

/** For each SIZE the destination was sent: whether the next file's first command (PRET, PASV or PORT) went out before its reply. */
function passivesBehindSize(log: LogEvent[], destination: string): boolean[] {
  const lines = log.filter((l) => l.siteId === destination);
  return lines.flatMap((line, i) => {
    if (line.direction !== 'sent' || !line.line.startsWith('SIZE ')) return [];
    const next = lines[i + 1];
    return [next?.direction === 'sent' && /^(PRET |PASV$|PORT )/.test(next.line)];
  });
}

/** For each PRET the destination was sent: whether its PASV went out right behind it, before its reply. */
function passivesBehindPret(log: LogEvent[], destination: string): boolean[] {
  const lines = log.filter((l) => l.siteId === destination);
  return lines.flatMap((line, i) => {
    if (line.direction !== 'sent' || !line.line.startsWith('PRET ')) return [];
    const next = lines[i + 1];
    return [next?.direction === 'sent' && next.line === 'PASV'];
  });
}

describe('pipelined FXP: PORT, RETR and STOR at once once a lane has copied', () => {
  for (const kind of serverKinds) {
    it.skipIf(skipWithout(kind))(
      `${kind} → ${kind}: 12 small files identical, all but the first pipelined`,
      async () => {
        const a = await startServer(kind, { address: '127.0.0.2' });
        cleanup.push(() => a.stop());
        const b = await startServer(kind, { address: '127.0.0.3' });
        cleanup.push(() => b.stop());
        const files = Array.from(
          { length: 12 },
          (_, i) => [`f${String(i).padStart(2, '0')}.bin`, seededBytes(4096 + i, 70 + i)] as const,
        );
        fs.mkdirSync(path.join(a.root, 'tree'), { recursive: true });
        for (const [name, data] of files) fs.writeFileSync(path.join(a.root, 'tree', name), data);
        const t = await startTestApp({ runner: { concurrency: 1 } });
        cleanup.push(() => t.close());
        const log = recordLog(t);
        const [src, dst] = [await addSite(t, a, 'A'), await addSite(t, b, 'B')];

        const created = await startTransfer(t, [src, '/tree'], [dst, '/']);
        expect(await finished(t, created.id, 60_000)).toMatchObject({ state: 'done', filesDone: 12, mode: 'fxp' });
        for (const [name, data] of files)
          expect(sha256(fs.readFileSync(path.join(b.root, 'tree', name))), name).toBe(sha256(data));
        const pipelined = pipelinedPorts(log, src, dst);
        expect(pipelined).toHaveLength(12);
        expect(pipelined[0]).toBe(false);
        // The second file starts while the first is still being checked, so it may not know yet.
        expect(pipelined.slice(2).every(Boolean)).toBe(true);
        // Each file's size check leaves the session to the next file at once: its commands go behind.
        const behind = passivesBehindSize(log, dst);
        expect(behind.filter(Boolean).length, JSON.stringify(behind)).toBeGreaterThanOrEqual(10);
        // Where PRET goes first (pure-ftpd lists it in FEAT), the PASV goes right behind it.
        const prets = passivesBehindPret(log, dst);
        if (kind === 'pure-ftpd') expect(prets.length).toBeGreaterThanOrEqual(12);
        expect(prets.every(Boolean), JSON.stringify(prets)).toBe(true);
      },
    );
  }
});

it('a pipelined PORT that is refused: the early RETR is answered, the early STOR aborted, the passive side flips, the copy completes', async () => {
  // The source refuses a PORT to a foreign address, as if its policy changed after the lane's
  // first copy: neither the RETR sent with it nor the STOR sent beside it may leave a session out of step.
  const data = seededBytes(64 * 1024, 81);
  const a = await embedded.start({ address: '127.0.0.2', fxp: 'passive-only', files: { 'f.bin': data } });
  cleanup.push(() => a.stop());
  const b = await embedded.start({ address: '127.0.0.3' });
  cleanup.push(() => b.stop());
  const lines: LogLine[] = [];
  const slot = (server: typeof a) =>
    new SessionSlot({
      host: server.host,
      port: server.port,
      user: server.user,
      password: server.password,
      onLine: (l) => lines.push(l),
    });
  const [source, destination] = [slot(a), slot(b)];
  cleanup.push(() => source.close());
  cleanup.push(() => destination.close());

  const result = await copyFile({
    source,
    destination,
    sourcePath: '/f.bin',
    destinationPath: '/f.bin',
    mode: 'fxp',
    // As the runner says it when these sessions' last copy took this route.
    route: { mode: 'fxp', passive: 'destination', security: 'none', pret: false, extended: false },
    pipeline: true,
  });
  expect(result).toMatchObject({ outcome: 'copied', mode: 'fxp', passive: 'source' });
  expect(sha256(fs.readFileSync(path.join(b.root, 'f.bin')))).toBe(sha256(data));
  const sent = lines.filter((l) => l.direction === 'sent').map((l) => l.line.split(' ')[0]);
  // PORT and RETR went out together with the STOR, both refused, the STOR aborted, then the
  // flipped copy: PASV on the source.
  expect(sent.slice(sent.indexOf('PORT'), sent.indexOf('PORT') + 3)).toEqual(['PORT', 'RETR', 'STOR']);
  expect(sent.slice(sent.indexOf('STOR') + 1)).toEqual(expect.arrayContaining(['ABOR', 'PASV', 'STOR']));
  expect(sent.indexOf('ABOR')).toBeLessThan(sent.indexOf('PASV', sent.indexOf('PORT')));
  expect(lines.filter((l) => l.direction === 'received').map((l) => l.line.slice(0, 3))).toEqual(
    expect.arrayContaining(['425']),
  );
  // Both sessions are still the first ones, in step: one login each.
  expect(sent.filter((verb) => verb === 'USER')).toHaveLength(2);
});
