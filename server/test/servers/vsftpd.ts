import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  ensureFtpUser,
  fxpSwitches,
  isIpv6,
  makeCertificate,
  makeServerDir,
  removeDir,
  type Certificate,
  runningServer,
} from './harness.js';
import { launch, withPortRetry } from './launch.js';
import { allocatePassiveRange, freePort } from './ports.js';
import type { FxpSwitches, RunningFtpServer, StartFtpServerOptions } from './types.js';

export const vsftpdBinary = (): string => (existsSync('/usr/sbin/vsftpd') ? '/usr/sbin/vsftpd' : 'vsftpd');

export const vsftpdAvailable = (): boolean => existsSync(vsftpdBinary());

const yesNo = (value: boolean): string => (value ? 'YES' : 'NO');

interface VsftpdConfig {
  address: string;
  port: number;
  root: string;
  emptyDir: string;
  logFile: string;
  passive: { min: number; max: number };
  fxp: FxpSwitches;
  tls: 'none' | 'explicit' | 'implicit';
  cert?: Certificate;
  bytesPerSecond?: number;
}

function vsftpdConfig(c: VsftpdConfig): string {
  const lines = [
    // Runs in the foreground of the harness so stop() can end it by PID.
    'background=NO',
    ...(isIpv6(c.address)
      ? ['listen=NO', 'listen_ipv6=YES', `listen_address6=${c.address}`]
      : ['listen=YES', 'listen_ipv6=NO', `listen_address=${c.address}`]),
    `listen_port=${c.port}`,
    'anonymous_enable=NO',
    'local_enable=YES',
    'write_enable=YES',
    'pam_service_name=vsftpd',
    `local_root=${c.root}`,
    'chroot_local_user=YES',
    'allow_writeable_chroot=YES',
    'pasv_enable=YES',
    `pasv_min_port=${c.passive.min}`,
    `pasv_max_port=${c.passive.max}`,
    // The two switches that decide whether vsftpd takes part in FXP.
    `port_promiscuous=${yesNo(c.fxp.activeToForeign)}`,
    `pasv_promiscuous=${yesNo(c.fxp.passiveFromForeign)}`,
    `secure_chroot_dir=${c.emptyDir}`,
    // Containers lack the namespaces/seccomp features these need.
    'seccomp_sandbox=NO',
    'isolate=NO',
    'isolate_network=NO',
    // log_ftp_protocol writes to vsftpd_log_file only with xferlog on in vsftpd format.
    'xferlog_enable=YES',
    'xferlog_std_format=NO',
    'dual_log_enable=NO',
    'syslog_enable=NO',
    'log_ftp_protocol=YES',
    `vsftpd_log_file=${c.logFile}`,
    'connect_from_port_20=NO',
    'file_open_mode=0644',
    'local_umask=022',
    ...(c.bytesPerSecond ? [`local_max_rate=${c.bytesPerSecond}`] : []),
  ];
  if (c.tls !== 'none' && c.cert) {
    lines.push(
      'ssl_enable=YES',
      // Despite the names, any key type OpenSSL reads (the harness makes P-256).
      `rsa_cert_file=${c.cert.certFile}`,
      `rsa_private_key_file=${c.cert.keyFile}`,
      // The built-in default (DES-CBC3-SHA) is refused by OpenSSL 3.
      'ssl_ciphers=HIGH',
      'ssl_sslv2=NO',
      'ssl_sslv3=NO',
      'ssl_tlsv1=YES',
      'require_ssl_reuse=YES',
      'allow_anon_ssl=NO',
      'force_local_logins_ssl=YES',
      'force_local_data_ssl=NO',
      `implicit_ssl=${yesNo(c.tls === 'implicit')}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

export async function startVsftpd(opts: StartFtpServerOptions): Promise<RunningFtpServer> {
  if (!vsftpdAvailable()) throw new Error('vsftpd is not installed at /usr/sbin/vsftpd: run scripts/install-test-servers.sh');
  const tls = opts.tls ?? 'none';
  const fxp = fxpSwitches(opts.allowFxp);
  const account = await ensureFtpUser();
  const dir = await makeServerDir('vsftpd', account, opts.files);
  const passive = await allocatePassiveRange(opts.address);
  const cleanUp = async (): Promise<void> => {
    await passive.release();
    await removeDir(dir.base);
  };
  try {
    const emptyDir = join(dir.base, 'empty');
    await mkdir(emptyDir, { mode: 0o755 });
    const cert = tls === 'none' ? undefined : await makeCertificate(dir.base, opts.address);
    const logFile = join(dir.base, 'vsftpd.log');
    const configFile = join(dir.base, 'vsftpd.conf');
    const { port, launched } = await withPortRetry(async () => {
      const port = await freePort(opts.address);
      const config = vsftpdConfig({
        address: opts.address,
        port,
        root: dir.root,
        emptyDir,
        logFile,
        passive,
        fxp,
        tls,
        cert,
        bytesPerSecond: opts.bytesPerSecond,
      });
      await writeFile(configFile, config, { mode: 0o600 });
      const launched = await launch({
        command: vsftpdBinary(),
        args: [configFile],
        host: opts.address,
        port,
        implicitTls: tls === 'implicit',
        outputFile: join(dir.base, 'output.txt'),
        logFiles: [logFile],
      });
      return { port, launched };
    });
    return runningServer('vsftpd', { host: opts.address, port, account, root: dir.root, launched, logFile, tls, cert, passive, cleanUp });
  } catch (error) {
    await cleanUp();
    throw error;
  }
}
