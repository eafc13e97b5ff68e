/**
 * A transfer's story: the control lines its sessions sent and received while they worked on
 * it (PASS masked), and what pasv noted between them (the data connection, a flip, a relay).
 */
import { Type, type Static } from 'typebox';

export const TraceRole = Type.Union([Type.Literal('source'), Type.Literal('destination')]);
export type TraceRole = Static<typeof TraceRole>;

export const TraceEntry = Type.Object({
  /** Increasing per transfer: a live entry already fetched has a seq already held. */
  seq: Type.Integer({ minimum: 1 }),
  at: Type.String(),
  /**
   * line: a control line. data: a data connection opened (between the servers for FXP, or
   * with pasv). relay: the bytes go through pasv from here on. note: what pasv did about a
   * refusal ("flipped passive side", "fell back to relay").
   */
  kind: Type.Union([Type.Literal('line'), Type.Literal('data'), Type.Literal('relay'), Type.Literal('note')]),
  /** The server the line went to or came from; for an event, the side it concerns (null: both, or pasv). */
  role: Type.Union([TraceRole, Type.Null()]),
  sessionId: Type.Union([Type.String(), Type.Null()]),
  siteId: Type.Union([Type.String(), Type.Null()]),
  /** Lines only: sent by pasv, or received from the server. */
  direction: Type.Union([Type.Literal('sent'), Type.Literal('received'), Type.Null()]),
  text: Type.String(),
  /** The file the session worked on (a directory copy tells its files apart). */
  path: Type.Union([Type.String(), Type.Null()]),
});
export type TraceEntry = Static<typeof TraceEntry>;

export const TransferTrace = Type.Object({
  transferId: Type.String(),
  name: Type.String(),
  source: Type.Object({ siteId: Type.String(), path: Type.String() }),
  destination: Type.Object({ siteId: Type.String(), dir: Type.String() }),
  entries: Type.Array(TraceEntry),
  /** Entries not kept: past the bound per transfer or per file (trace.ts). */
  dropped: Type.Integer({ minimum: 0 }),
});
export type TransferTrace = Static<typeof TransferTrace>;
