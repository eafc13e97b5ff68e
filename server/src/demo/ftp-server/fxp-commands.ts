/**
 * Commands of FXP-minded servers that the lead's negotiation ladder must meet but that cannot
 * be installed here: drftpd's PRET and the SSCN of ProFTPD mod_tls and glFTPd. Each stays
 * '500 <VERB> not understood.' unless its server option is on (CPSV is in transfer-commands.ts,
 * beside PASV).
 */
import type { CommandSpec, FtpConnection } from './connection.js';

/** The transfer commands a PRET may announce (drftpd picks the slave from them). */
const PRET_VERBS = new Set(['RETR', 'STOR', 'APPE', 'LIST', 'NLST', 'MLSD']);

/** FEAT lines of the switches that are on; drftpd shows PRET only to a logged-in user. */
export function fxpFeatureLines(conn: FtpConnection): string[] {
  const lines: string[] = [];
  if (conn.ctx.pret && conn.loggedIn) lines.push(' PRET');
  if (conn.ctx.secureContext && conn.ctx.sscn) lines.push(' SSCN');
  if (conn.ctx.secureContext && conn.ctx.cpsv) lines.push(' CPSV');
  return lines;
}

/**
 * Called by PASV, EPSV and CPSV before they open a port: uses up the pending PRET, and with
 * pret 'required' refuses (and returns false) when there was none, in drftpd's words.
 */
export function takePret(conn: FtpConnection, verb: string): boolean {
  const announced = conn.pretVerb;
  conn.pretVerb = null;
  if (conn.ctx.pret !== 'required' || announced !== null) return true;
  conn.reply(500, `You need to use a client supporting PRET (PRE Transfer) to use ${verb}`);
  return false;
}

function sscnMethod(conn: FtpConnection): string {
  return conn.sscnClient ? 'SSCN:CLIENT METHOD' : 'SSCN:SERVER METHOD';
}

export const fxpCommands: Record<string, CommandSpec> = {
  PRET: {
    needsArg: true,
    enabled: (ctx) => ctx.pret !== null,
    handler(conn, arg) {
      const verb = (arg.trim().split(/\s+/)[0] ?? '').toUpperCase();
      if (!PRET_VERBS.has(verb)) return conn.reply(501, 'Unknown PRET transfer command.');
      conn.pretVerb = verb;
      conn.reply(200, `OK, will use ${verb} for the next transfer.`);
    },
  },
  SSCN: {
    enabled: (ctx) => ctx.sscn,
    handler(conn, arg) {
      if (!conn.secure) return conn.reply(503, 'SSCN needs a secure connection: AUTH TLS first.');
      const setting = arg.trim().toUpperCase();
      if (setting === 'ON') conn.sscnClient = true;
      else if (setting === 'OFF') conn.sscnClient = false;
      else if (setting !== '') return conn.reply(501, 'SSCN takes ON or OFF.');
      conn.reply(200, sscnMethod(conn));
    },
  },
};
