/**
 * A control-connection server whose behaviour a test scripts, for protocol faults that no
 * real server produces on demand: 421 to the first N connections, silence after PASV, a
 * swallowed 226, garbage, a reply of a mebibyte.
 *
 * A connection is either scripted end to end (the test writes every reply) or a proxy to a
 * real FTP server (`upstream`) whose traffic the script may intercept line by line. Data
 * connections never pass through here: a PASV reply names the upstream's own data port, so
 * run the proxy on the upstream's address (another port) and FXP still works.
 */
import net from 'node:net';

export interface Command {
  verb: string;
  arg: string;
  /** The line as received, without CRLF. */
  line: string;
  /** When it arrived (performance.now()). */
  at: number;
}

export interface Script {
  /**
   * A client connected. Return 'scripted' when the script takes the connection over (it
   * sends the greeting, or nothing): no upstream connection is made. Otherwise the upstream
   * greets, or without one a plain 220.
   */
  connect?: (conn: ScriptedConnection) => 'scripted' | void;
  /** A command line arrived; return true when the script dealt with it (it is not forwarded). */
  command?: (conn: ScriptedConnection, command: Command) => boolean | void;
  /** A reply line came from upstream; return true to keep it from the client. */
  reply?: (conn: ScriptedConnection, line: string) => boolean | void;
}

export interface ScriptedServerOptions extends Script {
  /** A loopback address (127.0.0.x). */
  host: string;
  port?: number;
  /** The real server behind the proxy; without it every connection is scripted. */
  upstream?: { host: string; port: number };
}

export class ScriptedConnection {
  /** Every command line received, in order (PASS in clear: this is the server's side). */
  readonly commands: Command[] = [];
  readonly openedAt = performance.now();
  closedAt: number | null = null;
  bytesSent = 0;
  /** Once muted, nothing reaches the client any more: not the script, not the upstream. */
  muted = false;
  upstream: net.Socket | null = null;
  readonly closed: Promise<void>;

  constructor(
    readonly index: number,
    readonly socket: net.Socket,
  ) {
    this.closed = new Promise((resolve) =>
      socket.once('close', () => {
        this.closedAt = performance.now();
        this.upstream?.destroy();
        resolve();
      }),
    );
  }

  get lastCommand(): Command | undefined {
    return this.commands[this.commands.length - 1];
  }

  /** Raw bytes to the client; false when its socket asks us to wait (backpressure). */
  send(raw: string | Buffer): boolean {
    if (this.muted || this.socket.destroyed || this.socket.writableEnded) return false;
    this.bytesSent += typeof raw === 'string' ? Buffer.byteLength(raw) : raw.length;
    return this.socket.write(raw);
  }

  reply(code: number, text: string): void {
    this.send(`${code} ${text}\r\n`);
  }

  /** Go silent, as a hung server does: the socket stays open, nothing more is said. */
  mute(): void {
    this.muted = true;
  }

  /** Reply and hang up (421 "too many connections"). */
  refuse(code: number, text: string): void {
    this.reply(code, text);
    this.socket.end();
  }

  destroy(): void {
    this.socket.destroy();
    this.upstream?.destroy();
  }
}

export interface ScriptedServer {
  host: string;
  port: number;
  /** Every connection so far, in the order they arrived. */
  readonly connections: ScriptedConnection[];
  /** Every command received on every connection, as `${index} ${line}`. */
  commandLog(): string[];
  close(): Promise<void>;
}

export async function startScriptedServer(options: ScriptedServerOptions): Promise<ScriptedServer> {
  const connections: ScriptedConnection[] = [];
  const server = net.createServer((socket) => {
    const conn = new ScriptedConnection(connections.length, socket);
    connections.push(conn);
    socket.on('error', () => undefined);
    if (options.connect?.(conn) !== 'scripted') {
      if (options.upstream) attachUpstream(conn, options);
      else conn.reply(220, 'Scripted FTP server ready.');
    }
    readLines(socket, (line) => {
      const space = line.indexOf(' ');
      const command: Command = {
        verb: (space === -1 ? line : line.slice(0, space)).toUpperCase(),
        arg: space === -1 ? '' : line.slice(space + 1),
        line,
        at: performance.now(),
      };
      conn.commands.push(command);
      if (conn.muted) return;
      if (options.command?.(conn, command)) return;
      if (conn.upstream) conn.upstream.write(`${line}\r\n`);
      else conn.reply(502, `${command.verb} not scripted.`);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: options.host, port: options.port ?? 0 }, () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;
  return {
    host: options.host,
    port,
    connections,
    commandLog: () => connections.flatMap((c) => c.commands.map((command) => `${c.index} ${command.line}`)),
    close: () =>
      new Promise<void>((resolve) => {
        for (const conn of connections) conn.destroy();
        server.close(() => resolve());
      }),
  };
}

function attachUpstream(conn: ScriptedConnection, options: ScriptedServerOptions): void {
  const upstream = net.connect(options.upstream!);
  conn.upstream = upstream;
  upstream.on('error', () => conn.socket.destroy());
  upstream.on('close', () => conn.socket.end());
  readLines(upstream, (line) => {
    if (conn.muted || options.reply?.(conn, line)) return;
    conn.send(`${line}\r\n`);
  });
}

/** Calls `onLine` for every CRLF- (or LF-) terminated line, without the terminator. */
function readLines(socket: net.Socket, onLine: (line: string) => void): void {
  let pending = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    pending += chunk;
    let end: number;
    while ((end = pending.indexOf('\n')) !== -1) {
      const line = pending.slice(0, end).replace(/\r$/, '');
      pending = pending.slice(end + 1);
      onLine(line);
    }
  });
}
