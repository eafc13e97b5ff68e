import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import type net from 'node:net';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { encodePort, parsePasvReply } from '../../ftp/pasv.js';
import type { EmbeddedFtpServer, FtpServerOptions } from './server.js';
import { startFtpServer } from './server.js';
import { connectData, makeTempDir, RawFtpClient, readAll, sha256 } from '../../../test/raw-ftp-client.js';

const USER = { user: 'fxp', password: 'fxp-pass' };
const PAYLOAD = randomBytes(2 * 1024 * 1024 + 3);

let tmp: Awaited<ReturnType<typeof makeTempDir>>;
const servers: EmbeddedFtpServer[] = [];
const clients: RawFtpClient[] = [];
const sockets: net.Socket[] = [];

beforeAll(async () => {
  tmp = await makeTempDir();
});

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  for (const socket of sockets.splice(0)) socket.destroy();
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

afterAll(() => tmp.remove());

async function serve(
  name: string,
  options: Partial<FtpServerOptions> = {},
): Promise<{ server: EmbeddedFtpServer; root: string }> {
  const root = path.join(tmp.dir, `${name}-${servers.length}-${Date.now()}`);
  await mkdir(root, { recursive: true });
  const server = await startFtpServer({ root, users: [USER], ...options });
  servers.push(server);
  return { server, root };
}

async function control(server: EmbeddedFtpServer, localAddress?: string): Promise<RawFtpClient> {
  const client = await RawFtpClient.connect(server.host, server.port, localAddress);
  clients.push(client);
  await client.login(USER.user, USER.password);
  expect((await client.command('TYPE I')).code).toBe(200);
  return client;
}

describe('allowFxp: false behaves like vsftpd without *_promiscuous', () => {
  it('refuses a PORT to an address other than the client’s', async () => {
    const { server } = await serve('strict', { allowFxp: false });
    const client = await control(server);
    expect(await client.command(`PORT ${encodePort({ host: '127.0.0.2', port: 40000 })}`)).toMatchObject({
      code: 500,
      text: 'Illegal PORT command.',
    });
    expect((await client.command('EPRT |1|127.0.0.3|40000|')).code).toBe(500);
    expect((await client.command(`PORT ${encodePort({ host: '127.0.0.1', port: 40000 })}`)).code).toBe(200);
  });

  it('drops a passive data connection from another address: 425 Security: Bad IP connecting.', async () => {
    const { server, root } = await serve('strict', { allowFxp: false });
    await writeFile(path.join(root, 'file.bin'), 'data');
    const client = await control(server);
    const target = parsePasvReply((await client.command('PASV')).text);
    client.send('RETR file.bin');
    const intruder = await connectData(target.host, target.port, '127.0.0.2');
    sockets.push(intruder);
    const received = readAll(intruder);
    expect(await client.read()).toMatchObject({ code: 425, text: 'Security: Bad IP connecting.' });
    expect((await received).length).toBe(0);
    // The session is still usable, and the client's own address may connect.
    const again = parsePasvReply((await client.command('PASV')).text);
    const own = await connectData(again.host, again.port, '127.0.0.1');
    sockets.push(own);
    const data = readAll(own);
    expect((await client.command('RETR file.bin')).code).toBe(150);
    expect((await client.read()).code).toBe(226);
    expect((await data).toString()).toBe('data');
  });
});

describe('allowFxp as two separate permissions', () => {
  it('passive-only: refuses a foreign PORT but accepts a foreign passive peer', async () => {
    const { server, root } = await serve('passive-only', {
      allowFxp: { activeToForeign: false, passiveFromForeign: true },
    });
    await writeFile(path.join(root, 'file.bin'), 'shared');
    const client = await control(server);
    expect((await client.command(`PORT ${encodePort({ host: '127.0.0.2', port: 40000 })}`)).code).toBe(500);
    const target = parsePasvReply((await client.command('PASV')).text);
    const foreign = await connectData(target.host, target.port, '127.0.0.2');
    sockets.push(foreign);
    const data = readAll(foreign);
    expect((await client.command('RETR file.bin')).code).toBe(150);
    expect((await client.read()).code).toBe(226);
    expect((await data).toString()).toBe('shared');
  });

  it('active-only: accepts a foreign PORT but drops a foreign passive peer', async () => {
    const { server } = await serve('active-only', {
      allowFxp: { activeToForeign: true, passiveFromForeign: false },
    });
    const client = await control(server);
    expect((await client.command(`PORT ${encodePort({ host: '127.0.0.2', port: 40000 })}`)).code).toBe(200);
    const target = parsePasvReply((await client.command('PASV')).text);
    const foreign = await connectData(target.host, target.port, '127.0.0.3');
    sockets.push(foreign);
    expect((await client.command('LIST')).code).toBe(425);
  });
});

describe('FXP between two servers on their own loopback addresses', () => {
  async function pair() {
    const source = await serve('source', { host: '127.0.0.2' });
    const destination = await serve('destination', { host: '127.0.0.3' });
    await writeFile(path.join(source.root, 'movie.bin'), PAYLOAD);
    return {
      source,
      destination,
      src: await control(source.server, '127.0.0.1'),
      dst: await control(destination.server, '127.0.0.1'),
    };
  }

  it('source passive, STOR first (ftpcp): both 226, bytes identical', async () => {
    const { src, dst, destination } = await pair();
    const pasv = await src.command('PASV');
    expect(pasv.text).toBe(`Entering Passive Mode (${encodePort(parsePasvReply(pasv.text))}).`);
    expect(parsePasvReply(pasv.text).host).toBe('127.0.0.2');
    expect((await dst.command(`PORT ${encodePort(parsePasvReply(pasv.text))}`)).code).toBe(200);
    expect((await dst.command('STOR copy.bin')).code).toBe(150);
    expect((await src.command('RETR movie.bin')).code).toBe(150);
    const [srcFinal, dstFinal] = await Promise.all([src.read(), dst.read()]);
    expect(srcFinal.code).toBe(226);
    expect(dstFinal.code).toBe(226);
    expect(sha256(await readFile(path.join(destination.root, 'copy.bin')))).toBe(sha256(PAYLOAD));
  });

  it('destination passive, RETR first (lftp), with EPSV', async () => {
    const { src, dst, destination } = await pair();
    const epsv = await dst.command('EPSV');
    expect(epsv.code).toBe(229);
    const port = Number(/\|\|\|(\d+)\|/.exec(epsv.text)?.[1]);
    expect((await src.command(`EPRT |1|127.0.0.3|${port}|`)).code).toBe(200);
    // RETR's 150 comes once the source has connected; the destination holds that connection.
    expect((await src.command('RETR movie.bin')).code).toBe(150);
    expect((await dst.command('STOR copy.bin')).code).toBe(150);
    const finals = await Promise.all([src.read(), dst.read()]);
    expect(finals.map((r) => r.code)).toEqual([226, 226]);
    expect(sha256(await readFile(path.join(destination.root, 'copy.bin')))).toBe(sha256(PAYLOAD));
  });

  it('resumes with REST on both sides', async () => {
    const { src, dst, destination } = await pair();
    const offset = 1_234_567;
    await writeFile(path.join(destination.root, 'copy.bin'), PAYLOAD.subarray(0, offset));
    expect((await dst.command('SIZE copy.bin')).text).toBe(String(offset));
    const target = parsePasvReply((await dst.command('PASV')).text);
    expect((await src.command(`PORT ${encodePort(target)}`)).code).toBe(200);
    expect((await src.command(`REST ${offset}`)).code).toBe(350);
    expect((await dst.command(`REST ${offset}`)).code).toBe(350);
    // The passive side answers 150 only once the data connection is up, so a controller
    // sends both transfer commands before it waits for either reply.
    dst.send('STOR copy.bin');
    src.send('RETR movie.bin');
    const both = async (client: RawFtpClient) => [(await client.read()).code, (await client.read()).code];
    expect(await Promise.all([both(src), both(dst)])).toEqual([
      [150, 226],
      [150, 226],
    ]);
    expect(sha256(await readFile(path.join(destination.root, 'copy.bin')))).toBe(sha256(PAYLOAD));
  });
});

describe('IPv6', () => {
  it('serves on ::1: EPSV and EPRT |2|, and PASV is refused', async () => {
    const { server, root } = await serve('ipv6', { host: '::1' });
    expect(server.url).toBe(`ftp://[::1]:${server.port}`);
    await writeFile(path.join(root, 'six.txt'), 'over IPv6');
    const client = await control(server);
    expect((await client.command('PASV')).code).toBe(522);
    expect((await client.command('EPSV 1')).code).toBe(522);
    const epsv = await client.command('EPSV 2');
    const port = Number(/\|\|\|(\d+)\|/.exec(epsv.text)?.[1]);
    const socket = await connectData('::1', port);
    sockets.push(socket);
    const data = readAll(socket);
    expect((await client.command('RETR six.txt')).code).toBe(150);
    expect((await client.read()).code).toBe(226);
    expect((await data).toString()).toBe('over IPv6');
  });
});

describe('throttle', () => {
  it('holds a 1 MiB file at 2 MiB/s to at least 0.4 s', async () => {
    const { server, root } = await serve('throttled', { bytesPerSecond: 2 * 1024 * 1024 });
    const content = randomBytes(1024 * 1024);
    await writeFile(path.join(root, 'one.bin'), content);
    const client = await control(server);
    const target = parsePasvReply((await client.command('PASV')).text);
    const socket = await connectData(target.host, target.port);
    sockets.push(socket);
    const data = readAll(socket);
    const started = Date.now();
    expect((await client.command('RETR one.bin')).code).toBe(150);
    expect((await client.read()).code).toBe(226);
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(400);
    expect(elapsed).toBeLessThan(3000);
    expect(sha256(await data)).toBe(sha256(content));
  });
});

describe('lifecycle', () => {
  it('close() says 421 to every client, ends them and stops listening', async () => {
    const { server } = await serve('closing');
    const a = await control(server);
    const b = await RawFtpClient.connect(server.host, server.port);
    clients.push(b);
    expect(server.connectionCount()).toBe(2);
    const closing = server.close();
    expect((await a.read()).code).toBe(421);
    expect((await b.read()).code).toBe(421);
    await closing;
    expect(server.connectionCount()).toBe(0);
    await expect(RawFtpClient.connect(server.host, server.port)).rejects.toThrow();
  });

  it('destroyConnections() cuts control and data sockets at once', async () => {
    const { server, root } = await serve('fault', { bytesPerSecond: 256 * 1024 });
    await writeFile(path.join(root, 'slow.bin'), randomBytes(1024 * 1024));
    const client = await control(server);
    const target = parsePasvReply((await client.command('PASV')).text);
    const socket = await connectData(target.host, target.port);
    sockets.push(socket);
    socket.resume();
    const dataClosed = new Promise((resolve) => socket.on('close', resolve));
    expect((await client.command('RETR slow.bin')).code).toBe(150);
    server.destroyConnections();
    await dataClosed;
    await expect(client.read(3000)).rejects.toThrow('closed');
    await vi.waitFor(() => expect(server.connectionCount()).toBe(0));
  });
});
