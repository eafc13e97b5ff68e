/**
 * A deliberately raw FTP control client for the embedded server's tests (they sit next to
 * its code in server/src/demo/ftp-server/): it writes exactly the lines a test gives it and
 * hands back each reply, so tests can pipeline commands, send hostile input and drive two
 * servers at once (FXP).
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface RawReply {
  code: number;
  /** The message: every line joined with '\n', the code prefix stripped from first and last. */
  text: string;
  lines: string[];
}

export class RawFtpClient {
  private buffer = '';
  private readonly replies: RawReply[] = [];
  private waiter: (() => void) | null = null;
  private ended = false;
  greeting!: RawReply;

  private constructor(readonly socket: net.Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (text: string) => {
      this.buffer += text;
      this.parse();
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      this.ended = true;
      this.waiter?.();
    });
  }

  static async connect(host: string, port: number, localAddress?: string): Promise<RawFtpClient> {
    const socket = net.connect({ host, port, localAddress });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const client = new RawFtpClient(socket);
    client.greeting = await client.read();
    return client;
  }

  /** True once the server has closed the connection. */
  get closed(): boolean {
    return this.ended;
  }

  send(line: string): void {
    this.socket.write(line + '\r\n');
  }

  /** Sends one command and returns its (first) reply. */
  async command(line: string): Promise<RawReply> {
    this.send(line);
    return this.read();
  }

  /** The next reply; rejects if none arrives in time or the connection closes first. */
  async read(timeoutMs = 10_000): Promise<RawReply> {
    const deadline = Date.now() + timeoutMs;
    while (this.replies.length === 0) {
      if (this.ended) throw new Error('control connection closed');
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('timed out waiting for a reply');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.waiter = null;
    }
    return this.replies.shift() as RawReply;
  }

  async login(user: string, password: string): Promise<void> {
    const userReply = await this.command(`USER ${user}`);
    if (userReply.code !== 331) throw new Error(`USER → ${userReply.code} ${userReply.text}`);
    const passReply = await this.command(`PASS ${password}`);
    if (passReply.code !== 230) throw new Error(`PASS → ${passReply.code} ${passReply.text}`);
  }

  close(): void {
    this.socket.destroy();
  }

  private parse(): void {
    for (;;) {
      const lines = this.buffer.split('\r\n');
      const first = lines[0] ?? '';
      if (lines.length < 2) return;
      const code = first.slice(0, 3);
      let count = 1;
      if (first[3] === '-') {
        count = lines.findIndex((line, i) => i > 0 && line.startsWith(`${code} `)) + 1;
        if (count === 0 || count === lines.length) return;
      }
      const taken = lines.slice(0, count);
      this.buffer = lines.slice(count).join('\r\n');
      const text = taken.map((line, i) => (i === 0 || i === taken.length - 1 ? line.slice(4) : line));
      this.replies.push({
        code: Number(code),
        text: taken.length === 1 ? (text[0] ?? '') : text.join('\n'),
        lines: taken,
      });
      this.waiter?.();
    }
  }
}

/** Opens a data connection (optionally from a given local address) and collects what it receives. */
export function connectData(host: string, port: number, localAddress?: string): Promise<net.Socket> {
  const socket = net.connect({ host, port, localAddress });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Everything a socket receives until it ends (or errors). */
export function readAll(socket: net.Socket): Promise<Buffer> {
  const chunks: Buffer[] = [];
  return new Promise((resolve) => {
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', () => resolve(Buffer.concat(chunks)));
    socket.on('close', () => resolve(Buffer.concat(chunks)));
  });
}

/** A fresh directory under os.tmpdir(); the returned function removes it. */
export async function makeTempDir(prefix = 'pasv-ftp-'): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

export function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}
