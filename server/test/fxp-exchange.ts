/**
 * A manual FXP for the embedded server's switch tests (server/src/demo/ftp-server/): PASV or
 * CPSV on one FtpSession, PORT on the other, then RETR and STOR, each step visible, so a test
 * sees exactly which reply each server gave rather than what a copy made of it.
 */
import { FtpReplyError } from '../src/ftp/errors.js';
import { encodePort, parsePasvReply } from '../src/ftp/pasv.js';
import type { FtpSession, FtpTask, TransferCommand } from '../src/ftp/session.js';

export interface FinalReply {
  code: number;
  text: string;
}

export interface ExchangeOptions {
  /** Which server listens: it gets the passive command, the other one PORT. */
  passiveOn: 'source' | 'destination';
  /** Default 'PASV'; 'CPSV' for glFTPd's "PASV, and you are the TLS client". */
  passiveVerb?: 'PASV' | 'CPSV';
  /** Send `PRET <verb> <path>` on the passive side first (drftpd). */
  pret?: boolean;
  /** Send `SSCN ON` to this side after PASV and PORT, right before the transfer commands. */
  sscnOn?: 'source' | 'destination';
  sourcePath?: string;
  destinationPath?: string;
}

/** The final reply of a transfer command, a refusal included. */
async function finalReply(command: TransferCommand): Promise<FinalReply> {
  command.started.catch(() => {});
  try {
    const { code, text } = await command.done;
    return { code, text };
  } catch (error) {
    if (error instanceof FtpReplyError) return { code: error.code, text: error.text };
    throw error;
  }
}

/**
 * Copies sourcePath (default 'movie.bin') to destinationPath (default 'copy.bin') server to
 * server. Both transfer commands go out before either reply is awaited, as a controller must:
 * the passive side answers 150 only once its data connection is up. Returns [RETR, STOR].
 */
export function exchange(
  source: FtpSession,
  destination: FtpSession,
  options: ExchangeOptions,
): Promise<[FinalReply, FinalReply]> {
  const sourcePath = options.sourcePath ?? 'movie.bin';
  const destinationPath = options.destinationPath ?? 'copy.bin';
  const sourceListens = options.passiveOn === 'source';
  const [passive, active] = sourceListens ? [source, destination] : [destination, source];
  return passive.task(async (listening: FtpTask) => {
    await listening.binary();
    if (options.pret) {
      await listening.send('PRET', sourceListens ? `RETR ${sourcePath}` : `STOR ${destinationPath}`);
    }
    const target = parsePasvReply((await listening.send(options.passiveVerb ?? 'PASV')).text);
    return active.task(async (connecting: FtpTask) => {
      await connecting.binary();
      await connecting.send('PORT', encodePort(target));
      const [sender, receiver] = sourceListens ? [listening, connecting] : [connecting, listening];
      if (options.sscnOn) await (options.sscnOn === 'source' ? sender : receiver).send('SSCN', 'ON');
      const store = receiver.transfer('STOR', destinationPath);
      const retrieve = sender.transfer('RETR', sourcePath);
      return Promise.all([finalReply(retrieve), finalReply(store)]);
    });
  });
}
