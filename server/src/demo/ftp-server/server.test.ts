import { randomBytes } from 'node:crypto';
import { mkdir, readFile, stat, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Client, FileType } from 'basic-ftp';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { parsePasvReply } from '../../ftp/pasv.js';
import type { EmbeddedFtpServer } from './server.js';
import { startFtpServer } from './server.js';
import { connectData, makeTempDir, RawFtpClient, readAll, sha256 } from '../../../test/raw-ftp-client.js';

const USER = { user: 'alice', password: 's3cret' };
const BIG = randomBytes(3 * 1024 * 1024 + 17);

let tmp: Awaited<ReturnType<typeof makeTempDir>>;
let root: string;
let server: EmbeddedFtpServer;
const clients: (Client | RawFtpClient)[] = [];

beforeAll(async () => {
  tmp = await makeTempDir();
  root = path.join(tmp.dir, 'root');
  await mkdir(path.join(root, 'pub', 'nested'), { recursive: true });
  await writeFile(path.join(root, 'big.bin'), BIG);
  await writeFile(path.join(root, 'hello.txt'), 'hello world\n');
  await writeFile(path.join(root, '.hidden'), 'x');
  await writeFile(path.join(root, 'pub', 'name with spaces ü.txt'), 'spaces');
  server = await startFtpServer({ root, users: [USER] });
});

afterEach(() => {
  for (const client of clients.splice(0)) client.close();
});

afterAll(async () => {
  await server.close();
  await tmp.remove();
});

async function basicClient(): Promise<Client> {
  const client = new Client(10_000);
  clients.push(client);
  await client.access({ host: server.host, port: server.port, ...USER });
  return client;
}

async function rawClient(): Promise<RawFtpClient> {
  const client = await RawFtpClient.connect(server.host, server.port);
  clients.push(client);
  await client.login(USER.user, USER.password);
  return client;
}

/** PASV, then `command`; returns the bytes received on the data connection and both replies. */
async function receiveViaPasv(client: RawFtpClient, command: string) {
  const pasv = await client.command('PASV');
  expect(pasv.code).toBe(227);
  const target = parsePasvReply(pasv.text);
  const socket = await connectData(target.host, target.port);
  const data = readAll(socket);
  const preliminary = await client.command(command);
  const final = preliminary.code === 150 ? await client.read() : preliminary;
  return { preliminary, final, data: await data };
}

/** PASV, then `command`, then writes `payload` and closes the data connection cleanly. */
async function sendViaPasv(client: RawFtpClient, command: string, payload: Buffer) {
  const pasv = await client.command('PASV');
  const target = parsePasvReply(pasv.text);
  const socket = await connectData(target.host, target.port);
  const preliminary = await client.command(command);
  expect(preliminary.code).toBe(150);
  socket.end(payload);
  return client.read();
}

describe('login', () => {
  it('greets, and logs in with the right password', async () => {
    const client = new Client(10_000);
    clients.push(client);
    const welcome = await client.access({ host: server.host, port: server.port, ...USER });
    expect(welcome.code).toBe(220);
    expect(await client.pwd()).toBe('/');
    expect(server.connectionCount()).toBeGreaterThanOrEqual(1);
  });

  it('refuses a wrong password with 530, after a small delay', async () => {
    const client = await RawFtpClient.connect(server.host, server.port);
    clients.push(client);
    expect((await client.command('USER alice')).code).toBe(331);
    const started = Date.now();
    const reply = await client.command('PASS wrong');
    expect(reply.code).toBe(530);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect((await client.command('PWD')).code).toBe(530);
    expect((await client.command('USER nobody')).code).toBe(331);
    expect((await client.command('PASS s3cret')).code).toBe(530);
  });

  it('answers SYST and FEAT before login', async () => {
    const client = await RawFtpClient.connect(server.host, server.port);
    clients.push(client);
    expect(await client.command('SYST')).toMatchObject({ code: 215, text: 'UNIX Type: L8' });
    const feat = await client.command('FEAT');
    expect(feat.code).toBe(211);
    for (const line of [
      ' EPSV',
      ' EPRT',
      ' MDTM',
      ' MLST type*;size*;modify*;',
      ' PASV',
      ' REST STREAM',
      ' SIZE',
      ' TVFS',
      ' UTF8',
      ' HASH SHA-256*;SHA-1;MD5',
    ]) {
      expect(feat.lines).toContain(line);
    }
    expect(feat.lines).not.toContain(' AUTH TLS');
  });
});

describe('listings', () => {
  it('LIST gives ls -l lines over PASV, hiding dot files unless -a', async () => {
    const client = await rawClient();
    const { preliminary, final, data } = await receiveViaPasv(client, 'LIST');
    expect(preliminary.code).toBe(150);
    expect(final.code).toBe(226);
    const lines = data.toString('utf8').split('\r\n');
    expect(lines.pop()).toBe('');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^-rw-r--r-- +1 ftp +ftp +3145745 \w{3} [ \d]\d [\d:]{5} big\.bin$/);
    expect(lines[2]).toMatch(/^drwx.* pub$/);
    const withHidden = await receiveViaPasv(client, 'LIST -a');
    expect(withHidden.data.toString()).toContain(' .hidden\r\n');
  });

  it('MLSD gives RFC 3659 facts, and basic-ftp parses it', async () => {
    const client = await rawClient();
    const { final, data } = await receiveViaPasv(client, 'MLSD /pub');
    expect(final.code).toBe(226);
    const lines = data.toString('utf8').trimEnd().split('\r\n');
    expect(lines).toEqual([
      expect.stringMatching(/^type=file;size=6;modify=\d{14}; name with spaces ü\.txt$/),
      expect.stringMatching(/^type=dir;modify=\d{14}; nested$/),
    ]);

    const basic = await basicClient();
    const entries = await basic.list('/');
    const byName = new Map(entries.map((e) => [e.name, e]));
    expect(byName.get('big.bin')).toMatchObject({ type: FileType.File, size: BIG.length });
    expect(byName.get('pub')?.type).toBe(FileType.Directory);
    expect(byName.has('.hidden')).toBe(true);
  });

  it('NLST gives names; MLST describes one path on the control connection', async () => {
    const client = await rawClient();
    const { data } = await receiveViaPasv(client, 'NLST');
    expect(data.toString().split('\r\n')).toEqual(['big.bin', 'hello.txt', 'pub', '']);
    const mlst = await client.command('MLST hello.txt');
    expect(mlst.code).toBe(250);
    expect(mlst.lines[1]).toMatch(/^ type=file;size=12;modify=\d{14}; \/hello\.txt$/);
  });

  it('STAT with a path lists over the control connection', async () => {
    const client = await rawClient();
    const reply = await client.command('STAT /pub');
    expect(reply.code).toBe(213);
    expect(reply.lines.some((line) => line.endsWith(' name with spaces ü.txt'))).toBe(true);
    const idle = await client.command('STAT');
    expect(idle.code).toBe(211);
    expect(idle.text).toContain('Logged in as alice');
  });
});

describe('transfers', () => {
  it('PASV + RETR sends a few MiB byte for byte', async () => {
    const client = await rawClient();
    expect((await client.command('TYPE I')).code).toBe(200);
    const { preliminary, final, data } = await receiveViaPasv(client, 'RETR big.bin');
    expect(preliminary.text).toContain(`(${BIG.length} bytes)`);
    expect(final).toMatchObject({ code: 226 });
    expect(data.length).toBe(BIG.length);
    expect(sha256(data)).toBe(sha256(BIG));
  });

  it('REST n then RETR sends from offset n', async () => {
    const client = await rawClient();
    expect((await client.command('REST 1000000')).code).toBe(350);
    const { final, data } = await receiveViaPasv(client, 'RETR /big.bin');
    expect(final.code).toBe(226);
    expect(sha256(data)).toBe(sha256(BIG.subarray(1_000_000)));
  });

  it('EPSV download and upload through basic-ftp', async () => {
    const client = await basicClient();
    const sink = new PassThrough();
    const received = readStream(sink);
    await client.downloadTo(sink, 'big.bin');
    expect(sha256(await received)).toBe(sha256(BIG));
    const payload = randomBytes(200_000);
    await client.uploadFrom(Readable.from([payload]), 'pub/uploaded.bin');
    expect(sha256(await readFile(path.join(root, 'pub', 'uploaded.bin')))).toBe(sha256(payload));
    expect(await client.size('pub/uploaded.bin')).toBe(payload.length);
  });

  it('STOR, then REST + STOR resumes and truncates after what it wrote', async () => {
    const client = await rawClient();
    const whole = randomBytes(500_000);
    const first = await sendViaPasv(client, 'STOR resume.bin', whole.subarray(0, 300_000));
    expect(first.code).toBe(226);
    expect((await stat(path.join(root, 'resume.bin'))).size).toBe(300_000);
    expect((await client.command('SIZE resume.bin')).text).toBe('300000');
    // Resume from an earlier point than the end: what lay beyond must go.
    expect((await client.command('REST 250000')).code).toBe(350);
    const second = await sendViaPasv(client, 'STOR resume.bin', whole.subarray(250_000));
    expect(second.code).toBe(226);
    expect(sha256(await readFile(path.join(root, 'resume.bin')))).toBe(sha256(whole));
    // A plain STOR over a longer file truncates.
    expect((await sendViaPasv(client, 'STOR resume.bin', Buffer.from('short'))).code).toBe(226);
    expect(await readFile(path.join(root, 'resume.bin'), 'utf8')).toBe('short');
  });

  it('APPE appends', async () => {
    const client = await rawClient();
    expect((await sendViaPasv(client, 'APPE log.txt', Buffer.from('one\n'))).code).toBe(226);
    expect((await sendViaPasv(client, 'APPE log.txt', Buffer.from('two\n'))).code).toBe(226);
    expect(await readFile(path.join(root, 'log.txt'), 'utf8')).toBe('one\ntwo\n');
  });

  it('a STOR whose data connection resets gets 426', async () => {
    const client = await rawClient();
    const target = parsePasvReply((await client.command('PASV')).text);
    const socket = await connectData(target.host, target.port);
    expect((await client.command('STOR broken.bin')).code).toBe(150);
    await new Promise((resolve) => socket.write(randomBytes(10_000), resolve));
    // A reset issued while the server has bytes left to read degrades to a clean close:
    // reset only once the server has written them all.
    await vi.waitFor(async () => expect((await stat(path.join(root, 'broken.bin'))).size).toBe(10_000));
    socket.resetAndDestroy();
    expect((await client.read()).code).toBe(426);
  });
});

describe('large files', () => {
  it('streams 128 MiB both ways without holding the file in memory', async () => {
    const size = 128 * 1024 * 1024;
    // Sparse: costs no disk, and reading it costs no I/O.
    await writeFile(path.join(root, 'huge.bin'), '');
    await truncate(path.join(root, 'huge.bin'), size);
    const client = await rawClient();
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
    try {
      const pasv = parsePasvReply((await client.command('PASV')).text);
      const socket = await connectData(pasv.host, pasv.port);
      let received = 0;
      socket.on('data', (chunk: Buffer) => (received += chunk.length));
      const closed = new Promise((resolve) => socket.on('close', resolve));
      expect((await client.command('RETR huge.bin')).code).toBe(150);
      expect((await client.read(20_000)).code).toBe(226);
      await closed;
      expect(received).toBe(size);

      const upload = parsePasvReply((await client.command('PASV')).text);
      const out = await connectData(upload.host, upload.port);
      expect((await client.command('STOR huge-copy.bin')).code).toBe(150);
      await pipeline(Readable.from(zeroChunks(size / (1024 * 1024))), out);
      expect((await client.read(20_000)).code).toBe(226);
      expect((await stat(path.join(root, 'huge-copy.bin'))).size).toBe(size);
    } finally {
      clearInterval(sampler);
    }
    expect(peak - before).toBeLessThan(80 * 1024 * 1024);
  });
});

function* zeroChunks(count: number): Generator<Buffer> {
  const chunk = Buffer.alloc(1024 * 1024);
  for (let i = 0; i < count; i++) yield chunk;
}

describe('file commands', () => {
  it('MKD, CWD, PWD, CDUP, RNFR/RNTO, DELE, RMD', async () => {
    const client = await rawClient();
    expect(await client.command('MKD work "dir"')).toMatchObject({ code: 257, text: '"/work ""dir""" created' });
    expect((await client.command('CWD work "dir"')).code).toBe(250);
    expect((await client.command('PWD')).text).toBe('"/work ""dir""" is the current directory');
    expect((await sendViaPasv(client, 'STOR a.txt', Buffer.from('A'))).code).toBe(226);
    expect((await client.command('RNFR a.txt')).code).toBe(350);
    expect((await client.command('RNTO b.txt')).code).toBe(250);
    expect(await readFile(path.join(root, 'work "dir"', 'b.txt'), 'utf8')).toBe('A');
    expect((await client.command('RNTO c.txt')).code).toBe(503);
    expect((await client.command('CDUP')).code).toBe(250);
    expect((await client.command('XPWD')).text).toBe('"/" is the current directory');
    expect((await client.command('RMD work "dir"')).code).toBe(550);
    expect((await client.command('DELE work "dir"')).text).toBe('Is a directory.');
    expect((await client.command('DELE work "dir"/b.txt')).code).toBe(250);
    expect((await client.command('RMD work "dir"')).code).toBe(250);
    expect((await client.command('CWD missing')).text).toBe('No such file or directory.');
  });

  it('SIZE, MDTM, HASH and OPTS HASH', async () => {
    const client = await rawClient();
    expect((await client.command('SIZE big.bin')).text).toBe(String(BIG.length));
    expect((await client.command('SIZE pub')).code).toBe(550);
    expect((await client.command('MDTM hello.txt')).text).toMatch(/^\d{14}$/);
    expect((await client.command('HASH hello.txt')).text).toBe(
      `SHA-256 0-12 ${sha256(Buffer.from('hello world\n'))} hello.txt`,
    );
    expect((await client.command('OPTS HASH MD5')).text).toBe('MD5');
    expect((await client.command('HASH hello.txt')).text).toBe('MD5 0-12 6f5902ac237024bdd0c176cb93063dc4 hello.txt');
    expect((await client.command('OPTS HASH CRC99')).code).toBe(501);
    expect((await client.command('FEAT')).lines).toContain(' HASH SHA-256;SHA-1;MD5*');
  });

  it('MFMT sets a file time that MDTM then reads', async () => {
    const client = await rawClient();
    expect((await client.command('MFMT 20200102030405 hello.txt')).text).toBe('Modify=20200102030405; hello.txt');
    expect((await client.command('MDTM hello.txt')).text).toBe('20200102030405');
    expect((await client.command('MFMT 2020 hello.txt')).code).toBe(501);
    expect((await client.command('MFMT 20200102030405 pub')).code).toBe(550);
    expect((await client.command('FEAT')).lines).toContain(' MFMT');
  });
});

function readStream(stream: PassThrough): Promise<Buffer> {
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  return new Promise((resolve) => stream.on('end', () => resolve(Buffer.concat(chunks))));
}
