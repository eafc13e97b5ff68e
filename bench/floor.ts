/**
 * The floor of case a: the least an FXP controller can do to copy known files between two
 * servers — per file one PASV on the destination, then PORT + RETR on the source and STOR
 * on the destination at once, then both final replies. No listing, no SIZE, no store, no
 * events, no retries.
 *
 * Hand-written on raw node:net sockets on purpose, instead of basic-ftp or pasv's own
 * session: it is the measuring stick for both, so it must carry no client library's
 * bookkeeping and must stay small enough to check by reading it.
 */
import net from 'node:net';
import type { FtpEndpoint } from './lftp.js';

export interface Reply {
  code: number;
  /** Every line of the reply, joined by \n. */
  text: string;
}

/**
 * Cuts a control connection's text into replies (RFC 959 4.2): a line is complete at its
 * LF, whatever the TCP chunks; "123-" opens a multi-line reply that only a line starting
 * "123 " closes, whatever the lines in between look like.
 */
export class ReplyParser {
  private buffer = '';
  private open: { code: string; lines: string[] } | undefined;

  push(chunk: string): Reply[] {
    this.buffer += chunk;
    const replies: Reply[] = [];
    let start = 0;
    for (let end = this.buffer.indexOf('\n'); end !== -1; end = this.buffer.indexOf('\n', start)) {
      const line = this.buffer.slice(start, this.buffer[end - 1] === '\r' ? end - 1 : end);
      start = end + 1;
      const reply = this.line(line);
      if (reply) replies.push(reply);
    }
    this.buffer = this.buffer.slice(start);
    return replies;
  }

  private line(line: string): Reply | undefined {
    if (this.open) {
      this.open.lines.push(line);
      if (line !== this.open.code && !line.startsWith(`${this.open.code} `)) return undefined;
      const reply = { code: Number(this.open.code), text: this.open.lines.join('\n') };
      this.open = undefined;
      return reply;
    }
    const match = /^(\d{3})([ -]|$)/.exec(line);
    if (!match) throw new Error(`not an FTP reply: ${JSON.stringify(line.slice(0, 100))}`);
    if (match[2] === '-') {
      this.open = { code: match[1]!, lines: [line] };
      return undefined;
    }
    return { code: Number(match[1]), text: line };
  }
}

/** One control connection: commands out, replies in, in order. */
class Control {
  private readonly parser = new ReplyParser();
  private readonly replies: Reply[] = [];
  private readonly waiting: { resolve: (reply: Reply) => void; reject: (error: Error) => void }[] = [];
  private failure: Error | undefined;

  private constructor(
    private readonly socket: net.Socket,
    private readonly name: string,
  ) {
    socket.setNoDelay(true);
    // As lftp's net:timeout 30: a server that stops answering fails the run instead of hanging it.
    socket.setTimeout(30_000, () => socket.destroy(new Error(`${name}: no reply in 30 s`)));
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      let parsed: Reply[];
      try {
        parsed = this.parser.push(chunk);
      } catch (error) {
        this.fail(error as Error);
        return;
      }
      for (const reply of parsed) {
        const waiter = this.waiting.shift();
        if (waiter) waiter.resolve(reply);
        else this.replies.push(reply);
      }
    });
    socket.on('error', (error) => this.fail(error));
    socket.on('close', () => this.fail(new Error(`${name}: the server closed the control connection`)));
  }

  /** Connected, logged in, binary type set. */
  static async open(endpoint: FtpEndpoint, name: string): Promise<Control> {
    const control = new Control(net.connect(endpoint.port, endpoint.host), name);
    try {
      await control.expect('greeting', 220);
      control.send(`USER ${endpoint.user}`);
      await control.expect('USER', 331);
      control.send(`PASS ${endpoint.password}`);
      await control.expect('PASS', 230);
      control.send('TYPE I');
      await control.expect('TYPE I', 200);
    } catch (error) {
      control.close();
      throw error;
    }
    return control;
  }

  /** The commands in one write (pipelined: no waiting for replies between them). */
  send(...commands: string[]): void {
    for (const command of commands) {
      if (/[\r\n\0]/.test(command)) throw new Error(`${this.name}: a command holds CR, LF or NUL`);
    }
    this.socket.write(commands.map((command) => `${command}\r\n`).join(''));
  }

  private next(): Promise<Reply> {
    const reply = this.replies.shift();
    if (reply) return Promise.resolve(reply);
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  /** The next reply, which must be `code`. `what` names the command (never its argument, a password). */
  async expect(what: string, code: number): Promise<Reply> {
    const reply = await this.next();
    if (reply.code !== code) throw new Error(`${this.name}: ${what} → ${reply.text} (expected ${code})`);
    return reply;
  }

  /** A transfer command's replies: one or more 1xx, then a 2xx. */
  async transfer(what: string): Promise<void> {
    let reply = await this.next();
    if (reply.code < 100 || reply.code >= 200) throw new Error(`${this.name}: ${what} → ${reply.text} (expected 1xx)`);
    while (reply.code < 200) reply = await this.next();
    if (reply.code >= 300) throw new Error(`${this.name}: ${what} → ${reply.text} (expected 2xx)`);
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const waiter of this.waiting.splice(0)) waiter.reject(this.failure);
  }

  close(): void {
    if (this.socket.destroyed) return;
    this.socket.end('QUIT\r\n');
    // Its 221 does not matter; the socket is torn down once the server closes it.
    this.socket.on('close', () => this.socket.destroy());
  }
}

export interface FloorInput {
  source: FtpEndpoint;
  destination: FtpEndpoint;
  /** The directory the files are in on the source, and that is made (MKD) on the destination. */
  dir: string;
  names: string[];
  /** Control-session pairs, each copying the next file not yet taken. */
  concurrency: number;
}

/** One FXP copy: the destination listens, the source connects to it. */
async function copyOne(source: Control, destination: Control, file: string): Promise<void> {
  destination.send('PASV');
  const passive = await destination.expect('PASV', 227);
  const address = /(\d+,\d+,\d+,\d+,\d+,\d+)/.exec(passive.text)?.[1];
  if (!address) throw new Error(`destination: no address in ${JSON.stringify(passive.text)}`);
  source.send(`PORT ${address}`, `RETR ${file}`);
  destination.send(`STOR ${file}`);
  await Promise.all([
    source.expect('PORT', 200).then(() => source.transfer(`RETR ${file}`)),
    destination.transfer(`STOR ${file}`),
  ]);
}

/**
 * Logs in `concurrency` pairs, makes the destination directory, copies every file; rejects
 * with the reply text on the first refusal. Resolves with when the logins were done (ms
 * after the start).
 */
export async function floorCopy(input: FloorInput): Promise<{ loginMs: number }> {
  const startedAt = performance.now();
  const opening = Array.from({ length: input.concurrency }, (_, i) => [
    Control.open(input.source, `source ${i}`),
    Control.open(input.destination, `destination ${i}`),
  ]);
  // Every login settles before a refusal is thrown, so that no session is left open.
  const settled = await Promise.allSettled(opening.flat());
  const controls = settled.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  try {
    const refused = settled.find((result) => result.status === 'rejected');
    if (refused) throw refused.reason;
    const pairs = Array.from(
      { length: input.concurrency },
      (_, i) => [controls[2 * i]!, controls[2 * i + 1]!] as const,
    );
    const loginMs = performance.now() - startedAt;
    const [, firstDestination] = pairs[0]!;
    firstDestination.send(`MKD ${input.dir}`);
    await firstDestination.expect('MKD', 257);
    let next = 0;
    await Promise.all(
      pairs.map(async ([source, destination]) => {
        while (next < input.names.length) {
          await copyOne(source, destination, `${input.dir}/${input.names[next++]!}`);
        }
      }),
    );
    return { loginMs };
  } finally {
    for (const control of controls) control.close();
  }
}
