/**
 * A scripted server that logs anyone in and opens real passive data ports, for the faults
 * that come after a `150`: a data connection that stays open and silent, one that trickles,
 * a listing whose final reply never comes. Verbs named in `silent` get no answer at all.
 */
import net from 'node:net';
import { startScriptedServer, type ScriptedConnection, type ScriptedServer } from './scripted-server.js';

export interface ListerOptions {
  host: string;
  /** Offer MLST in FEAT, so that listings use MLSD. */
  mlsd?: boolean;
  /** Verbs (or `VERB arg` lines) that are never answered: the server hangs on them. */
  silent?: string[];
  /** SIZE answers: a path listed here is a file of that size; anything else is 550. */
  files?: Record<string, number>;
  /** After `150` to LIST/MLSD, with the accepted data connection: the fault to play. */
  onListing: (data: net.Socket, conn: ScriptedConnection) => void;
}

export interface ScriptedLister extends ScriptedServer {
  /** Every data connection accepted, in order. */
  readonly dataSockets: net.Socket[];
  /** Resolves the first time a `150` has gone out for a listing. */
  readonly listingStarted: Promise<ScriptedConnection>;
  /** Resolves the first time a command named in `silent` arrived. */
  readonly silenced: Promise<ScriptedConnection>;
}

export async function startScriptedLister(options: ListerOptions): Promise<ScriptedLister> {
  const dataSockets: net.Socket[] = [];
  const listeners: net.Server[] = [];
  const passive = new Map<ScriptedConnection, Promise<net.Socket>>();
  let markListing!: (conn: ScriptedConnection) => void;
  const listingStarted = new Promise<ScriptedConnection>((resolve) => (markListing = resolve));
  let markSilenced!: (conn: ScriptedConnection) => void;
  const silenced = new Promise<ScriptedConnection>((resolve) => (markSilenced = resolve));

  const openPassive = async (conn: ScriptedConnection): Promise<void> => {
    const listener = net.createServer();
    listeners.push(listener);
    const accepted = new Promise<net.Socket>((resolve) =>
      listener.once('connection', (socket) => {
        socket.on('error', () => undefined);
        dataSockets.push(socket);
        listener.close();
        resolve(socket);
      }),
    );
    passive.set(conn, accepted);
    await new Promise<void>((resolve) => listener.listen({ host: options.host, port: 0 }, resolve));
    const port = (listener.address() as net.AddressInfo).port;
    conn.reply(227, `Entering Passive Mode (${options.host.replaceAll('.', ',')},${port >> 8},${port & 255})`);
  };

  const server = await startScriptedServer({
    host: options.host,
    command: (conn, command) => {
      if (options.silent?.includes(command.verb) || options.silent?.includes(command.line)) {
        markSilenced(conn);
        return true;
      }
      const size = options.files?.[command.arg];
      const answers: Record<string, [number, string]> = {
        USER: [331, 'Password required.'],
        PASS: [230, 'Logged in.'],
        TYPE: [200, 'Type set.'],
        OPTS: [200, 'OK.'],
        CWD: [250, 'Directory changed.'],
        PWD: [257, '"/" is the current directory.'],
        MKD: [257, 'Created.'],
        NOOP: [200, 'OK.'],
        SIZE: size === undefined ? [550, 'Not a plain file.'] : [213, String(size)],
      };
      const answer = answers[command.verb];
      if (answer) conn.reply(...answer);
      else if (command.verb === 'FEAT') {
        conn.send(options.mlsd ? '211-Features:\r\n MLST type*;size*;modify*;\r\n211 End\r\n' : '211 No features.\r\n');
      } else if (command.verb === 'PASV') void openPassive(conn);
      else if (command.verb === 'LIST' || command.verb === 'MLSD') {
        void passive.get(conn)?.then((data) => {
          conn.reply(150, 'Here comes the listing.');
          markListing(conn);
          options.onListing(data, conn);
        });
      } else if (command.verb === 'QUIT') conn.refuse(221, 'Bye.');
      else conn.reply(502, `${command.verb} not scripted.`);
      return true;
    },
  });
  return {
    ...server,
    dataSockets,
    listingStarted,
    silenced,
    close: async () => {
      for (const socket of dataSockets) socket.destroy();
      for (const listener of listeners) listener.close();
      await server.close();
    },
  };
}
