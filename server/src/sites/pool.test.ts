/**
 * The pool against a server that hangs mid-sequence: a lease released while its session still
 * waits for a reply (its user cancelled) must never reach the next user, who gets a fresh
 * session in that slot, while the stuck one is closed.
 */
import { afterEach, expect, it, vi } from 'vitest';
import { startScriptedServer } from '../../test/faults/scripted-server.js';
import { EventBus } from '../events.js';
import { SessionPool } from './pool.js';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

it('a released lease whose session is stuck mid-command is closed, and the waiter gets a fresh one', async () => {
  const server = await startScriptedServer({
    host: '127.0.0.2',
    command: (conn, command) => {
      if (command.verb === 'USER') conn.reply(230, 'Logged in.');
      else if (command.verb === 'FEAT') conn.reply(211, 'No features.');
      else if (command.verb !== 'PASV') conn.reply(200, 'OK.'); // PASV: never answered
      return true;
    },
  });
  cleanup.push(() => server.close());
  const pool = new SessionPool(
    () => ({ options: { host: server.host, port: server.port, replyTimeoutMs: 60_000 }, maxConnections: 1 }),
    new EventBus(),
    { keepaliveMs: 0 },
  );
  cleanup.push(() => pool.close());

  const first = await pool.lease('site');
  const stuck = await first.acquire();
  void stuck.send('PASV').catch(() => undefined);
  await vi.waitFor(() => expect(stuck.currentCommand).toBe('PASV')); // a task starts on the next tick
  const waiting = pool.lease('site');
  first.release(); // its user gave up (cancel) with PASV still in flight

  const next = await (await waiting).acquire();
  expect(next).not.toBe(stuck);
  expect(stuck.closedError).not.toBeNull();
  await server.connections[0]!.closed;
  await expect(next.send('NOOP')).resolves.toMatchObject({ code: 200 });
});
