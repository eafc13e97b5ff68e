/**
 * Secure FXP against the switches that imitate servers we cannot install: SSCN (ProFTPD
 * mod_tls, glFTPd), CPSV (glFTPd, ioFTPD) and a TLS-client-only data role (glFTPd). Two
 * embedded FTPS servers on their own loopback addresses, PROT P on both, driven by FtpSession.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FtpSession } from '../../ftp/session.js';
import { exchange } from '../../../test/fxp-exchange.js';
import { makeTempDir, sha256 } from '../../../test/raw-ftp-client.js';
import { makeCertificate, type Certificate } from '../../../test/servers/harness.js';
import type { EmbeddedFtpServer, FtpServerOptions } from './server.js';
import { startFtpServer } from './server.js';

const USER = { user: 'fxp', password: 'fxp-pass' };
const PAYLOAD = randomBytes(1024 * 1024 + 7);
/** Short, so a data connection that can never be secured fails the test quickly instead of hanging it. */
const DATA_TIMEOUT_MS = 1500;
const SCLIENT = 'SSCN:CLIENT METHOD';
const SSERVER = 'SSCN:SERVER METHOD';

let tmp: Awaited<ReturnType<typeof makeTempDir>>;
const certificates = new Map<string, Certificate>();
const servers: EmbeddedFtpServer[] = [];
const sessions: FtpSession[] = [];

beforeAll(async () => {
  tmp = await makeTempDir();
  for (const address of ['127.0.0.2', '127.0.0.3']) {
    const dir = path.join(tmp.dir, `cert-${address}`);
    await mkdir(dir);
    certificates.set(address, await makeCertificate(dir, address));
  }
});

afterEach(async () => {
  await Promise.all(sessions.splice(0).map((session) => session.close()));
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

afterAll(() => tmp.remove());

/** An embedded FTPS server on `address` and an FtpSession to it: AUTH TLS, PBSZ 0, PROT P, logged in. */
async function ftps(
  address: string,
  options: Partial<FtpServerOptions> = {},
  tlsMode: 'explicit' | 'none' = 'explicit',
) {
  const certificate = certificates.get(address) as Certificate;
  const root = path.join(tmp.dir, `${address}-${servers.length}-${Date.now()}`);
  await mkdir(root);
  const server = await startFtpServer({
    host: address,
    root,
    users: [USER],
    tls: { key: certificate.keyPem, cert: certificate.pem },
    dataTimeoutMs: DATA_TIMEOUT_MS,
    ...options,
  });
  servers.push(server);
  const session = await FtpSession.connect({
    host: address,
    port: server.port,
    ...USER,
    tls: tlsMode,
    fingerprint256: certificate.fingerprint256,
  });
  sessions.push(session);
  return { root, session };
}

/** A source holding movie.bin on 127.0.0.2 and a destination on 127.0.0.3. */
async function pair(sourceOptions: Partial<FtpServerOptions>, destinationOptions: Partial<FtpServerOptions>) {
  const source = await ftps('127.0.0.2', sourceOptions);
  await writeFile(path.join(source.root, 'movie.bin'), PAYLOAD);
  const destination = await ftps('127.0.0.3', destinationOptions);
  expect([source.session.dataProtected, destination.session.dataProtected]).toEqual([true, true]);
  return {
    src: source.session,
    dst: destination.session,
    copied: () => readFile(path.join(destination.root, 'copy.bin')),
  };
}

describe('SSCN (ProFTPD mod_tls, glFTPd)', () => {
  it('is listed in FEAT and switches between the two methods', async () => {
    const { session } = await ftps('127.0.0.2', { sscn: true });
    expect(session.features.has('SSCN')).toBe(true);
    expect(session.features.has('CPSV')).toBe(false);
    expect((await session.send('SSCN')).text).toBe(SSERVER);
    expect(await session.send('SSCN', 'ON')).toMatchObject({ code: 200, text: SCLIENT });
    expect((await session.send('SSCN')).text).toBe(SCLIENT);
    expect(await session.send('SSCN', 'OFF')).toMatchObject({ code: 200, text: SSERVER });
    await expect(session.send('SSCN', 'MAYBE')).rejects.toMatchObject({ code: 501 });
  });

  it('needs a TLS control connection: 503', async () => {
    const { session } = await ftps('127.0.0.2', { sscn: true }, 'none');
    await expect(session.send('SSCN', 'ON')).rejects.toMatchObject({ code: 503 });
  });

  it('ON on the receiving side, which connects (PORT), sent after PORT: 226 on both, bytes identical', async () => {
    const { src, dst, copied } = await pair({ sscn: true }, { sscn: true });
    // Sent after PORT: the role is decided when the data connection opens, as ProFTPD does.
    const finals = await exchange(src, dst, { passiveOn: 'source', sscnOn: 'destination' });
    expect(finals.map((reply) => reply.code)).toEqual([226, 226]);
    expect(sha256(await copied())).toBe(sha256(PAYLOAD));
  });

  it('ON on the sending side, which listens (PASV): 226 on both, bytes identical', async () => {
    const { src, dst, copied } = await pair({ sscn: true }, {});
    await src.send('SSCN', 'ON');
    const finals = await exchange(src, dst, { passiveOn: 'source' });
    expect(finals.map((reply) => reply.code)).toEqual([226, 226]);
    expect(sha256(await copied())).toBe(sha256(PAYLOAD));
  });

  it('without it both sides wait as TLS servers: both fail within the data timeout', async () => {
    const { src, dst } = await pair({}, {});
    const started = Date.now();
    const finals = await exchange(src, dst, { passiveOn: 'destination' });
    expect(finals.map((reply) => reply.code)).toEqual([425, 425]);
    expect(Date.now() - started).toBeLessThan(DATA_TIMEOUT_MS + 3000);
  });
});

describe('CPSV (glFTPd, ioFTPD)', () => {
  it('is PASV whose data connection the listening server secures as the TLS client', async () => {
    // Offers CPSV, refuses SSCN: the combination the negotiation ladder must get past.
    const { src, dst, copied } = await pair({ cpsv: true }, {});
    expect(src.features.has('CPSV')).toBe(true);
    await expect(src.send('SSCN', 'ON')).rejects.toMatchObject({ code: 500, text: 'SSCN not understood.' });
    const finals = await exchange(src, dst, { passiveOn: 'source', passiveVerb: 'CPSV' });
    expect(finals.map((reply) => reply.code)).toEqual([226, 226]);
    expect(sha256(await copied())).toBe(sha256(PAYLOAD));
    // For that one transfer only: a plain PASV afterwards has this server as the TLS server again.
    const again = await exchange(src, dst, { passiveOn: 'source', destinationPath: 'again.bin' });
    expect(again.map((reply) => reply.code)).toEqual([425, 425]);
  });
});

describe("dataTlsRole 'client-only' (glFTPd failing as the TLS server)", () => {
  it('refuses to be the TLS server with 435 and closes the data socket; with SSCN ON it works', async () => {
    // A long timeout on the source: its quick 425 shows the socket was closed, not left to time out.
    const { src, dst, copied } = await pair({ dataTimeoutMs: 20_000 }, { sscn: true, dataTlsRole: 'client-only' });
    const started = Date.now();
    const refused = await exchange(src, dst, { passiveOn: 'destination' });
    expect(refused).toEqual([
      { code: 425, text: expect.any(String) as string },
      { code: 435, text: 'Failed TLS negotiation on data channel' },
    ]);
    expect(Date.now() - started).toBeLessThan(10_000);
    await dst.send('SSCN', 'ON');
    const finals = await exchange(src, dst, { passiveOn: 'destination' });
    expect(finals.map((reply) => reply.code)).toEqual([226, 226]);
    expect(sha256(await copied())).toBe(sha256(PAYLOAD));
  });

  it('refuses as the connecting side too (PORT), and works with CPSV as the listening side', async () => {
    const { src, dst, copied } = await pair({ cpsv: true, dataTlsRole: 'client-only' }, {});
    const refused = await exchange(src, dst, { passiveOn: 'destination' });
    expect(refused[0]).toEqual({ code: 435, text: 'Failed TLS negotiation on data channel' });
    const finals = await exchange(src, dst, { passiveOn: 'source', passiveVerb: 'CPSV' });
    expect(finals.map((reply) => reply.code)).toEqual([226, 226]);
    expect(sha256(await copied())).toBe(sha256(PAYLOAD));
  });
});
