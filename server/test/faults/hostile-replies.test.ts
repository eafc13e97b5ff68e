/**
 * Fault: a server that breaks the protocol — garbage, a reply of many mebibytes, a line that
 * never ends, a reply nobody asked for, random junk. A real FtpSession on a real socket must
 * close with a 'protocol' FtpConnectionError (sticky: later commands fail the same way),
 * never throw anything else, never hang, and never buffer without bound.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FtpConnectionError, FtpReplyError } from '../../src/ftp/errors.js';
import { FtpSession } from '../../src/ftp/session.js';
import {
  startScriptedServer,
  type Command,
  type ScriptedConnection,
  type ScriptedServer,
  type ScriptedServerOptions,
} from './scripted-server.js';

const MiB = 1024 * 1024;
const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

/** Answers a login like a plain server; `then` scripts everything after it. */
function loggingIn(then: (conn: ScriptedConnection, command: Command) => void) {
  return (conn: ScriptedConnection, command: Command): boolean => {
    const answers: Record<string, [number, string]> = {
      USER: [331, 'Password required.'],
      PASS: [230, 'Logged in.'],
      FEAT: [211, 'no features'],
      TYPE: [200, 'Type set.'],
    };
    const answer = answers[command.verb];
    if (answer) conn.reply(...answer);
    else then(conn, command);
    return true;
  };
}

async function scripted(options: Omit<ScriptedServerOptions, 'host'>): Promise<ScriptedServer> {
  const server = await startScriptedServer({ host: '127.0.0.2', ...options });
  cleanup.push(() => server.close());
  return server;
}

function connect(server: ScriptedServer): Promise<FtpSession> {
  return FtpSession.connect({
    host: server.host,
    port: server.port,
    replyTimeoutMs: 2_000,
    connectTimeoutMs: 2_000,
    keepaliveMs: 0,
  });
}

async function protocolFailure(promise: Promise<unknown>): Promise<FtpConnectionError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(FtpConnectionError);
  expect((error as FtpConnectionError).code).toBe('protocol');
  return error as FtpConnectionError;
}

/** Writes `chunk` again and again, honouring backpressure, until the client hangs up or `limit`. */
function flood(conn: ScriptedConnection, chunk: Buffer, limit: number): void {
  const pump = () => {
    while (!conn.socket.destroyed && conn.bytesSent < limit) {
      if (!conn.send(chunk)) return void conn.socket.once('drain', pump);
    }
  };
  pump();
}

const memory = () => {
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.external;
};

describe('a session facing a hostile server', () => {
  it('garbage instead of a greeting: protocol error, connection closed', async () => {
    const server = await scripted({
      connect: (conn) => {
        conn.send(Buffer.from([0x16, 0x03, 0x01, 0x00, 0xff, 0x0d, 0x0a, 0x00, 0x41]));
        return 'scripted';
      },
    });
    const error = await protocolFailure(connect(server));
    expect(error.message).toMatch(/Malformed FTP reply line/);
    await server.connections[0]!.closed;
  });

  it('garbage after login: the command fails, and so does every later one, with the first cause', async () => {
    const server = await scripted({
      command: loggingIn((conn) => conn.send('HTTP/1.1 400 Bad Request\r\n\r\n')),
    });
    const session = await connect(server);
    const first = await protocolFailure(session.send('PWD'));
    await expect(session.send('NOOP')).rejects.toBe(first);
    expect(session.closedError).toBe(first);
    await server.connections[0]!.closed;
  });

  it('a reply nobody asked for: the session is not trusted any more', async () => {
    const server = await scripted({
      command: loggingIn((conn, command) => {
        conn.reply(257, '"/" is the current directory');
        if (command.verb === 'PWD') conn.reply(226, 'Transfer complete.'); // a stray, late final reply
      }),
    });
    const session = await connect(server);
    await session.send('PWD');
    await vi.waitFor(() => expect(session.closedError?.code).toBe('protocol'));
    expect(session.closedError?.message).toMatch(/unexpected reply 226/);
    await protocolFailure(session.send('NOOP'));
  });

  // [what, how the reply starts, what repeats after that]
  const unbounded: [string, string, Buffer][] = [
    [
      'a multi-line reply of 256 MiB that never ends',
      '211-Features:\r\n',
      Buffer.from(` ${'FEATURE '.repeat(127)}\r\n`),
    ],
    ['a 256 MiB line that never ends', '211 ', Buffer.from('x'.repeat(64 * 1024))],
  ];
  for (const [what, start, chunk] of unbounded) {
    it(`${what}: closed at the reply cap, memory flat`, async () => {
      const offered = 256 * MiB;
      const server = await scripted({
        command: (conn, command) => {
          if (command.verb === 'USER') conn.reply(331, 'Password required.');
          else if (command.verb === 'PASS') conn.reply(230, 'Logged in.');
          else if (command.verb === 'FEAT') {
            conn.send(start);
            flood(conn, chunk, offered);
          }
          return true;
        },
      });
      const before = memory();
      let peak = before;
      const sampler = setInterval(() => (peak = Math.max(peak, memory())), 5);
      try {
        const error = await protocolFailure(connect(server));
        expect(error.message).toMatch(/exceeds 65536 bytes/);
        const conn = server.connections[0]!;
        await conn.closed;
        // What left the server before pasv hung up: the cap plus what socket buffers hold.
        expect(conn.bytesSent).toBeLessThan(16 * MiB);
        expect(peak - before).toBeLessThan(32 * MiB);
      } finally {
        clearInterval(sampler);
      }
    });
  }

  it('random junk in every reply (fast-check): only reply or connection errors, never a hang', async () => {
    const junk = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 300 }),
      fc.constantFrom('220 ok\r\n', '421 bye\r\n', '331-\r\n', '230', '\r\n', '5', '999 no\r\n', '220-a\r\n220 b\r\n'),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(junk, { minLength: 1, maxLength: 6 }), async (replies) => {
        let next = 0;
        const say = (conn: ScriptedConnection) => conn.send(replies[next++ % replies.length]!);
        const server = await startScriptedServer({
          host: '127.0.0.2',
          connect: (conn) => {
            say(conn);
            return 'scripted';
          },
          command: (conn) => {
            say(conn);
            return true;
          },
        });
        try {
          const started = performance.now();
          const outcome = await FtpSession.connect({
            host: server.host,
            port: server.port,
            replyTimeoutMs: 200,
            connectTimeoutMs: 200,
            keepaliveMs: 0,
          }).then(
            (session) => session.destroy(),
            (error: unknown) => error,
          );
          if (outcome !== undefined) {
            expect(outcome instanceof FtpConnectionError || outcome instanceof FtpReplyError).toBe(true);
          }
          // At most a reply timeout per command of the login (greeting, USER, PASS, FEAT, OPTS).
          expect(performance.now() - started).toBeLessThan(5 * 200 + 1_000);
        } finally {
          await server.close();
        }
      }),
      { numRuns: 50, seed: 20_261_124 },
    );
  });
});
