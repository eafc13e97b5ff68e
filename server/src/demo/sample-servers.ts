/**
 * The demo's two embedded FTP servers, "alpha" and "beta", with sample files, shared by
 * `npm run demo` and `npm run demo:cluster`. PASV_DEMO_BYTES_PER_SECOND throttles them and
 * PASV_DEMO_BIG_FILE_MB sizes alpha's big file.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { startFtpServer, type EmbeddedFtpServer } from './ftp-server/server.js';

const MB = 1_000_000;

export interface DemoLogin {
  user: string;
  password: string;
}

export interface SampleServer {
  name: string;
  /** The folder it serves. */
  root: string;
  server: EmbeddedFtpServer;
}

export interface SampleServers {
  servers: SampleServer[];
  /** The one login both servers accept, made for this run. */
  login: DemoLogin;
  close(): Promise<void>;
}

/** Sample trees: nested folders, names with spaces and unicode, a few MB, one big file. */
function seed(root: string, name: string, bigFileMb: number): void {
  const marker = path.join(root, '.pasv-demo');
  if (fs.existsSync(marker)) return;
  const write = (file: string, content: Buffer | string) => {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), content);
  };
  if (name === 'alpha') {
    write('README.txt', 'Files on the alpha server. Drag them to beta and watch FXP at work.\n');
    write('releases/2026/notes.txt', 'Release notes\n'.repeat(100));
    write('releases/2026/app-1.0.tar.gz', crypto.randomBytes(3 * MB));
    write('releases/2026/app-1.1.tar.gz', crypto.randomBytes(5 * MB));
    write('photos/été à Paris/IMG 0001.jpg', crypto.randomBytes(2 * MB));
    write('photos/été à Paris/IMG 0002.jpg', crypto.randomBytes(2 * MB));
    write('photos/東京/夜景.jpg', crypto.randomBytes(1 * MB));
    write('docs/manual [v2] (draft).pdf', crypto.randomBytes(700_000));
    for (let i = 1; i <= 40; i++)
      write(`docs/pages/page ${String(i).padStart(2, '0')}.html`, `<h1>Page ${i}</h1>\n`.repeat(50));
    writeBigFile(path.join(root, 'big.iso'), bigFileMb * MB);
  } else {
    write('incoming/.keep', '');
    write('old/archive 2025.zip', crypto.randomBytes(4 * MB));
    write('old/readme.md', '# Old things\n');
  }
  fs.writeFileSync(marker, new Date().toISOString());
}

/** Pseudo-random content in 1 MB blocks: fast to make, no compressible runs. */
function writeBigFile(file: string, bytes: number): void {
  const fd = fs.openSync(file, 'w');
  try {
    const block = crypto.randomBytes(MB);
    for (let written = 0; written < bytes; written += MB) {
      block.writeUInt32LE(written / MB, 0);
      fs.writeSync(fd, block, 0, Math.min(MB, bytes - written));
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** Seeds demoDir/alpha and demoDir/beta (once: a marker file remembers) and serves them on 127.0.0.1. */
export async function startSampleServers(demoDir: string): Promise<SampleServers> {
  const login = { user: 'demo', password: crypto.randomBytes(9).toString('base64url') };
  // Loopback moves hundreds of MB a second; a throttle keeps progress visible in the demo.
  const bytesPerSecond = Number(process.env.PASV_DEMO_BYTES_PER_SECOND ?? 40 * MB) || undefined;
  const servers: SampleServer[] = [];
  const close = async (): Promise<void> => {
    await Promise.all(servers.map(({ server }) => server.close()));
  };
  try {
    for (const name of ['alpha', 'beta']) {
      const root = path.join(demoDir, name);
      fs.mkdirSync(root, { recursive: true });
      seed(root, name, Number(process.env.PASV_DEMO_BIG_FILE_MB ?? 300));
      const server = await startFtpServer({
        host: '127.0.0.1',
        root,
        users: [login],
        bytesPerSecond,
        greeting: `pasv demo server ${name}`,
      });
      servers.push({ name, root, server });
    }
  } catch (error) {
    await close();
    throw error;
  }
  return { servers, login, close };
}

/** What the demos print about the sample servers: where they are and how to try them with lftp. */
export function describeSampleServers({ servers, login }: SampleServers): string[] {
  const [alpha, beta] = servers as [SampleServer, SampleServer];
  const { user, password } = login;
  return [
    `demo: FTP servers alpha (ftp://${alpha.server.host}:${alpha.server.port}) and beta (port ${beta.server.port}) are registered as sites`,
    // Sample servers on loopback with a password made for this run: showing it lets people try them with any client.
    `demo: FTP login user ${user} / password ${password}`,
    ...servers.map(({ name, server }) => `  ${name}: lftp -u ${user},${password} ftp://${server.host}:${server.port}`),
  ];
}
