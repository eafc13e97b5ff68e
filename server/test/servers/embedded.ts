import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { startFtpServer } from '../../src/demo/ftp-server/server.js';
import { FTP_PASSWORD, FTP_USER, makeCertificate, makeServerDir, removeDir } from './harness.js';
import type { RunningFtpServer, StartFtpServerOptions } from './types.js';

/** pasv's own server, behind the same interface; it needs neither root nor system packages. */
export async function startEmbedded(opts: StartFtpServerOptions): Promise<RunningFtpServer> {
  const tls = opts.tls ?? 'none';
  if (tls === 'implicit') throw new Error('the embedded server does not support implicit TLS');
  const dir = await makeServerDir('embedded', undefined, opts.files);
  try {
    const cert = tls === 'explicit' ? await makeCertificate(dir.base, opts.address) : undefined;
    const logFile = join(dir.base, 'protocol.log');
    const server = await startFtpServer({
      host: opts.address,
      root: dir.root,
      users: [{ user: FTP_USER, password: FTP_PASSWORD }],
      allowFxp: opts.allowFxp ?? true,
      bytesPerSecond: opts.bytesPerSecond,
      // Tests that make a side refuse should not wait 30 s for a data connection.
      dataTimeoutMs: 5_000,
      ...(cert ? { tls: { key: cert.keyPem, cert: cert.pem } } : {}),
      log: (line) => appendFileSync(logFile, `${line}\n`),
    });
    let stopped: Promise<void> | undefined;
    return {
      kind: 'embedded',
      host: server.host,
      port: server.port,
      user: FTP_USER,
      password: FTP_PASSWORD,
      root: dir.root,
      logFile,
      tls,
      certFingerprint256: cert?.fingerprint256,
      certPem: cert?.pem,
      stop: () => (stopped ??= server.close().then(() => removeDir(dir.base))),
    };
  } catch (error) {
    await removeDir(dir.base);
    throw error;
  }
}
