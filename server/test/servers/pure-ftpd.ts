import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  ensureFtpUser,
  makeCertificate,
  makeServerDir,
  removeDir,
  run,
  serversDir,
  singleFxpSwitch,
  type Certificate,
  runningServer,
} from './harness.js';
import { launch, withPortRetry } from './launch.js';
import { allocatePassiveRange, freePort } from './ports.js';
import type { RunningFtpServer, StartFtpServerOptions } from './types.js';

const pureHome = (): string => join(serversDir(), 'pure-ftpd');
export const pureFtpdBinary = (): string => join(pureHome(), 'usr/sbin/pure-ftpd');
const purePwBinary = (): string => join(pureHome(), 'usr/bin/pure-pw');

export const pureFtpdAvailable = (): boolean => existsSync(pureFtpdBinary()) && existsSync(purePwBinary());

export async function startPureFtpd(opts: StartFtpServerOptions): Promise<RunningFtpServer> {
  if (opts.bytesPerSecond) throw new Error('the pure-ftpd harness does not throttle');
  if (!pureFtpdAvailable()) {
    throw new Error(`pure-ftpd is not unpacked at ${pureHome()}: run scripts/install-test-servers.sh`);
  }
  const tls = opts.tls ?? 'none';
  if (tls === 'implicit') {
    // Debian builds pure-ftpd without --with-implicittls.
    throw new Error('pure-ftpd (Debian build) does not support implicit TLS');
  }
  const allowFxp = singleFxpSwitch('pure-ftpd', opts.allowFxp);
  const account = await ensureFtpUser();
  const dir = await makeServerDir('pure-ftpd', account, opts.files);
  const passive = await allocatePassiveRange(opts.address);
  const cleanUp = async (): Promise<void> => {
    await passive.release();
    await removeDir(dir.base);
  };
  try {
    // A virtual user in a puredb file, mapped onto the system account. The hash is
    // SHA-512 crypt rather than pure-pw's default argon2id, which costs every login.
    const hash = (await run('openssl', ['passwd', '-6', '-stdin'], `${account.password}\n`)).trim();
    const passwdFile = join(dir.base, 'pureftpd.passwd');
    const pdbFile = join(dir.base, 'pureftpd.pdb');
    // "/./" after the home directory chroots the user there.
    await writeFile(passwdFile, `${account.user}:${hash}:${account.uid}:${account.gid}::${dir.root}/./::::::::::::\n`, {
      mode: 0o600,
    });
    await run(purePwBinary(), ['mkdb', pdbFile, '-f', passwdFile]);

    const tlsArgs: string[] = [];
    let cert: Certificate | undefined;
    if (tls === 'explicit') {
      cert = await makeCertificate(dir.base, opts.address);
      const pemFile = join(dir.base, 'pure-ftpd.pem');
      await writeFile(pemFile, cert.pem + cert.keyPem, { mode: 0o600 });
      // -Y 2: the control connection must use TLS; PROT P or C remains the client's choice.
      tlsArgs.push('-Y', '2', '-2', pemFile);
    }
    const logFile = join(dir.base, 'transfers.log');
    const { port, launched } = await withPortRetry(async () => {
      const port = await freePort(opts.address);
      const args = [
        ['-S', `${opts.address},${port}`],
        ['-p', `${passive.min}:${passive.max}`],
        ['-l', `puredb:${pdbFile}`],
        ['-E'], // no anonymous logins
        ['-A'], // chroot everyone
        ['-H'], // no reverse DNS
        ['-U', '133:022'], // files 0644, directories 0755
        ['-c', '100'],
        ['-C', '100'],
        ['-g', join(dir.base, 'pure-ftpd.pid')],
        ['-O', `clf:${logFile}`],
        // -W lets everyone use FXP; without it pure-ftpd refuses foreign PORT addresses.
        allowFxp ? ['-W'] : [],
        tlsArgs,
      ].flat();
      const launched = await launch({
        command: pureFtpdBinary(),
        args,
        host: opts.address,
        port,
        implicitTls: false,
        outputFile: join(dir.base, 'output.txt'),
      });
      return { port, launched };
    });
    return runningServer('pure-ftpd', { host: opts.address, port, account, root: dir.root, launched, logFile, tls, cert, passive, cleanUp });
  } catch (error) {
    await cleanUp();
    throw error;
  }
}
