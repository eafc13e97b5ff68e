/**
 * Raw commands from a person at a site's console (SITE WHO, STAT, MDTM …): one line, checked
 * here before anything reaches a socket, then sent on a pasv session like any other command.
 * The session is pasv's own and stays in use after the command, so verbs that would log it
 * in or out, change its security or transfer state, or need a data connection are refused
 * with the reason; everything else goes out as typed and the server's final reply, 4xx and
 * 5xx included, is the answer.
 */
import { FtpReplyError } from './errors.js';
import { parseReplies, type Reply } from './reply.js';
import type { FtpSession, LogLine } from './session.js';

/** Longer lines are refused: RFC 959 servers read 512-byte command lines, some fewer. */
export const MAX_RAW_COMMAND_LENGTH = 512;

/** A console line that may not be sent; nothing went out. The API answers 400. */
export class CommandRefusedError extends Error {
  override readonly name = 'CommandRefusedError';
}

export interface RawCommand {
  verb: string;
  arg?: string;
}

/** The server's final reply, whole: `lines` as sent when it spans more than one line. */
export interface RawReply {
  code: number;
  text: string;
  lines?: string[];
}

const DATA_SETUP = 'pasv sets up data connections itself: a console has none to offer';

/** Refused verbs, each with why, in words shown to the person who typed it. */
const REFUSED: Readonly<Record<string, string>> = {
  ...reasons(['USER', 'PASS', 'ACCT', 'REIN', 'QUIT'], "it would log pasv's own session with this site in or out"),
  ...reasons(
    ['AUTH', 'PBSZ', 'PROT', 'CCC'],
    "it would change the TLS protection of pasv's own session with this site",
  ),
  ...reasons(['PORT', 'EPRT', 'LPRT', 'PASV', 'EPSV', 'LPSV', 'SPSV', 'CPSV', 'SSCN', 'PRET'], DATA_SETUP),
  ...reasons(['RETR', 'STOR', 'STOU', 'APPE', 'LIST', 'NLST', 'MLSD'], 'needs a data connection: use the browser pane'),
  // Listings, probes and copies that share the session rely on its type, mode, options and
  // on no restart offset waiting for the next transfer.
  ...reasons(
    ['TYPE', 'MODE', 'STRU', 'REST', 'OPTS'],
    "it would change transfer settings that pasv's listings and copies on this session rely on",
  ),
};

function reasons(verbs: string[], why: string): Record<string, string> {
  return Object.fromEntries(verbs.map((verb) => [verb, why]));
}

/** RFC 959 §5.3: a command code is alphabetic, four characters at most (three for the oldest). */
const VERB = /^[A-Za-z]{3,4}$/;

/** Check one console line and split it into verb and argument, or throw CommandRefusedError. */
export function parseRawCommand(line: string): RawCommand {
  if (/[\r\n\0]/.test(line)) {
    throw new CommandRefusedError('a command is one line: CR, LF and NUL are refused, nothing was sent');
  }
  if (line.length > MAX_RAW_COMMAND_LENGTH) {
    throw new CommandRefusedError(`a command is at most ${MAX_RAW_COMMAND_LENGTH} characters long`);
  }
  const trimmed = line.trim();
  const space = trimmed.indexOf(' ');
  const typed = space === -1 ? trimmed : trimmed.slice(0, space);
  if (!VERB.test(typed)) {
    throw new CommandRefusedError(`${JSON.stringify(typed.slice(0, 20))} is not an FTP command (3 or 4 letters)`);
  }
  const verb = typed.toUpperCase();
  const refusal = REFUSED[verb];
  if (refusal) throw new CommandRefusedError(`${verb} is refused: ${refusal}`);
  const arg = space === -1 ? undefined : trimmed.slice(space + 1);
  return arg ? { verb, arg } : { verb };
}

/**
 * Send a checked command as one task and return the server's final reply, a refusal (4xx, 5xx)
 * included. A failed connection still throws. The lines of a refusal are read from the
 * session's own log of what it received: the reply error keeps only the code and the text.
 */
export function sendRawCommand(session: FtpSession, command: RawCommand): Promise<RawReply> {
  return session.task(async (task) => {
    const received: string[] = [];
    const record = (line: LogLine) => void (line.direction === 'received' && received.push(line.line));
    session.on('line', record);
    try {
      return rawReply(await task.send(command.verb, command.arg));
    } catch (error) {
      if (!(error instanceof FtpReplyError)) throw error;
      const final = parseReplies(received.map((line) => `${line}\r\n`).join('')).replies.at(-1);
      return rawReply(final ?? { code: error.code, text: error.text, lines: [] });
    } finally {
      session.off('line', record);
    }
  });
}

function rawReply(reply: Reply): RawReply {
  return reply.lines.length > 1
    ? { code: reply.code, text: reply.text, lines: reply.lines }
    : { code: reply.code, text: reply.text };
}
