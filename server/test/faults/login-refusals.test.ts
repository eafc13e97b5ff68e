/**
 * Fault: the server turns logins away. 421 ("too many connections", at the greeting or in
 * answer to PASS) is temporary: the pool must come back after jittered, growing pauses and
 * get in. 530 (wrong password) is final: exactly one login per try, and the error says
 * login_failed in the server's own words.
 */
import fs from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { describeError } from '../../src/errors.js';
import { EventBus } from '../../src/events.js';
import { FtpReplyError } from '../../src/ftp/errors.js';
import { SessionPool } from '../../src/sites/pool.js';
import { startTestApp } from '../app.js';
import { embedded, seededBytes, type TestServer } from '../fixtures.js';
import { skipWithout, startServer } from '../servers/index.js';
import { addSite, expectNothingPending, finished, retryTransfer, startTransfer } from './api.js';
import { startScriptedServer, type Script, type ScriptedServer } from './scripted-server.js';

const BUSY = 'There are too many connections from your internet address.';
const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function upstream(): Promise<TestServer> {
  const server = await embedded.start({ address: '127.0.0.2', files: { 'f.bin': seededBytes(4096, 81) } });
  cleanup.push(() => server.stop());
  return server;
}

async function proxyFor(server: TestServer, script: Script): Promise<ScriptedServer> {
  const proxy = await startScriptedServer({
    host: server.host,
    upstream: { host: server.host, port: server.port },
    ...script,
  });
  cleanup.push(() => proxy.close());
  return proxy;
}

function poolFor(
  server: TestServer,
  proxy: ScriptedServer,
  options: { backoffMs: number; connectAttempts: number },
): SessionPool {
  const login = { user: server.user, password: server.password };
  const pool = new SessionPool(
    () => ({ options: { host: proxy.host, port: proxy.port, ...login, label: 'busy' }, maxConnections: 2 }),
    new EventBus(),
    { ...options, keepaliveMs: 0 },
  );
  cleanup.push(() => pool.close());
  return pool;
}

const mean = (values: number[]) => values.reduce((sum, v) => sum + v, 0) / values.length;

describe('421 at login', () => {
  it('the pool backs off with growing, jittered pauses and gets in', async () => {
    const BASE = 100;
    const REFUSED = 3; // per round: three 421 greetings, then the real server
    const ROUNDS = 6;
    const server = await upstream();
    const proxy = await proxyFor(server, {
      connect: (conn) => {
        if (conn.index % (REFUSED + 1) === REFUSED) return;
        conn.refuse(421, BUSY);
        return 'scripted';
      },
    });
    const pool = poolFor(server, proxy, { backoffMs: BASE, connectAttempts: REFUSED + 1 });

    for (let round = 0; round < ROUNDS; round++) {
      const lease = await pool.lease(`site-${round}`); // a new site each round: a fresh login
      const session = await lease.acquire();
      expect(session.greeting).toMatch(/pasv embedded FTP server/);
      await session.send('NOOP');
      lease.release();
    }

    expect(proxy.connections).toHaveLength(ROUNDS * (REFUSED + 1));
    // gaps[k][round]: the pause before attempt k + 1 of that round.
    const gaps: number[][] = Array.from({ length: REFUSED }, () => []);
    for (let round = 0; round < ROUNDS; round++) {
      const opened = proxy.connections.slice(round * (REFUSED + 1), (round + 1) * (REFUSED + 1)).map((c) => c.openedAt);
      for (let k = 0; k < REFUSED; k++) gaps[k]!.push(opened[k + 1]! - opened[k]!);
    }
    const factors: number[] = [];
    for (const [k, samples] of gaps.entries()) {
      const nominal = BASE * 2 ** k;
      for (const gap of samples) {
        // base · 2^k · (0.5 … 1.5), plus a little for the connection and a loaded machine.
        expect(gap).toBeGreaterThanOrEqual(0.5 * nominal - 2);
        expect(gap).toBeLessThanOrEqual(1.5 * nominal + 150);
        factors.push(gap / nominal);
      }
    }
    // Growing: each pause is on average longer than the one before.
    for (let k = 1; k < REFUSED; k++) expect(mean(gaps[k]!)).toBeGreaterThan(mean(gaps[k - 1]!));
    // Jittered: the pauses are not one fixed schedule (clients that all lost the server at
    // once must not come back in lockstep).
    expect(Math.max(...factors) - Math.min(...factors)).toBeGreaterThan(0.3);
    expect(new Set(gaps[0]!.map((g) => Math.round(g))).size).toBeGreaterThan(1);
  });

  it('gives up after its attempts with the 421 and the server’s text', async () => {
    const server = await upstream();
    const proxy = await proxyFor(server, {
      connect: (conn) => {
        conn.refuse(421, BUSY);
        return 'scripted';
      },
    });
    const pool = poolFor(server, proxy, { backoffMs: 20, connectAttempts: 3 });
    const lease = await pool.lease('site');
    const error = await lease.acquire().catch((e: unknown) => e);
    lease.release();
    expect(error).toBeInstanceOf(FtpReplyError);
    expect(describeError(error)).toEqual({ code: 'service_unavailable', message: `421 ${BUSY}` });
    expect(proxy.connections).toHaveLength(3);
  });

  it('421 in answer to PASS is retried like one at the greeting', async () => {
    const server = await upstream();
    const proxy = await proxyFor(server, {
      command: (conn, command) => {
        if (command.verb !== 'PASS' || conn.index >= 2) return false;
        conn.refuse(421, 'Too many users logged in, closing control connection.');
        return true;
      },
    });
    const pool = poolFor(server, proxy, { backoffMs: 20, connectAttempts: 4 });
    const lease = await pool.lease('site');
    const session = await lease.acquire();
    await session.send('NOOP');
    lease.release();
    const passes = proxy.commandLog().filter((line) => / PASS /.test(line));
    expect(passes).toEqual([0, 1, 2].map((i) => `${i} PASS ${server.password}`));
  });
});

describe('530 at login', () => {
  it('is final: one login per try, login_failed with the server’s text; a retry after the fix works', async () => {
    const server = await upstream();
    const destination = await embedded.start({ address: '127.0.0.3' });
    cleanup.push(() => destination.stop());
    const proxy = await proxyFor(server, {});
    const t = await startTestApp({ pool: { connectAttempts: 4, backoffMs: 20 } });
    cleanup.push(() => t.close());
    const src = await addSite(t, { ...server, port: proxy.port, password: 'wrong' }, 'A');
    const dst = await addSite(t, destination, 'B');
    const passes = () => proxy.commandLog().filter((line) => / PASS /.test(line));

    const created = await startTransfer(t, [src, '/f.bin'], [dst, '/']);
    const failed = await finished(t, created.id);
    expect(failed).toMatchObject({ state: 'failed', error: { code: 'login_failed', message: '530 Login incorrect.' } });
    await expectNothingPending(t, created.id);
    expect(passes()).toEqual(['0 PASS wrong']);

    // Retried as is: refused again, once more exactly one login.
    await retryTransfer(t, created.id);
    expect((await finished(t, created.id)).error?.code).toBe('login_failed');
    await expectNothingPending(t, created.id);
    expect(passes()).toEqual(['0 PASS wrong', '1 PASS wrong']);

    // With the password corrected, the same transfer retried goes through.
    const patched = await t.app.inject({
      method: 'PATCH',
      url: `/api/sites/${src}`,
      headers: t.auth,
      payload: { password: server.password },
    });
    expect(patched.statusCode).toBe(200);
    await retryTransfer(t, created.id);
    expect(await finished(t, created.id)).toMatchObject({ state: 'done', filesDone: 1 });
    expect(passes()[2]).toBe(`2 PASS ${server.password}`);
  });

  it.skipIf(skipWithout('vsftpd'))('vsftpd: one login per try, its own 530 text', async () => {
    const vsftpd = await startServer('vsftpd', { address: '127.0.0.2', files: { 'f.bin': 'x' } });
    cleanup.push(() => vsftpd.stop());
    const destination = await embedded.start({ address: '127.0.0.3' });
    cleanup.push(() => destination.stop());
    const t = await startTestApp({ pool: { connectAttempts: 4, backoffMs: 20 } });
    cleanup.push(() => t.close());
    const src = await addSite(
      t,
      { host: vsftpd.host, port: vsftpd.port, user: vsftpd.user, password: 'not-the-password' },
      'vsftpd',
    );
    const dst = await addSite(t, destination, 'B');

    const created = await startTransfer(t, [src, '/f.bin'], [dst, '/']);
    const failed = await finished(t, created.id);
    expect(failed).toMatchObject({ state: 'failed', error: { code: 'login_failed', message: '530 Login incorrect.' } });
    await expectNothingPending(t, created.id);
    // vsftpd writes its log on its own schedule: wait for the line, then count.
    const passes = () => fs.readFileSync(vsftpd.logFile!, 'utf8').match(/FTP command: Client "[^"]+", "PASS /g) ?? [];
    await vi.waitFor(() => expect(passes().length).toBeGreaterThan(0));
    expect(passes()).toHaveLength(1);
  });
});
