import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  ensureFtpUser,
  isIpv6,
  makeCertificate,
  makeServerDir,
  removeDir,
  run,
  serversDir,
  singleFxpSwitch,
  type Certificate,
  type ServerDir,
  runningServer,
} from './harness.js';
import { launch, withPortRetry } from './launch.js';
import { allocatePassiveRange, freePort } from './ports.js';
import type { RunningFtpServer, StartFtpServerOptions, TlsMode } from './types.js';

const proftpdHome = (): string => join(serversDir(), 'proftpd');
export const proftpdBinary = (): string => join(proftpdHome(), 'usr/sbin/proftpd');
const moduleDir = (): string => join(proftpdHome(), 'usr/lib/proftpd');

export const proftpdAvailable = (): boolean => existsSync(proftpdBinary());

interface ProftpdConfig {
  address: string;
  port: number;
  dir: ServerDir;
  logFile: string;
  passive: { min: number; max: number };
  allowFxp: boolean;
  tls: TlsMode;
  cert?: Certificate;
}

const quote = (value: string): string => `"${value}"`;

function tlsOptions(c: ProftpdConfig): string[] {
  const options = [...(c.tls === 'implicit' ? ['UseImplicitSSL'] : []), ...(c.allowFxp ? ['NoSessionReuseRequired'] : [])];
  return options.length > 0 ? [`TLSOptions ${options.join(' ')}`] : [];
}

function proftpdConfig(c: ProftpdConfig): string {
  const file = (name: string): string => quote(join(c.dir.base, name));
  const lines = [
    'ServerName "pasv test ProFTPD"',
    'ServerType standalone',
    `UseIPv6 ${isIpv6(c.address) ? 'on' : 'off'}`,
    `DefaultAddress ${c.address}`,
    // Binds only DefaultAddress, so each instance owns its loopback address.
    'SocketBindTight on',
    `Port ${c.port}`,
    `PassivePorts ${c.passive.min} ${c.passive.max}`,
    'User nobody',
    'Group nogroup',
    'Umask 022',
    'AllowOverwrite on',
    // Resuming an upload (REST before STOR) is off by default; FXP resume needs it.
    'AllowStoreRestart on',
    'DefaultRoot ~',
    // The account lives in a passwd-format file of our own; no PAM, no /etc/shells.
    'AuthPAM off',
    'AuthOrder mod_auth_file.c',
    `AuthUserFile ${file('ftpd.passwd')}`,
    `AuthGroupFile ${file('ftpd.group')}`,
    'RequireValidShell off',
    `PidFile ${file('proftpd.pid')}`,
    `ScoreboardFile ${file('proftpd.scoreboard')}`,
    `DelayTable ${file('proftpd.delay')}`,
    // mod_delay pads every login to hide timing; tests only pay for it.
    'DelayEngine off',
    `SystemLog ${file('system.log')}`,
    'WtmpLog off',
    'UseReverseDNS off',
    'TransferLog none',
    'MaxInstances 100',
    // mod_ctrls would otherwise bind /run/proftpd.sock, shared by every instance.
    'ControlsEngine off',
    `AllowForeignAddress ${c.allowFxp ? 'on' : 'off'}`,
    'LogFormat protocol "%{iso8601} %a %u \\"%r\\" %s \\"%S\\""',
    `ExtendedLog ${quote(c.logFile)} ALL protocol`,
  ];
  if (c.tls !== 'none' && c.cert) {
    lines.push(
      `ModulePath ${quote(moduleDir())}`,
      'LoadModule mod_tls.c',
      'TLSEngine on',
      `TLSLog ${file('tls.log')}`,
      'TLSProtocol TLSv1.2 TLSv1.3',
      `TLSECCertificateFile ${quote(c.cert.certFile)}`,
      `TLSECCertificateKeyFile ${quote(c.cert.keyFile)}`,
      'TLSVerifyClient off',
      // As the TLS client of an FXP data connection (SSCN), accept the peer's self-signed certificate.
      'TLSVerifyServer off',
      // Logins must be protected; PROT C stays allowed so fallbacks can be tested.
      'TLSRequired ctrl',
      // An FXP peer acting as TLS client (SSCN) cannot reuse our control session's TLS
      // session, so a server that allows FXP must not require the reuse.
      ...tlsOptions(c),
    );
  }
  return `${lines.join('\n')}\n`;
}

export async function startProftpd(opts: StartFtpServerOptions): Promise<RunningFtpServer> {
  if (opts.bytesPerSecond) throw new Error('the ProFTPD harness does not throttle');
  if (!proftpdAvailable()) {
    throw new Error(`ProFTPD is not unpacked at ${proftpdHome()}: run scripts/install-test-servers.sh`);
  }
  const tls = opts.tls ?? 'none';
  const allowFxp = singleFxpSwitch('proftpd', opts.allowFxp);
  const account = await ensureFtpUser();
  const dir = await makeServerDir('proftpd', account, opts.files);
  const passive = await allocatePassiveRange(opts.address);
  const cleanUp = async (): Promise<void> => {
    await passive.release();
    await removeDir(dir.base);
  };
  try {
    const hash = (await run('openssl', ['passwd', '-6', '-stdin'], `${account.password}\n`)).trim();
    await writeFile(
      join(dir.base, 'ftpd.passwd'),
      `${account.user}:${hash}:${account.uid}:${account.gid}::${dir.root}:/bin/sh\n`,
      { mode: 0o600 },
    );
    await writeFile(join(dir.base, 'ftpd.group'), `${account.user}:x:${account.gid}:\n`, { mode: 0o600 });
    const cert = tls === 'none' ? undefined : await makeCertificate(dir.base, opts.address);
    const logFile = join(dir.base, 'protocol.log');
    const configFile = join(dir.base, 'proftpd.conf');
    const { port, launched } = await withPortRetry(async () => {
      const port = await freePort(opts.address);
      const config = proftpdConfig({ address: opts.address, port, dir, logFile, passive, allowFxp, tls, cert });
      await writeFile(configFile, config, { mode: 0o600 });
      const launched = await launch({
        command: proftpdBinary(),
        // -n: stay in the foreground; -q: no startup chatter.
        args: ['-n', '-q', '-c', configFile],
        host: opts.address,
        port,
        implicitTls: tls === 'implicit',
        // After any session ends, ProFTPD's master sleeps 200-400 ms (EINTR retry on
        // SIGCHLD) before it accepts again: a greeting probe would delay the first client.
        readiness: 'listening',
        outputFile: join(dir.base, 'output.txt'),
        logFiles: [join(dir.base, 'system.log')],
      });
      return { port, launched };
    });
    return runningServer('proftpd', { host: opts.address, port, account, root: dir.root, launched, logFile, tls, cert, passive, cleanUp });
  } catch (error) {
    await cleanUp();
    throw error;
  }
}
