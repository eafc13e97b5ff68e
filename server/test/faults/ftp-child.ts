/**
 * The embedded FTP server alone in a process, so a fault test can SIGKILL or SIGSTOP it by
 * PID like any real server. Started by children.ts as
 * `node --import tsx server/test/faults/ftp-child.ts '<json options>'`; prints
 * `listening <port>` once it accepts connections.
 */
import { startFtpServer, type FtpServerOptions } from '../../src/demo/ftp-server/server.js';

const options = JSON.parse(process.argv[2] ?? '{}') as FtpServerOptions;
const server = await startFtpServer(options);
process.stdout.write(`listening ${server.port}\n`);
