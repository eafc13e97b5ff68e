/**
 * Fault: a server that points us, or its FXP partner, somewhere else. The address a session
 * really connected to is checked before the greeting is read; an address announced in a 227
 * reply (pasvAddress: 'reply') must pass the host policy and be in the control address's
 * class, or on the operator's allow-list, before it goes into a PORT or a connect (FTP bounce).
 */
import net from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { HostRefusedError } from '../../src/ftp/errors.js';
import { fxpCopy } from '../../src/ftp/fxp.js';
import { list } from '../../src/ftp/ops.js';
import { FtpSession, type SessionOptions } from '../../src/ftp/session.js';
import { addressGuard, parseAllowList, type HostPolicy } from '../../src/sites/host-policy.js';
import { embedded } from '../fixtures.js';
import { startScriptedServer, type Command, type ScriptedConnection, type ScriptedServer } from './scripted-server.js';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
  vi.restoreAllMocks();
});

const selfHosted: HostPolicy = { allowPrivate: true, allowLinkLocal: false };

/** Logs anyone in; `then` answers everything else (or 502 when it returns false). */
async function scripted(
  host: string,
  then: (conn: ScriptedConnection, command: Command) => boolean = () => false,
): Promise<ScriptedServer> {
  const answers: Record<string, [number, string]> = {
    USER: [331, 'Password required.'],
    PASS: [230, 'Logged in.'],
    FEAT: [211, 'no features'],
    TYPE: [200, 'Type set.'],
    CWD: [250, 'Okay.'],
    NOOP: [200, 'Okay.'],
    ABOR: [226, 'Nothing to abort.'],
    QUIT: [221, 'Bye.'],
  };
  const server = await startScriptedServer({
    host,
    command: (conn, command) => {
      const answer = answers[command.verb];
      if (!answer) return then(conn, command);
      conn.reply(...answer);
      return true;
    },
  });
  cleanup.push(() => server.close());
  return server;
}

/** A passive side whose 227 announces `announced`, whatever address it really has. */
const announcing = (announced: string) =>
  scripted('127.0.0.2', (conn, command) => {
    if (command.verb !== 'PASV') return false;
    conn.reply(227, `Entering Passive Mode (${announced.split('.').join(',')},195,80).`);
    return true;
  });

/** An FXP partner that accepts PORT and refuses the transfer itself. */
const partner = () =>
  scripted('127.0.0.3', (conn, command) => {
    if (command.verb === 'PORT') conn.reply(200, 'PORT command successful.');
    else conn.reply(425, "Can't open data connection.");
    return true;
  });

async function connect(
  server: { host: string; port: number },
  extra: Partial<SessionOptions> = {},
): Promise<FtpSession> {
  const session = await FtpSession.connect({
    host: server.host,
    port: server.port,
    user: 'u',
    password: 'p',
    keepaliveMs: 0,
    replyTimeoutMs: 2_000,
    connectTimeoutMs: 2_000,
    ...extra,
  });
  cleanup.push(() => session.close());
  return session;
}

const copyOf = (source: FtpSession, destination: FtpSession) =>
  fxpCopy({
    source,
    destination,
    sourcePath: '/f',
    destinationPath: '/f',
    route: { mode: 'fxp', passive: 'source', security: 'none', pret: false, extended: false },
    offset: 0,
    size: 1,
    finalReplyTimeoutMs: 2_000,
  });

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => null,
    (error: unknown) => error,
  );
}

describe('the control connection', () => {
  it('is dropped before the greeting is read when the address it reached is refused', async () => {
    const server = await scripted('127.0.0.2');
    const error = await failure(
      connect(server, { addressGuard: addressGuard({ allowPrivate: false, allowLinkLocal: false }) }),
    );
    expect(error).toBeInstanceOf(HostRefusedError);
    expect((error as Error).message).toMatch(/127\.0\.0\.2.*loopback/);
    expect(server.connections.length).toBe(1);
    await server.connections[0]!.closed;
    expect(server.commandLog()).toEqual([]);
  });
});

describe('an announced PASV address', () => {
  it.each(['10.1.2.3', '8.8.8.8', '169.254.169.254'])(
    'of another class than the control address (%s vs 127.0.0.2) never reaches the partner in a PORT',
    async (announced) => {
      const [source, destination] = [await announcing(announced), await partner()];
      const sessions = [
        await connect(source, { pasvAddress: 'reply', addressGuard: addressGuard(selfHosted) }),
        await connect(destination, { addressGuard: addressGuard(selfHosted) }),
      ] as const;
      const error = await failure(copyOf(...sessions));
      expect(error).toBeInstanceOf(HostRefusedError);
      expect((error as Error).message).toContain(announced);
      expect((error as Error).message).toContain('127.0.0.2');
      expect(destination.commandLog().filter((line) => / PORT /.test(line))).toEqual([]);
    },
  );

  it('of another class is never connected to for a listing', async () => {
    const source = await announcing('10.1.2.3');
    const session = await connect(source, { pasvAddress: 'reply', addressGuard: addressGuard(selfHosted) });
    const connectSpy = vi.spyOn(net, 'connect');
    const error = await failure(list(session, '/'));
    expect(error).toBeInstanceOf(HostRefusedError);
    expect((error as Error).message).toMatch(/127\.0\.0\.2 announced 10\.1\.2\.3/);
    expect(JSON.stringify(connectSpy.mock.calls)).not.toContain('10.1.2.3');
  });

  it('on the operator allow-list is used', async () => {
    const [source, destination] = [await announcing('10.1.2.3'), await partner()];
    const guard = addressGuard({ ...selfHosted, pasvAllow: parseAllowList('10.0.0.0/8') });
    const sessions = [
      await connect(source, { pasvAddress: 'reply', addressGuard: guard }),
      await connect(destination, { addressGuard: guard }),
    ] as const;
    await failure(copyOf(...sessions)); // the partner refuses the transfer itself
    expect(destination.commandLog()).toContain('0 PORT 10,1,2,3,195,80');
  });

  it('on the allow-list but refused by the host policy (metadata) is still refused', async () => {
    const [source, destination] = [await announcing('169.254.169.254'), await partner()];
    const guard = addressGuard({ ...selfHosted, pasvAllow: parseAllowList('169.254.0.0/16') });
    const sessions = [
      await connect(source, { pasvAddress: 'reply', addressGuard: guard }),
      await connect(destination, { addressGuard: guard }),
    ] as const;
    const error = await failure(copyOf(...sessions));
    expect(error).toBeInstanceOf(HostRefusedError);
    expect(destination.commandLog().filter((line) => / PORT /.test(line))).toEqual([]);
  });

  it("of the control address's class is used: a real server behind a proxy announces its own loopback address", async () => {
    const real = await embedded.start({ address: '127.0.0.3', files: { 'hello.txt': 'hi' } });
    cleanup.push(() => real.stop());
    const proxy = await startScriptedServer({ host: '127.0.0.2', upstream: { host: real.host, port: real.port } });
    cleanup.push(() => proxy.close());
    const session = await connect(proxy, {
      user: real.user,
      password: real.password,
      pasvAddress: 'reply',
      addressGuard: addressGuard(selfHosted),
    });
    const connectSpy = vi.spyOn(net, 'connect');
    const listing = await list(session, '/');
    expect(listing.entries.map((e) => e.name)).toEqual(['hello.txt']);
    expect(JSON.stringify(connectSpy.mock.calls)).toContain('"host":"127.0.0.3"');
  });
});
