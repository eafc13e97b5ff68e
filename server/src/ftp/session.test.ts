import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { embedded } from '../../test/fixtures.js';
import type { TestServer } from '../../test/fixtures.js';
import { skipWithout, startVsftpd } from '../../test/servers/index.js';
import { FtpConnectionError, FtpReplyError, UnsafeArgumentError } from './errors.js';
import { FtpSession, type LogLine } from './session.js';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function server(): Promise<TestServer> {
  const s = await embedded.start({ address: '127.0.0.2', files: { 'a.txt': 'abc' } });
  cleanup.push(() => s.stop());
  return s;
}

async function connect(s: TestServer, extra: Partial<Parameters<typeof FtpSession.connect>[0]> = {}) {
  const session = await FtpSession.connect({
    host: s.host,
    port: s.port,
    user: s.user,
    password: s.password,
    ...extra,
  });
  cleanup.push(() => session.close());
  return session;
}

/** A one-connection server that answers with whatever the test scripts. */
async function scripted(onLine: (line: string, socket: net.Socket) => void, greeting = '220 hi\r\n') {
  const sockets: net.Socket[] = [];
  const listener = net.createServer((socket) => {
    sockets.push(socket);
    socket.write(greeting);
    let buffer = '';
    socket.on('data', (chunk) => {
      buffer += chunk.toString();
      let index: number;
      while ((index = buffer.indexOf('\r\n')) >= 0) {
        const line = buffer.slice(0, index);
        buffer = buffer.slice(index + 2);
        onLine(line, socket);
      }
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  cleanup.push(() => {
    sockets.forEach((s) => s.destroy());
    return new Promise<void>((resolve) => listener.close(() => resolve()));
  });
  return { host: '127.0.0.1', port: (listener.address() as net.AddressInfo).port };
}

const loginScript = (extra: (line: string, socket: net.Socket) => boolean) => (line: string, socket: net.Socket) => {
  if (extra(line, socket)) return;
  if (line.startsWith('USER')) socket.write('331 pw\r\n');
  else if (line.startsWith('PASS')) socket.write('230 ok\r\n');
  else if (line === 'FEAT') socket.write('211-Features:\r\n UTF8\r\n211 End\r\n');
  else socket.write('200 ok\r\n');
};

describe('FtpSession', () => {
  it('logs in, reads FEAT, and masks PASS in its events', async () => {
    const session = await connect(await server());
    const lines: LogLine[] = [];
    session.on('line', (line) => lines.push(line));
    expect(session.features.has('MLST')).toBe(true);
    expect(session.greeting).toMatch(/ready/);
    await session.send('PASS', 'again-secret').catch(() => undefined);
    expect(lines[0]).toMatchObject({ direction: 'sent', line: 'PASS ****' });
    expect(lines[1]!.direction).toBe('received');
    expect(JSON.stringify(lines)).not.toContain('again-secret');
  });

  it('runs concurrent commands one at a time, each with its own reply', async () => {
    const session = await connect(await server());
    const [pwd, size, missing, noop] = await Promise.allSettled([
      session.send('PWD'),
      session.send('SIZE', '/a.txt'),
      session.send('SIZE', '/nope'),
      session.send('NOOP'),
    ]);
    expect(pwd).toMatchObject({ status: 'fulfilled', value: { code: 257 } });
    expect(size).toMatchObject({ status: 'fulfilled', value: { code: 213, text: '3' } });
    expect(missing).toMatchObject({ status: 'rejected', reason: { code: 550 } });
    expect(noop).toMatchObject({ status: 'fulfilled', value: { code: 200 } });
  });

  it('rejects CR, LF and NUL in arguments before anything is written', async () => {
    const session = await connect(await server());
    const lines: LogLine[] = [];
    session.on('line', (line) => lines.push(line));
    for (const arg of ['a\r\nDELE a.txt', 'a\nb', 'a\0b']) {
      expect(() => session.send('SIZE', arg)).toThrow(UnsafeArgumentError);
    }
    expect(lines).toEqual([]);
    expect((await session.send('SIZE', '/a.txt')).text).toBe('3');
  });

  it('sends NOOP when idle', async () => {
    const session = await connect(await server(), { keepaliveMs: 100 });
    const lines: LogLine[] = [];
    session.on('line', (line) => lines.push(line));
    await expect.poll(() => lines.filter((l) => l.line === 'NOOP').length, { timeout: 3_000 }).toBeGreaterThan(1);
  });

  it('fails every later command with the first cause after 421', async () => {
    const address = await scripted(
      loginScript((line, socket) => {
        if (line === 'PWD') {
          socket.write('421 Timeout, closing control connection.\r\n');
          socket.end();
          return true;
        }
        return false;
      }),
    );
    const session = await FtpSession.connect({ ...address, user: 'u', password: 'p' });
    await expect(session.send('PWD')).rejects.toMatchObject({ code: 421 });
    const later = await session.send('NOOP').catch((e: unknown) => e);
    expect(later).toBeInstanceOf(FtpConnectionError);
    expect((later as FtpConnectionError).message).toMatch(/421 Timeout/);
  });

  it('closes a session whose server does not answer within the reply timeout', async () => {
    const address = await scripted(loginScript((line) => line === 'PWD'));
    const session = await FtpSession.connect({ ...address, user: 'u', password: 'p', replyTimeoutMs: 300 });
    const error = await session.send('PWD').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FtpConnectionError);
    expect((error as FtpConnectionError).code).toBe('timeout');
    expect(session.closedError).not.toBeNull();
  });

  it('treats an unsolicited reply as a broken session (it would answer the next command)', async () => {
    const address = await scripted(
      loginScript((line, socket) => {
        if (line === 'PWD') {
          socket.write('257 "/"\r\n200 surprise\r\n');
          return true;
        }
        return false;
      }),
    );
    const session = await FtpSession.connect({ ...address, user: 'u', password: 'p' });
    await session.send('PWD');
    await expect.poll(() => session.closedError?.code).toBe('protocol');
  });

  it('refuses an oversized reply instead of buffering it', async () => {
    const address = await scripted(
      loginScript((line, socket) => {
        if (line === 'PWD') {
          socket.write('257-' + 'x'.repeat(200_000) + '\r\n');
          return true;
        }
        return false;
      }),
    );
    const session = await FtpSession.connect({ ...address, user: 'u', password: 'p' });
    const error = await session.send('PWD').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FtpConnectionError);
    expect((error as FtpConnectionError).code).toBe('protocol');
  });

  it('reports a wrong password as a 530 reply error', async () => {
    const s = await server();
    const error = await FtpSession.connect({ host: s.host, port: s.port, user: s.user, password: 'wrong' }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(FtpReplyError);
    expect((error as FtpReplyError).code).toBe(530);
  });

  it('reports an unreachable host as refused, and a silent one as a timeout', async () => {
    const refused = await FtpSession.connect({ host: '127.0.0.1', port: 1 }).catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: 'refused' });
    const silent = net.createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    cleanup.push(() => new Promise<void>((resolve) => silent.close(() => resolve())));
    const port = (silent.address() as net.AddressInfo).port;
    const timeout = await FtpSession.connect({ host: '127.0.0.1', port, connectTimeoutMs: 300 }).catch(
      (e: unknown) => e,
    );
    expect(timeout).toMatchObject({ code: 'timeout' });
  });
});

/** A scripted server that records every line it receives, answering like loginScript. */
async function recording(extra: (line: string, socket: net.Socket) => boolean = () => false) {
  const received: string[] = [];
  const address = await scripted(
    loginScript((line, socket) => {
      received.push(line);
      return extra(line, socket);
    }),
  );
  const session = await FtpSession.connect({ ...address, user: 'u', password: 'p' });
  cleanup.push(() => session.destroy());
  received.splice(0); // the login is not what these tests look at
  return { session, received };
}

function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

describe('FtpSession tasks', () => {
  it('runs a task’s commands back to back: a command sent meanwhile waits until the task ends', async () => {
    const { session, received } = await recording();
    const between = gate();
    const renaming = session.task(async (t) => {
      await t.send('RNFR', '/a');
      await between.opened; // the task is between its two commands when the NOOP arrives
      await t.send('RNTO', '/b');
    });
    await expect.poll(() => received).toEqual(['RNFR /a']);
    const noop = session.send('NOOP');
    between.open();
    await Promise.all([renaming, noop]);
    expect(received).toEqual(['RNFR /a', 'RNTO /b', 'NOOP']);
  });

  it('is idle again by the time a task’s caller resumes (a pool may hand it out at once)', async () => {
    const { session } = await recording();
    await session.task((t) => t.send('NOOP'));
    expect(session.idle).toBe(true);
    await session.send('NOOP');
    expect(session.idle).toBe(true);
  });

  it('runs a nested operation inside the running task instead of queueing it behind', async () => {
    const { session, received } = await recording();
    const outer = session.task(async (t) => {
      await t.send('CWD', '/x');
      const inner = await t.task((nested) => nested.send('PWD'));
      await t.send('NOOP');
      return inner.code;
    });
    const queued = session.send('SYST');
    expect(await outer).toBe(200);
    await queued;
    expect(received).toEqual(['CWD /x', 'PWD', 'NOOP', 'SYST']);
  });

  it('refuses the session itself from inside one of its tasks (that would wait forever)', async () => {
    const { session } = await recording();
    const nestedBySession = session.task(async () => session.send('PWD'));
    await expect(nestedBySession).rejects.toThrow(/inside one of its own tasks/);
    expect((await session.send('NOOP')).code).toBe(200);
  });

  it('sends ABOR at once for a running task’s transfer, ahead of the commands queued behind it', async () => {
    const { session, received } = await recording((line, socket) => {
      if (line === 'RETR /x') socket.write('150 opening\r\n');
      else if (line === 'ABOR') socket.write('426 aborted\r\n226 abort done\r\n');
      else return false;
      return true;
    });
    const retrieving = session
      .task(async (t) => {
        const command = t.transfer('RETR', '/x');
        await command.started;
        return command.done;
      })
      .catch((error: unknown) => error);
    await expect.poll(() => received).toEqual(['RETR /x']);
    const queued = session.send('SIZE', '/a');
    await session.abort();
    expect(await retrieving).toMatchObject({ code: 'aborted' });
    await queued;
    expect(received).toEqual(['RETR /x', 'ABOR', 'NOOP', 'SIZE /a']);
  });

  it('begins the next task behind a task’s last command (sendLast), whose reply comes in order', async () => {
    // The server answers SIZE late, and in order: a PWD that comes first is answered after it.
    const early: boolean[] = [];
    let sizeAnswered = true;
    let held: (() => void) | null = null;
    const { session } = await recording((line, socket) => {
      const pwdReply = () => socket.write('257 "/" is the current directory\r\n');
      if (line === 'SIZE /a') {
        sizeAnswered = false;
        setTimeout(() => {
          socket.write('213 3\r\n');
          sizeAnswered = true;
          held?.();
          held = null;
        }, 150);
      } else if (line === 'PWD') {
        early.push(!sizeAnswered);
        if (sizeAnswered) pwdReply();
        else held = pwdReply;
      } else return false;
      return true;
    });
    for (const last of [true, false]) {
      early.length = 0;
      const { reply } = await session.task(async (t) => {
        const sent = last ? t.sendLast('SIZE', '/a') : t.send('SIZE', '/a');
        if (!last) await sent;
        return { reply: sent };
      });
      const pwd = session.send('PWD');
      expect((await reply).text).toBe('3');
      expect((await pwd).code).toBe(257);
      expect(early, last ? 'sendLast' : 'send').toEqual([last]);
    }
  });

  it('fails the tasks waiting behind a closed session with its first cause, without running them', async () => {
    const { session } = await recording((line, socket) => {
      if (line !== 'PWD') return false;
      socket.write('421 Timeout, closing control connection.\r\n');
      socket.end();
      return true;
    });
    let waitingRan = false;
    const first = session.task((t) => t.send('PWD'));
    const waiting = session.task(async (t) => {
      waitingRan = true;
      return t.send('NOOP');
    });
    await expect(first).rejects.toMatchObject({ code: 421 });
    await expect(waiting).rejects.toThrow(/421 Timeout/);
    expect(waitingRan).toBe(false);
  });
});

describe.skipIf(skipWithout('vsftpd'))('implicit FTPS (vsftpd)', () => {
  it('speaks TLS from the first byte with a pinned certificate', async () => {
    const s = await startVsftpd({ address: '127.0.0.2', tls: 'implicit' });
    cleanup.push(() => s.stop());
    const session = await connect(s as TestServer, { tls: 'implicit', fingerprint256: s.certFingerprint256 });
    expect(session.isSecure).toBe(true);
    expect((await session.send('PWD')).code).toBe(257);
  });
});
