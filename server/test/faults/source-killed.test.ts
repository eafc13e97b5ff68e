/**
 * Fault: the source server's process is SIGKILLed mid-transfer and started again. The
 * transfer must be retried, resume with REST from what the destination already holds
 * (both sides, offset > 0), and end byte-for-byte identical.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually, startTestApp, type TestApp } from '../app.js';
import { embedded, seededBytes, sha256, writeFiles } from '../fixtures.js';
import { isDead, killTree, launch } from '../servers/launch.js';
import { skipWithout, startServer } from '../servers/index.js';
import { vsftpdBinary } from '../servers/vsftpd.js';
import { addSite, finished, recordLog, sentTo, startTransfer, type LogEvent } from './api.js';
import { startChildFtpServer } from './children.js';

const MiB = 1024 * 1024;
const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function app(): Promise<{ t: TestApp; log: LogEvent[] }> {
  // Enough tries, spaced widely enough, to outlast a server restart (1–5 s on a busy machine).
  const t = await startTestApp({ runner: { maxAttempts: 12, retryDelaysMs: [300, 600, 1_000] } });
  cleanup.push(() => t.close());
  return { t, log: recordLog(t) };
}

/** REST offsets pasv sent to a site. */
function restOffsets(log: LogEvent[], siteId: string): number[] {
  return sentTo(log, siteId, 'REST').map((s) => Number(s.line.split(' ')[1]));
}

function destinationSize(root: string, name: string): number {
  try {
    return fs.statSync(path.join(root, name)).size;
  } catch {
    return 0;
  }
}

describe('the source server is killed mid-transfer and restarted', () => {
  it('embedded server in a child process: resumes with REST and ends identical', async () => {
    const data = seededBytes(4 * MiB, 41);
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pasv-killed-src-'));
    cleanup.push(() => fs.rmSync(root, { recursive: true, force: true }));
    writeFiles(root, { 'big.bin': data });
    const spec = { host: '127.0.0.2', root, bytesPerSecond: 2 * MiB, dataTimeoutMs: 5_000 };
    let source = await startChildFtpServer(spec);
    cleanup.push(() => source.kill());
    const destination = await embedded.start({ address: '127.0.0.3' });
    cleanup.push(() => destination.stop());

    const { t, log } = await app();
    const [a, b] = [await addSite(t, source, 'A'), await addSite(t, destination, 'B')];
    const created = await startTransfer(t, [a, '/big.bin'], [b, '/']);

    await eventually(() => destinationSize(destination.root, 'big.bin') > MiB);
    const killedPid = source.pid;
    await source.kill();
    expect(isDead(killedPid)).toBe(true);
    const atKill = destinationSize(destination.root, 'big.bin');
    expect(atKill).toBeLessThan(data.length);
    source = await startChildFtpServer({ ...spec, port: source.port });
    expect(source.pid).not.toBe(killedPid);

    const done = await finished(t, created.id);
    expect(done.state, JSON.stringify(done)).toBe('done');
    expect(done.notes.join('\n')).toMatch(/will retry/);
    expect(sha256(fs.readFileSync(path.join(destination.root, 'big.bin')))).toBe(sha256(data));

    // The retry resumed: REST n with 0 < n < size on both servers, at the same offset.
    const fromSource = restOffsets(log, a).filter((n) => n > 0);
    const fromDestination = restOffsets(log, b).filter((n) => n > 0);
    expect(fromSource.length).toBeGreaterThanOrEqual(1);
    expect(fromDestination).toEqual(fromSource);
    expect(fromSource[0]).toBeGreaterThanOrEqual(MiB);
    expect(fromSource[0]).toBeLessThan(data.length);
  });

  it.skipIf(skipWithout('vsftpd'))(
    'vsftpd (every process SIGKILLed): resumes with REST and ends identical',
    async () => {
      const data = seededBytes(4 * MiB, 42);
      const source = await startServer('vsftpd', {
        address: '127.0.0.2',
        files: { 'big.bin': data },
        bytesPerSecond: 2 * MiB,
      });
      cleanup.push(() => source.stop());
      const destination = await embedded.start({ address: '127.0.0.3' });
      cleanup.push(() => destination.stop());

      const { t, log } = await app();
      const a = await addSite(t, source, 'vsftpd');
      const b = await addSite(t, destination, 'B');
      const created = await startTransfer(t, [a, '/big.bin'], [b, '/']);

      await eventually(() => destinationSize(destination.root, 'big.bin') > MiB);
      const members = killTree(source.pid!);
      expect(members.length).toBeGreaterThan(1); // the listener and the session serving the RETR
      await eventually(() => members.every(isDead), 5_000);

      // The same binary on the same config file: the same address, port and root.
      const base = path.dirname(source.root);
      const restarted = await launch({
        command: vsftpdBinary(),
        args: [path.join(base, 'vsftpd.conf')],
        host: source.host,
        port: source.port,
        implicitTls: false,
        outputFile: path.join(base, 'restarted-output.txt'),
      });
      cleanup.push(() => restarted.stop());

      const done = await finished(t, created.id);
      expect(done.state, JSON.stringify(done)).toBe('done');
      expect(sha256(fs.readFileSync(path.join(destination.root, 'big.bin')))).toBe(sha256(data));
      const offsets = restOffsets(log, a).filter((n) => n > 0);
      expect(offsets.length).toBeGreaterThanOrEqual(1);
      expect(restOffsets(log, b).filter((n) => n > 0)).toEqual(offsets);
      expect(offsets[0]).toBeGreaterThanOrEqual(MiB);
      // vsftpd's own protocol log shows the resumed RETR after the restart.
      const vsftpdLog = fs.readFileSync(source.logFile!, 'utf8');
      expect(vsftpdLog).toContain(`"REST ${offsets[0]}"`);
    },
  );
});
