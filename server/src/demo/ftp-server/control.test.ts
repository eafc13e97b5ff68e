import { randomBytes } from 'node:crypto';
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { encodePort, parsePasvReply } from '../../ftp/pasv.js';
import type { EmbeddedFtpServer } from './server.js';
import { startFtpServer } from './server.js';
import { connectData, makeTempDir, RawFtpClient, readAll, sha256 } from '../../../test/raw-ftp-client.js';

const USER = { user: 'bob', password: 'hunter2' };
const RATE = 512 * 1024;
const SLOW = randomBytes(1024 * 1024);

let tmp: Awaited<ReturnType<typeof makeTempDir>>;
let root: string;
let server: EmbeddedFtpServer;
const clients: RawFtpClient[] = [];
const sockets: net.Socket[] = [];
const listeners: net.Server[] = [];

beforeAll(async () => {
  tmp = await makeTempDir();
  root = path.join(tmp.dir, 'root');
  const outside = path.join(tmp.dir, 'outside');
  await mkdir(path.join(root, 'dir'), { recursive: true });
  await mkdir(outside);
  await writeFile(path.join(outside, 'secret.txt'), 'top secret');
  await writeFile(path.join(root, 'slow.bin'), SLOW);
  await writeFile(path.join(root, 'hello.txt'), 'hello\n');
  await symlink(path.join(outside, 'secret.txt'), path.join(root, 'leak.txt'));
  await symlink(outside, path.join(root, 'leakdir'));
  // Throttled, so a 1 MiB RETR lasts about two seconds: long enough to STAT and ABOR it.
  server = await startFtpServer({ root, users: [USER], bytesPerSecond: RATE, dataTimeoutMs: 1000 });
});

afterEach(() => {
  for (const client of clients.splice(0)) client.close();
  for (const socket of sockets.splice(0)) socket.destroy();
  for (const listener of listeners.splice(0)) listener.close();
});

afterAll(async () => {
  await server.close();
  await tmp.remove();
});

async function connect(login = true): Promise<RawFtpClient> {
  const client = await RawFtpClient.connect(server.host, server.port);
  clients.push(client);
  if (login) await client.login(USER.user, USER.password);
  return client;
}

async function pasvData(client: RawFtpClient): Promise<net.Socket> {
  const reply = await client.command('PASV');
  expect(reply.code).toBe(227);
  const target = parsePasvReply(reply.text);
  const socket = await connectData(target.host, target.port);
  sockets.push(socket);
  return socket;
}

describe('command rules', () => {
  it('asks for login first, except for the few commands allowed before it', async () => {
    const client = await connect(false);
    expect((await client.command('PWD')).code).toBe(530);
    expect((await client.command('LIST')).code).toBe(530);
    expect((await client.command('NOOP')).code).toBe(200);
    expect((await client.command('PASS x')).code).toBe(503);
    expect((await client.command('AUTH TLS')).code).toBe(502);
    expect((await client.command('XYZZY')).code).toBe(502);
  });

  it('answers pipelined commands in order', async () => {
    const client = await connect();
    client.socket.write('NOOP\r\nPWD\r\nSYST\r\nTYPE I\r\nMODE S\r\nSTRU F\r\nTYPE L 8\r\nTYPE X\r\n');
    const codes = [];
    for (let i = 0; i < 8; i++) codes.push((await client.read()).code);
    expect(codes).toEqual([200, 257, 215, 200, 200, 200, 200, 504]);
  });

  it('needs a data channel before a transfer, and a path without NUL', async () => {
    const client = await connect();
    expect(await client.command('RETR hello.txt')).toMatchObject({ code: 425, text: 'Use PORT or PASV first.' });
    expect((await client.command('STOR x')).code).toBe(425);
    expect((await client.command('LIST')).code).toBe(425);
    expect((await client.command('SIZE hello\0.txt')).code).toBe(501);
    expect((await client.command('REST abc')).code).toBe(501);
    expect((await client.command('ABOR')).code).toBe(225);
  });

  it('drops telnet IAC IP / IAC DM before ABOR', async () => {
    const client = await connect();
    client.socket.write(Buffer.concat([Buffer.from([0xff, 0xf4, 0xff, 0xf2]), Buffer.from('ABOR\r\n')]));
    expect((await client.read()).code).toBe(225);
  });

  it('refuses an over-long line and closes', async () => {
    const client = await connect();
    client.socket.write('NOOP ' + 'x'.repeat(9000));
    expect(await client.read()).toMatchObject({ code: 500, text: 'Line too long.' });
    await expect(client.read(3000)).rejects.toThrow('closed');
  });

  it('QUIT says goodbye and closes', async () => {
    const client = await connect();
    expect((await client.command('QUIT')).code).toBe(221);
    await expect(client.read(3000)).rejects.toThrow('closed');
  });
});

describe('data connections', () => {
  it('PORT: connects to a listener of the client for RETR and STOR', async () => {
    const client = await connect();
    const received: Promise<Buffer>[] = [];
    const listener = net.createServer((socket) => {
      sockets.push(socket);
      received.push(readAll(socket));
    });
    listeners.push(listener);
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    const port = (listener.address() as net.AddressInfo).port;

    expect((await client.command(`PORT ${encodePort({ host: '127.0.0.1', port })}`)).code).toBe(200);
    expect((await client.command('RETR hello.txt')).code).toBe(150);
    expect((await client.read()).code).toBe(226);
    expect((await received[0])?.toString()).toBe('hello\n');

    // The other direction: what the client's side writes lands in the file.
    const uploadListener = net.createServer((socket) => socket.end('uploaded via PORT'));
    listeners.push(uploadListener);
    await new Promise<void>((resolve) => uploadListener.listen(0, '127.0.0.1', resolve));
    const uploadPort = (uploadListener.address() as net.AddressInfo).port;
    expect((await client.command(`EPRT |1|127.0.0.1|${uploadPort}|`)).code).toBe(200);
    expect((await client.command('STOR from-port.txt')).code).toBe(150);
    expect((await client.read()).code).toBe(226);
    expect(await readFile(path.join(root, 'from-port.txt'), 'utf8')).toBe('uploaded via PORT');
  });

  it('refuses PORT to a privileged port and garbage', async () => {
    const client = await connect();
    expect((await client.command('PORT 127,0,0,1,0,21')).code).toBe(501);
    expect((await client.command('PORT 1,2,3')).code).toBe(500);
    expect((await client.command('EPRT |9|x|1|')).code).toBe(500);
  });

  it('PORT to nobody: 425 after the connection fails', async () => {
    const client = await connect();
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as net.AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    expect((await client.command(`PORT ${encodePort({ host: '127.0.0.1', port })}`)).code).toBe(200);
    expect((await client.command('RETR hello.txt')).code).toBe(425);
  });

  it('sends 150 only once the passive peer has connected', async () => {
    const client = await connect();
    const target = parsePasvReply((await client.command('PASV')).text);
    client.send('RETR hello.txt');
    await expect(client.read(200)).rejects.toThrow('timed out');
    const socket = await connectData(target.host, target.port);
    sockets.push(socket);
    const data = readAll(socket);
    expect((await client.read()).code).toBe(150);
    expect((await client.read()).code).toBe(226);
    expect((await data).toString()).toBe('hello\n');
  });

  it('gives up on a passive peer that never connects: 425', async () => {
    const client = await connect();
    expect((await client.command('EPSV')).code).toBe(229);
    expect(await client.command('RETR hello.txt')).toMatchObject({
      code: 425,
      text: 'Failed to establish connection.',
    });
    expect((await client.command('NOOP')).code).toBe(200);
  });

  it('EPSV ALL refuses PASV and PORT afterwards', async () => {
    const client = await connect();
    expect((await client.command('EPSV ALL')).code).toBe(200);
    expect((await client.command('PASV')).code).toBe(500);
    expect((await client.command('PORT 127,0,0,1,39,16')).code).toBe(500);
    expect((await client.command('EPSV 2')).code).toBe(522);
    expect((await client.command('EPSV 1')).code).toBe(229);
  });
});

describe('during a transfer', () => {
  it('answers STAT and NOOP, then ABOR gives 426 and 226, and the session goes on', async () => {
    const client = await connect();
    const socket = await pasvData(client);
    let received = 0;
    socket.on('data', (chunk: Buffer) => (received += chunk.length));
    const closed = new Promise((resolve) => socket.on('close', resolve));
    expect((await client.command('RETR slow.bin')).code).toBe(150);
    await vi.waitFor(() => expect(received).toBeGreaterThan(0));
    const stat = await client.command('STAT');
    expect(stat.code).toBe(213);
    const match = /^Status: (\d+) of (\d+) bytes transferred$/.exec(stat.text);
    expect(Number(match?.[1])).toBeGreaterThan(0);
    expect(Number(match?.[2])).toBe(SLOW.length);
    expect((await client.command('NOOP')).code).toBe(200);

    expect(await client.command('ABOR')).toMatchObject({ code: 426, text: 'Connection closed; transfer aborted.' });
    expect(await client.read()).toMatchObject({ code: 226, text: 'Abort successful' });
    await closed;
    expect(received).toBeLessThan(SLOW.length);
    expect((await client.command('NOOP')).code).toBe(200);
    expect((await client.command('PWD')).code).toBe(257);
  });

  it('holds other commands until the transfer ends, then answers them in order', async () => {
    const client = await connect();
    const socket = await pasvData(client);
    const data = readAll(socket);
    client.send('REST 786432');
    expect((await client.read()).code).toBe(350);
    expect((await client.command('RETR slow.bin')).code).toBe(150);
    client.send('PWD');
    client.send('NOOP');
    // NOOP may run during the transfer, but not before the PWD sent ahead of it.
    const replies = [await client.read(), await client.read(), await client.read()];
    expect(replies.map((r) => r.code)).toEqual([226, 257, 200]);
    expect(sha256(await data)).toBe(sha256(SLOW.subarray(786432)));
  });

  it('ABOR while waiting for the passive peer: 426 then 226', async () => {
    const client = await connect();
    expect((await client.command('PASV')).code).toBe(227);
    // Commands run in order, so this ABOR comes once RETR is waiting for its peer.
    client.send('RETR hello.txt');
    expect((await client.command('ABOR')).code).toBe(426);
    expect((await client.read()).code).toBe(226);
  });

  it('a RETR whose peer goes away mid-way ends with 426', async () => {
    const client = await connect();
    const socket = await pasvData(client);
    expect((await client.command('RETR slow.bin')).code).toBe(150);
    await new Promise((resolve) => socket.once('data', resolve));
    socket.resetAndDestroy();
    expect((await client.read()).code).toBe(426);
  });
});

describe('the root is a jail', () => {
  it.each([
    ['CWD ../../..'],
    ['CWD ..'],
    ['CDUP'],
    ['CWD leakdir'],
    ['SIZE leak.txt'],
    ['SIZE ../outside/secret.txt'],
    ['MDTM /../../etc/passwd'],
    ['MLST leakdir'],
    ['HASH leak.txt'],
    ['DELE ../outside/secret.txt'],
    ['MKD leakdir/new'],
    ['RNFR ../outside/secret.txt'],
    ['STAT leakdir'],
  ])('%s → 550, without the local path', async (command) => {
    const client = await connect();
    const reply = await client.command(command);
    expect(reply.code).toBe(550);
    expect(reply.text).not.toContain(tmp.dir);
  });

  it.each([
    'RETR ../../etc/passwd',
    'RETR leak.txt',
    'RETR leakdir/secret.txt',
    'STOR leak.txt',
    'STOR leakdir/x',
    'LIST leakdir',
  ])('%s after PASV → 550', async (command) => {
    const client = await connect();
    expect((await client.command('PASV')).code).toBe(227);
    const reply = await client.command(command);
    expect(reply.code).toBe(550);
    expect(reply.text).toBe('No such file or directory.');
  });

  it('leaves links that lead outside out of listings', async () => {
    const client = await connect();
    const socket = await pasvData(client);
    const data = readAll(socket);
    expect((await client.command('NLST -a')).code).toBe(150);
    expect((await client.read()).code).toBe(226);
    const names = (await data).toString().split('\r\n');
    expect(names).toEqual(expect.arrayContaining(['dir', 'hello.txt', 'slow.bin']));
    expect(names).not.toContain('leak.txt');
    expect(names).not.toContain('leakdir');
    expect(await readFile(path.join(tmp.dir, 'outside', 'secret.txt'), 'utf8')).toBe('top secret');
  });
});
