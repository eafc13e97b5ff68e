import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { TLSSocket } from 'node:tls';
import { promisify } from 'node:util';
import { Client } from 'basic-ftp';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { EmbeddedFtpServer } from './server.js';
import { startFtpServer } from './server.js';
import { makeTempDir, RawFtpClient, sha256 } from '../../../test/raw-ftp-client.js';

const USER = { user: 'carol', password: 'tls-pass' };
const CONTENT = randomBytes(700_000);

let tmp: Awaited<ReturnType<typeof makeTempDir>>;
let root: string;
let server: EmbeddedFtpServer;
const clients: (Client | RawFtpClient)[] = [];

beforeAll(async () => {
  tmp = await makeTempDir();
  root = path.join(tmp.dir, 'root');
  await mkdir(root);
  await writeFile(path.join(root, 'secret.bin'), CONTENT);
  const key = path.join(tmp.dir, 'k');
  const cert = path.join(tmp.dir, 'c');
  await promisify(execFile)('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-subj',
    '/CN=localhost',
    '-days',
    '1',
    '-keyout',
    key,
    '-out',
    cert,
  ]);
  server = await startFtpServer({
    root,
    users: [USER],
    tls: { key: await readFile(key), cert: await readFile(cert) },
  });
});

afterEach(() => {
  for (const client of clients.splice(0)) client.close();
});

afterAll(async () => {
  await server.close();
  await tmp.remove();
});

async function secureClient(): Promise<Client> {
  const client = new Client(10_000);
  clients.push(client);
  await client.access({
    host: server.host,
    port: server.port,
    ...USER,
    secure: true,
    secureOptions: { rejectUnauthorized: false },
  });
  return client;
}

describe('FTPS (RFC 4217)', () => {
  it('announces AUTH TLS, PBSZ and PROT, and wants them in order', async () => {
    const client = await RawFtpClient.connect(server.host, server.port);
    clients.push(client);
    const feat = await client.command('FEAT');
    expect(feat.lines).toEqual(expect.arrayContaining([' AUTH TLS', ' PBSZ', ' PROT']));
    expect((await client.command('PBSZ 0')).code).toBe(503);
    expect((await client.command('PROT P')).code).toBe(503);
    expect((await client.command('AUTH KERBEROS')).code).toBe(504);
  });

  it('AUTH TLS + PROT P: lists, downloads and uploads over TLS data connections', async () => {
    const client = await secureClient();
    expect(client.ftp.socket).toBeInstanceOf(TLSSocket);
    expect((client.ftp.socket as TLSSocket).encrypted).toBe(true);

    const entries = await client.list();
    expect(entries.map((e) => e.name)).toEqual(['secret.bin']);

    const sink = new PassThrough();
    const chunks: Buffer[] = [];
    sink.on('data', (chunk: Buffer) => chunks.push(chunk));
    await client.downloadTo(sink, 'secret.bin');
    expect(sha256(Buffer.concat(chunks))).toBe(sha256(CONTENT));

    const upload = randomBytes(300_000);
    await client.uploadFrom(Readable.from([upload]), 'up.bin');
    expect(sha256(await readFile(path.join(root, 'up.bin')))).toBe(sha256(upload));

    const stat = await client.send('STAT');
    expect(stat.message).toContain('Control connection is TLS; data protection Private');
  });

  it('refuses a second AUTH on a secured connection', async () => {
    const client = await secureClient();
    await expect(client.send('AUTH TLS')).rejects.toThrow(/503/);
  });
});
