/**
 * Fault: a server that starts a listing and then stops: `150` and a data connection that
 * stays open and silent, one that trickles a byte at a time past the total limit, a listing
 * whose final reply never comes, a flood of `150`s (from a proxy in front of a real server),
 * `1xx` replies that would keep a plain command waiting forever. Each ends with a clear error
 * in bounded time. And a walk or a copy stuck on such a server ends at once when cancelled.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { copyFile, SessionSlot } from '../../src/ftp/copy.js';
import { CancelledError } from '../../src/ftp/cancel.js';
import { FtpConnectionError } from '../../src/ftp/errors.js';
import { list } from '../../src/ftp/ops.js';
import { FtpSession, type SessionOptions } from '../../src/ftp/session.js';
import type { TransferRow, TransferStore } from '../../src/transfers/store.js';
import { walkTree } from '../../src/transfers/walk.js';
import { embedded, sessionOptions } from '../fixtures.js';
import { skipWithout, startServer, type FtpServerKind } from '../servers/index.js';
import { startScriptedLister, type ListerOptions } from './scripted-lister.js';
import { startScriptedServer } from './scripted-server.js';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function lister(options: Omit<ListerOptions, 'host'>) {
  const server = await startScriptedLister({ host: '127.0.0.2', ...options });
  cleanup.push(() => server.close());
  return server;
}

async function connect(
  server: { host: string; port: number },
  extra: Partial<SessionOptions> = {},
): Promise<FtpSession> {
  const session = await FtpSession.connect({ host: server.host, port: server.port, keepaliveMs: 0, ...extra });
  cleanup.push(() => session.destroy());
  return session;
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e as Error,
  );
  expect(error).toBeInstanceOf(Error);
  return error!;
}

describe('a listing on a server that stops mid-way', () => {
  for (const mlsd of [false, true]) {
    const verb = mlsd ? 'MLSD' : 'LIST';
    it(
      `${verb}: 150, then a data connection that stays open and silent → timeout at the idle limit`,
      { timeout: 10_000 },
      async () => {
        const server = await lister({ mlsd, onListing: () => undefined });
        const session = await connect(server, { dataIdleTimeoutMs: 500, listingTimeoutMs: 60_000 });
        const started = performance.now();
        const error = await failure(list(session, '/dir'));
        expect(error).toBeInstanceOf(FtpConnectionError);
        expect((error as FtpConnectionError).code).toBe('timeout');
        expect(error.message).toMatch(new RegExp(`no data on the ${verb} data connection for 500 ms`));
        expect(performance.now() - started).toBeLessThan(3_000);
        // Both its data connection and the session that is now out of step are closed.
        await new Promise((resolve) => server.dataSockets[0]!.once('close', resolve));
        await server.connections[0]!.closed;
        expect(session.closedError).not.toBeNull();
      },
    );
  }

  it(
    'a data connection that trickles a byte every 50 ms → timeout at the total limit',
    { timeout: 10_000 },
    async () => {
      const server = await lister({
        onListing: (data) => {
          const trickle = setInterval(() => data.write('-'), 50);
          data.once('close', () => clearInterval(trickle));
        },
      });
      const session = await connect(server, { dataIdleTimeoutMs: 500, listingTimeoutMs: 1_000 });
      const started = performance.now();
      const error = await failure(list(session, '/'));
      expect((error as FtpConnectionError).code).toBe('timeout');
      expect(error.message).toMatch(/LIST not complete within 1000 ms/);
      expect(performance.now() - started).toBeLessThan(3_000);
      await server.connections[0]!.closed;
    },
  );

  it(
    'the listing arrives but its final reply never does → timeout after the data ended',
    { timeout: 10_000 },
    async () => {
      const server = await lister({
        onListing: (data) => data.end('-rw-r--r-- 1 ftp ftp 5 Jan 01 2026 a.txt\r\n'),
      });
      const session = await connect(server, { replyTimeoutMs: 500 });
      const error = await failure(list(session, '/'));
      expect((error as FtpConnectionError).code).toBe('timeout');
      expect(error.message).toMatch(/no final reply to LIST within 500 ms after its data/);
      await server.connections[0]!.closed;
    },
  );

  const realKinds = (['embedded', 'vsftpd'] as FtpServerKind[]).filter((kind) => !skipWithout(kind));
  for (const kind of realKinds) {
    it(
      `${kind} behind a proxy that repeats every 150 ten times → protocol error after 5`,
      { timeout: 15_000 },
      async () => {
        const upstream = await startServer(kind, { address: '127.0.0.3', files: { 'a.txt': 'hello' } });
        cleanup.push(() => upstream.stop());
        const proxy = await startScriptedServer({
          host: '127.0.0.3',
          upstream: { host: upstream.host, port: upstream.port },
          reply: (conn, line) => {
            if (!line.startsWith('150')) return false;
            for (let i = 0; i < 10; i++) conn.send(`${line}\r\n`);
            return true;
          },
        });
        cleanup.push(() => proxy.close());
        const session = await connect(
          { host: proxy.host, port: proxy.port },
          { user: upstream.user, password: upstream.password },
        );
        const error = await failure(list(session, '/'));
        expect((error as FtpConnectionError).code).toBe('protocol');
        expect(error.message).toMatch(/more than 5 preliminary replies to (LIST|MLSD)/);
        expect(session.closedError).toBe(error);
      },
    );
  }

  it('a 1xx every 300 ms to a plain command does not extend its reply deadline', { timeout: 10_000 }, async () => {
    const server = await startScriptedServer({
      host: '127.0.0.2',
      command: (conn, command) => {
        if (command.verb === 'USER') conn.reply(230, 'Logged in.');
        else if (command.verb === 'FEAT') conn.reply(211, 'No features.');
        else {
          const stalling = setInterval(() => conn.reply(110, 'Still working on it.'), 300);
          void conn.closed.then(() => clearInterval(stalling));
        }
        return true;
      },
    });
    cleanup.push(() => server.close());
    const session = await connect(server, { replyTimeoutMs: 1_000 });
    const started = performance.now();
    const error = await failure(session.send('STAT'));
    expect((error as FtpConnectionError).code).toBe('timeout');
    expect(error.message).toMatch(/no reply to STAT within 1000 ms/);
    expect(performance.now() - started).toBeLessThan(1_500);
  });
});

describe('cancelling work stuck on a silent server', () => {
  it('a walk stuck in a listing ends at once', { timeout: 10_000 }, async () => {
    const source = await lister({ onListing: () => undefined });
    const destination = await embedded.start({ address: '127.0.0.3' });
    cleanup.push(() => destination.stop());
    const slow = { dataIdleTimeoutMs: 60_000, replyTimeoutMs: 60_000 };
    const controller = new AbortController();
    const ignore = () => undefined;
    const walking = walkTree({
      source: await connect(source, slow),
      destination: await connect(destination, { ...sessionOptions(destination), ...slow }),
      transfer: { id: 't1', source_path: '/tree', dest_dir: '/', name: 'tree' } as TransferRow,
      store: { updateTransfer: ignore, insertFiles: ignore } as unknown as TransferStore,
      signal: controller.signal,
      onFound: ignore,
      onNote: ignore,
    });
    await source.listingStarted;
    const cancelledAt = performance.now();
    controller.abort();
    await expect(walking).rejects.toBeInstanceOf(CancelledError);
    expect(performance.now() - cancelledAt).toBeLessThan(500);
    // The stuck listing's data connection is not left open.
    await new Promise((resolve) =>
      source.dataSockets[0]!.destroyed ? resolve(null) : source.dataSockets[0]!.once('close', resolve),
    );
  });

  it('a copy stuck in SIZE, before any supervision, ends at once', { timeout: 10_000 }, async () => {
    const source = await lister({ silent: ['SIZE'], onListing: () => undefined });
    const destination = await embedded.start({ address: '127.0.0.3' });
    cleanup.push(() => destination.stop());
    const slow = { replyTimeoutMs: 60_000, keepaliveMs: 0 };
    const slots = {
      source: new SessionSlot({ host: source.host, port: source.port, ...slow }),
      destination: new SessionSlot({ ...sessionOptions(destination), ...slow }),
    };
    cleanup.push(
      () => slots.source.close(),
      () => slots.destination.close(),
    );
    const controller = new AbortController();
    const copying = copyFile({
      ...slots,
      sourcePath: '/big.bin',
      destinationPath: '/big.bin',
      signal: controller.signal,
    });
    await source.silenced;
    const cancelledAt = performance.now();
    controller.abort();
    await expect(copying).rejects.toBeInstanceOf(CancelledError);
    expect(performance.now() - cancelledAt).toBeLessThan(500);
  });
});
