/**
 * FTPS: pinned certificates, protected data connections with TLS session reuse, and what
 * secure FXP needs (SSCN on one side, or clear data when the user allows it).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { copyFile, SessionSlot } from '../src/ftp/copy.js';
import { FtpConnectionError } from '../src/ftp/errors.js';
import { FxpRefusedError } from '../src/ftp/fxp.js';
import { list } from '../src/ftp/ops.js';
import { FtpSession, type LogLine } from '../src/ftp/session.js';
import { startFtpServer } from '../src/demo/ftp-server/server.js';
import { embedded, seededBytes, sessionOptions, sha256 } from './fixtures.js';
import { makeCertificate, type Certificate } from './servers/harness.js';
import { skipWithout, startProftpd, startVsftpd, type RunningFtpServer } from './servers/index.js';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function tlsServer(address: string, files: Record<string, Buffer> = {}) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pasv-tls-'));
  cleanup.push(() => fs.rmSync(root, { recursive: true, force: true }));
  for (const [name, content] of Object.entries(files)) fs.writeFileSync(path.join(root, name), content);
  const cert: Certificate = await makeCertificate(root, address);
  fs.rmSync(cert.keyFile);
  fs.rmSync(cert.certFile);
  const serverLog: string[] = [];
  const server = await startFtpServer({
    host: address,
    root,
    users: [{ user: 'tester', password: 'secret' }],
    tls: { key: cert.keyPem, cert: cert.pem },
    log: (line) => serverLog.push(line),
  });
  cleanup.push(() => server.close());
  const options = {
    host: address,
    port: server.port,
    user: 'tester',
    password: 'secret',
    tls: 'explicit' as const,
    fingerprint256: cert.fingerprint256,
  };
  return { root, options, serverLog };
}

/** Explicit FTPS to a harness server, its self-signed certificate pinned. */
function ftpsOptions(server: RunningFtpServer) {
  return {
    host: server.host,
    port: server.port,
    user: server.user,
    password: server.password,
    tls: 'explicit' as const,
    fingerprint256: server.certFingerprint256,
  };
}

function slot(options: ConstructorParameters<typeof SessionSlot>[0], log?: LogLine[]): SessionSlot {
  const s = new SessionSlot(options);
  cleanup.push(() => s.close());
  if (log) {
    const acquire = s.acquire.bind(s);
    s.acquire = async () => {
      const session = await acquire();
      if (session.listenerCount('line') === 0) session.on('line', (l) => log.push(l));
      return session;
    };
  }
  return s;
}

describe('FTPS with the embedded server', () => {
  it('logs in with a pinned self-signed certificate and lists over a protected data connection', async () => {
    const { options } = await tlsServer('127.0.0.2', { 'a.txt': Buffer.from('hello') });
    const session = await FtpSession.connect(options);
    cleanup.push(() => session.close());
    expect(session.isSecure).toBe(true);
    expect(session.dataProtected).toBe(true);
    expect((await list(session, '/')).entries.map((e) => e.name)).toEqual(['a.txt']);
  });

  it('refuses a certificate that does not match the pin, before sending the password', async () => {
    const { options, serverLog } = await tlsServer('127.0.0.2');
    const error = await FtpSession.connect({ ...options, fingerprint256: 'AA:'.repeat(31) + 'AA' }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(FtpConnectionError);
    expect((error as FtpConnectionError).code).toBe('tls');
    expect(serverLog.join('\n')).toMatch(/AUTH TLS/);
    expect(serverLog.join('\n')).not.toMatch(/USER|PASS/);
  });

  it('refuses an unverifiable certificate when nothing is pinned', async () => {
    const { options } = await tlsServer('127.0.0.2');
    const error = await FtpSession.connect({ ...options, fingerprint256: undefined }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FtpConnectionError);
    expect((error as FtpConnectionError).code).toBe('tls');
  });

  it('will not FXP protected data without SSCN unless clear data is allowed, and relays over TLS in auto mode', async () => {
    const data = seededBytes(3 * 1024 * 1024, 12);
    const a = await tlsServer('127.0.0.2', { 's.bin': data });
    const b = await tlsServer('127.0.0.3');
    const [source, destination] = [slot(a.options), slot(b.options)];

    const forced = await copyFile({
      source,
      destination,
      sourcePath: '/s.bin',
      destinationPath: '/s.bin',
      mode: 'fxp',
    }).catch((e: unknown) => e);
    expect(forced).toBeInstanceOf(FxpRefusedError);
    expect((forced as FxpRefusedError).phase).toBe('tls');

    const relayed = await copyFile({ source, destination, sourcePath: '/s.bin', destinationPath: '/relayed.bin' });
    expect(relayed.mode).toBe('relay');
    expect(sha256(fs.readFileSync(path.join(b.root, 'relayed.bin')))).toBe(sha256(data));

    const log: LogLine[] = [];
    const clear = await copyFile({
      source: slot(a.options, log),
      destination: slot(b.options, log),
      sourcePath: '/s.bin',
      destinationPath: '/clear.bin',
      mode: 'fxp',
      allowClearData: true,
    });
    expect(clear).toMatchObject({ mode: 'fxp' });
    expect(log.filter((l) => l.line === 'PROT C')).toHaveLength(2);
    expect(log.filter((l) => l.line === 'PROT P').length).toBeGreaterThanOrEqual(2);
    expect(sha256(fs.readFileSync(path.join(b.root, 'clear.bin')))).toBe(sha256(data));
  });

  it('relays between a plain and a protected server, in both directions', async () => {
    // A plain source reads into the relay's reused buffer; a TLS one hands over chunks of its own.
    const data = seededBytes(12 * 1024 * 1024 + 777, 20);
    const secure = await tlsServer('127.0.0.2', { 's.bin': data });
    const plain = await embedded.start({ address: '127.0.0.3', fxp: 'none', files: { 'p.bin': data } });
    cleanup.push(() => plain.stop());
    const [tlsSlot, plainSlot] = [slot(secure.options), slot(sessionOptions(plain))];
    const common = { mode: 'relay' as const, verifyHash: false };
    await copyFile({
      ...common,
      source: plainSlot,
      destination: tlsSlot,
      sourcePath: '/p.bin',
      destinationPath: '/in.bin',
    });
    expect(sha256(fs.readFileSync(path.join(secure.root, 'in.bin')))).toBe(sha256(data));
    await copyFile({
      ...common,
      source: tlsSlot,
      destination: plainSlot,
      sourcePath: '/s.bin',
      destinationPath: '/out.bin',
    });
    expect(sha256(fs.readFileSync(path.join(plain.root, 'out.bin')))).toBe(sha256(data));
  });
});

describe.skipIf(skipWithout('vsftpd'))('FTPS with vsftpd (require_ssl_reuse)', () => {
  it('relays over protected data connections that reuse the control TLS session', async () => {
    const data = seededBytes(2 * 1024 * 1024, 13);
    const a = await startVsftpd({ address: '127.0.0.2', tls: 'explicit', files: { 'v.bin': data } });
    cleanup.push(() => a.stop());
    const b = await startVsftpd({ address: '127.0.0.3', tls: 'explicit' });
    cleanup.push(() => b.stop());
    const result = await copyFile({
      source: slot(ftpsOptions(a)),
      destination: slot(ftpsOptions(b)),
      sourcePath: '/v.bin',
      destinationPath: '/v.bin',
    });
    expect(result.mode).toBe('relay');
    expect(sha256(fs.readFileSync(path.join(b.root, 'v.bin')))).toBe(sha256(data));
  });
});

describe.skipIf(skipWithout('proftpd'))('secure FXP with ProFTPD (SSCN)', () => {
  it('copies by FXP with protected data, one side TLS client through SSCN', async () => {
    const data = seededBytes(2 * 1024 * 1024, 14);
    const a = await startProftpd({ address: '127.0.0.2', tls: 'explicit', files: { 'p.bin': data } });
    cleanup.push(() => a.stop());
    const b = await startProftpd({ address: '127.0.0.3', tls: 'explicit' });
    cleanup.push(() => b.stop());
    const log: LogLine[] = [];
    const result = await copyFile({
      source: slot(ftpsOptions(a), log),
      destination: slot(ftpsOptions(b), log),
      sourcePath: '/p.bin',
      destinationPath: '/p.bin',
      mode: 'fxp',
    });
    expect(result).toMatchObject({ mode: 'fxp' });
    expect(log.some((l) => l.line === 'SSCN ON')).toBe(true);
    expect(sha256(fs.readFileSync(path.join(b.root, 'p.bin')))).toBe(sha256(data));
  });
});
