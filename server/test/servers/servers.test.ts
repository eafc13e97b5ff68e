import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect, createServer, type AddressInfo } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { Client, type FTPResponse } from 'basic-ftp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isDead, launch, StartupError } from './launch.js';
import {
  allocatePassiveRange,
  freePort,
  missingServer,
  serverKinds,
  skipWithout,
  startServer,
  supportsTls,
  vsftpdBinary,
  type RunningFtpServer,
} from './index.js';
import { canListen } from './ports.js';

// Each server gets its own loopback address; the client always comes from 127.0.0.1,
// so a PORT naming another 127.0.0.x is "foreign" and anti-FXP checks fire.
const SERVER_ADDRESS = '127.0.0.2';
const OTHER_ADDRESS = '127.0.0.3';

const hasIpv6Loopback = Object.values(networkInterfaces()).some((addresses) =>
  addresses?.some((address) => address.address === '::1'),
);

const payload = randomBytes(200_000);
const files = { 'hello.txt': 'hello from pasv\n', 'nested/dir/data.bin': payload };

async function login(server: RunningFtpServer, secure: boolean | 'implicit' = false, pin?: string): Promise<Client> {
  const client = new Client(10_000);
  await client.access({
    host: server.host,
    port: server.port,
    user: server.user,
    password: server.password,
    secure,
    secureOptions: pin
      ? {
          // Trust only this certificate, and only with this exact fingerprint.
          ca: server.certPem,
          checkServerIdentity: (_host, cert) =>
            cert.fingerprint256 === pin ? undefined : new Error(`fingerprint ${cert.fingerprint256} is not pinned`),
        }
      : undefined,
  });
  return client;
}

async function download(client: Client, path: string): Promise<Buffer> {
  const sink = new PassThrough();
  const chunks: Buffer[] = [];
  sink.on('data', (chunk: Buffer) => chunks.push(chunk));
  await client.downloadTo(sink, path);
  return Buffer.concat(chunks);
}

/** PORT argument for an IPv4 address and port. */
const portArgument = (host: string, port: number): string => `${host.replaceAll('.', ',')},${port >> 8},${port & 255}`;

/** Sends a transfer command and resolves with its final reply (after any 1xx). */
function finalReply(client: Client, command: string): Promise<FTPResponse> {
  return client.ftp.handle(command, (response, task) => {
    if (response instanceof Error) task.reject(response);
    else if (response.code >= 200) task.resolve(response);
  }) as Promise<FTPResponse>;
}

/** Children (sessions) of a process, read from /proc. */
function childPids(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

function refusesConnections(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

/** How each server refuses a PORT naming a foreign address when FXP is off. */
const foreignPortRefusal: Record<string, RegExp> = {
  vsftpd: /^500 Illegal PORT command\.$/,
  proftpd: /^500 Illegal PORT command$/,
  'pure-ftpd': /^500 I won't open a connection to 127\.0\.0\.3 \(only to 127\.0\.0\.1\)$/,
  embedded: /^500 Illegal PORT command\.$/,
};

for (const kind of serverKinds) {
  // CI must test every kind: one missing fails here by name, beside its suites failing to start it.
  it.runIf(process.env.CI)(`${kind} can start on CI`, () => {
    expect(missingServer(kind)).toBeNull();
  });

  describe.skipIf(skipWithout(kind))(`${kind} test server`, () => {
    let server: RunningFtpServer;
    beforeAll(async () => {
      server = await startServer(kind, { address: SERVER_ADDRESS, files });
    });
    afterAll(async () => {
      await server?.stop();
    });

    it('logs in, lists and downloads the seeded files byte-identical', async () => {
      expect(server.host).toBe(SERVER_ADDRESS);
      const client = await login(server);
      try {
        const names = (await client.list('/')).map((entry) => entry.name).sort();
        expect(names).toEqual(['hello.txt', 'nested']);
        const listed = await client.list('/nested/dir');
        expect(listed.map((entry) => [entry.name, entry.size])).toEqual([['data.bin', payload.length]]);
        expect((await download(client, '/hello.txt')).toString()).toBe('hello from pasv\n');
        expect((await download(client, '/nested/dir/data.bin')).equals(payload)).toBe(true);
      } finally {
        client.close();
      }
    });

    it('stores an upload in the root on disk with the same bytes', async () => {
      const upload = randomBytes(70_000);
      const client = await login(server);
      try {
        await client.uploadFrom(Readable.from([upload]), '/upload.bin');
      } finally {
        client.close();
      }
      expect((await readFile(join(server.root, 'upload.bin'))).equals(upload)).toBe(true);
    });

    it('accepts a PORT naming a foreign address when FXP is allowed (the default)', async () => {
      const client = await login(server);
      try {
        const reply = await client.sendIgnoringError(`PORT ${portArgument(OTHER_ADDRESS, 40_000)}`);
        expect(reply.code).toBe(200);
      } finally {
        client.close();
      }
    });
  });

  describe.skipIf(skipWithout(kind))(`${kind} with allowFxp=false`, () => {
    let server: RunningFtpServer;
    beforeAll(async () => {
      server = await startServer(kind, { address: SERVER_ADDRESS, allowFxp: false });
    });
    afterAll(async () => {
      await server?.stop();
    });

    it('refuses a PORT naming a foreign address and accepts the client’s own', async () => {
      const client = await login(server);
      try {
        const foreign = await client.sendIgnoringError(`PORT ${portArgument(OTHER_ADDRESS, 40_000)}`);
        expect(foreign.message).toMatch(foreignPortRefusal[kind]!);
        const own = await client.sendIgnoringError(`PORT ${portArgument('127.0.0.1', 40_000)}`);
        expect(own.code).toBe(200);
      } finally {
        client.close();
      }
    });

    it('stop() leaves no process behind, not even a session that is still logged in', async () => {
      const client = await login(server);
      const pids = server.pid === undefined ? [] : [server.pid, ...childPids(server.pid)];
      const grandchildren = pids.slice(1).flatMap(childPids);
      if (server.pid !== undefined) expect(pids.length).toBeGreaterThan(1);
      await server.stop();
      client.close();
      for (const pid of [...pids, ...grandchildren]) expect(isDead(pid), `pid ${pid}`).toBe(true);
      if (server.pid !== undefined) expect(() => process.kill(server.pid!, 0)).toThrow(/ESRCH/);
      expect(await refusesConnections(server.host, server.port)).toBe(true);
    });
  });

  describe.skipIf(skipWithout(kind))(`${kind} with explicit TLS`, () => {
    let server: RunningFtpServer;
    beforeAll(async () => {
      server = await startServer(kind, { address: SERVER_ADDRESS, tls: 'explicit', files });
    });
    afterAll(async () => {
      await server?.stop();
    });

    it('logs in with the pinned fingerprint and transfers over protected data connections', async () => {
      expect(server.tls).toBe('explicit');
      expect(server.certFingerprint256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
      const client = await login(server, true, server.certFingerprint256);
      try {
        expect((await download(client, '/nested/dir/data.bin')).equals(payload)).toBe(true);
      } finally {
        client.close();
      }
    });

    it('fails the handshake for any other fingerprint', async () => {
      const wrong = server.certFingerprint256!.replace(/^../, (byte) => (byte === '00' ? '01' : '00'));
      await expect(login(server, true, wrong)).rejects.toThrow(/not pinned/);
    });
  });

  describe.skipIf(skipWithout(kind) || !supportsTls(kind, 'implicit'))(`${kind} with implicit TLS`, () => {
    it('speaks TLS from the first byte', async () => {
      const server = await startServer(kind, { address: SERVER_ADDRESS, tls: 'implicit', files });
      try {
        const client = await login(server, 'implicit', server.certFingerprint256);
        try {
          expect((await download(client, '/hello.txt')).toString()).toBe('hello from pasv\n');
        } finally {
          client.close();
        }
      } finally {
        await server.stop();
      }
    });
  });

  describe.skipIf(skipWithout(kind) || !hasIpv6Loopback)(`${kind} on ::1`, () => {
    it('serves over IPv6 (EPSV)', async () => {
      const server = await startServer(kind, { address: '::1', files });
      try {
        const client = await login(server);
        try {
          expect((await download(client, '/nested/dir/data.bin')).equals(payload)).toBe(true);
        } finally {
          client.close();
        }
      } finally {
        await server.stop();
      }
    });
  });

  it.skipIf(skipWithout(kind) || supportsTls(kind, 'implicit'))(
    `${kind} refuses to start with implicit TLS it cannot offer`,
    async () => {
      await expect(startServer(kind, { address: SERVER_ADDRESS, tls: 'implicit' })).rejects.toThrow(/implicit TLS/);
    },
  );
}

describe.skipIf(skipWithout('vsftpd', 'proftpd', 'pure-ftpd'))(
  'FXP between the real servers on their own loopback addresses',
  () => {
    const servers: RunningFtpServer[] = [];
    beforeAll(async () => {
      servers.push(
        await startServer('vsftpd', { address: '127.0.0.2', files: { 'from-vsftpd.bin': payload } }),
        await startServer('proftpd', { address: '127.0.0.3', files: { 'from-proftpd.bin': payload } }),
        await startServer('pure-ftpd', { address: '127.0.0.4', files: { 'from-pure-ftpd.bin': payload } }),
      );
    });
    afterAll(async () => {
      await Promise.all(servers.map((server) => server.stop()));
    });

    // Every ordered pair, so each server plays both the passive (PASV) and the active (PORT) side.
    const pairs = [
      [0, 1],
      [1, 0],
      [1, 2],
      [2, 1],
      [2, 0],
      [0, 2],
    ] as const;
    for (const [from, to] of pairs) {
      it(`copies from server ${from} (passive) to server ${to} (active)`, async () => {
        const source = servers[from]!;
        const destination = servers[to]!;
        const name = `from-${source.kind}.bin`;
        const [sourceClient, destinationClient] = await Promise.all([login(source), login(destination)]);
        try {
          await sourceClient.send('TYPE I');
          await destinationClient.send('TYPE I');
          const pasv = await sourceClient.send('PASV');
          const numbers = /(\d+,\d+,\d+,\d+,\d+,\d+)/.exec(pasv.message)?.[1];
          expect(numbers?.startsWith(source.host.replaceAll('.', ','))).toBe(true);
          expect((await destinationClient.send(`PORT ${numbers}`)).code).toBe(200);
          const stored = finalReply(destinationClient, `STOR copy-${name}`);
          const sent = finalReply(sourceClient, `RETR ${name}`);
          const [storeReply, retrieveReply] = await Promise.all([stored, sent]);
          expect([storeReply.code, retrieveReply.code]).toEqual([226, 226]);
          expect((await readFile(join(destination.root, `copy-${name}`))).equals(payload)).toBe(true);
        } finally {
          sourceClient.close();
          destinationClient.close();
        }
      });
    }
  },
);

describe('ports', () => {
  it('hands out free ports and disjoint passive ranges of at least 20 ports', async () => {
    const port = await freePort(SERVER_ADDRESS);
    expect(await canListen(SERVER_ADDRESS, port)).toBe(true);
    const ranges = await Promise.all([1, 2, 3, 4].map(() => allocatePassiveRange(SERVER_ADDRESS)));
    try {
      for (const range of ranges) expect(range.max - range.min + 1).toBeGreaterThanOrEqual(20);
      const sorted = [...ranges].sort((a, b) => a.min - b.min);
      for (let i = 1; i < sorted.length; i++) expect(sorted[i]!.min).toBeGreaterThan(sorted[i - 1]!.max);
    } finally {
      await Promise.all(ranges.map((range) => range.release()));
    }
  });
});

describe.skipIf(skipWithout('vsftpd'))('launch', () => {
  it('reports a port taken by another process, so the start can be retried on another', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, SERVER_ADDRESS, resolve));
    const port = (blocker.address() as AddressInfo).port;
    const dir = await mkdtemp(join(tmpdir(), 'pasv-launch-'));
    try {
      await mkdir(join(dir, 'empty'));
      const config = `listen=YES\nbackground=NO\nlisten_address=${SERVER_ADDRESS}\nlisten_port=${port}\nsecure_chroot_dir=${dir}/empty\nseccomp_sandbox=NO\n`;
      await writeFile(join(dir, 'vsftpd.conf'), config);
      const started = launch({
        command: vsftpdBinary(),
        args: [join(dir, 'vsftpd.conf')],
        host: SERVER_ADDRESS,
        port,
        implicitTls: false,
        outputFile: join(dir, 'output.txt'),
      });
      await expect(started).rejects.toBeInstanceOf(StartupError);
      await expect(started).rejects.toMatchObject({ portTaken: true });
    } finally {
      blocker.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
