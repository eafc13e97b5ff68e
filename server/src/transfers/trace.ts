/**
 * A transfer's story (GET /api/transfers/:id/trace): the control lines its sessions sent and
 * received while they worked on one of its files, tagged with the file and the side, and what
 * happened between them that is not a line: a data connection opening (read from the PASV or
 * EPSV reply and the PORT or EPRT argument), the bytes going through pasv, a ladder's note.
 *
 * Bounded, so that a tree of 100 000 small files does not write its whole conversation: at most
 * MAX_PER_TRANSFER entries per transfer and MAX_PER_FILE per file (a file's first lines tell its
 * story; the next files' still get theirs while the transfer's budget lasts). What the bound
 * leaves out is counted and returned as `dropped`. The per-file count lives in memory: after a
 * restart a retried file may add another MAX_PER_FILE, still within the transfer's bound.
 */
import type { LiveEvent, TraceEntry, TraceRole } from '../../../contract/index.js';
import type { EventBus } from '../events.js';
import { parseEpsvReply, parseEprtArgument, parsePasvReply, parsePortArgument, type HostPort } from '../ftp/pasv.js';
import type { TraceSink, TraceTag } from '../sites/trace-tag.js';
import { groupCommit, type Db, type GroupCommit } from '../store/db.js';

export const MAX_PER_TRANSFER = 2000;
export const MAX_PER_FILE = 200;

type TracedLine = Parameters<TraceSink['line']>[1];

interface Budget {
  seq: number;
  kept: number;
  /** Left out since the last flush: written when the story is read or a reply leaves (GroupCommit.defer), not per line. */
  dropped: number;
  perFile: Map<string, number>;
  /** The address each side listens on since its last PASV/EPSV reply, until a transfer reply opens it. */
  listening: Map<TraceRole, HostPort | { host: null; port: number }>;
  /** The side that was sent PORT/EPRT last: it connects to the other. */
  connecting: TraceRole | null;
}

interface Row {
  seq: number;
  at: string;
  kind: TraceEntry['kind'];
  session_id: string | null;
  site_id: string | null;
  role: TraceRole | null;
  direction: 'sent' | 'received' | null;
  line: string;
  path: string | null;
}

export class TraceStore implements TraceSink {
  private readonly budgets = new Map<string, Budget>();
  private readonly commits: GroupCommit;

  constructor(
    private readonly db: Db,
    private readonly events: EventBus,
  ) {
    this.commits = groupCommit(db);
    events.on('event', (event: LiveEvent) => {
      if (event.type === 'transfer.removed') this.budgets.delete(event.id);
    });
  }

  /** Keep a tagged control line; its seq in the trace, or null when the bound left it out. */
  line(tag: TraceTag, line: TracedLine): number | null {
    const budget = this.budget(tag.transferId);
    const seq = this.keeps(budget, tag.path)
      ? this.insert(tag.transferId, budget, {
          at: new Date(line.at).toISOString(),
          kind: 'line',
          session_id: line.sessionId,
          site_id: line.siteId,
          role: tag.role,
          direction: line.direction,
          line: line.line,
          path: tag.path,
        })
      : this.drop(tag.transferId, budget);
    this.watchData(tag, budget, line);
    return seq;
  }

  /** Keep something that happened that is not a control line (a note, the relay), and announce it. */
  event(
    transferId: string,
    kind: Exclude<TraceEntry['kind'], 'line'>,
    text: string,
    path: string | null,
    role: TraceRole | null = null,
  ): void {
    const budget = this.budget(transferId);
    if (!this.keeps(budget, path)) {
      this.drop(transferId, budget);
      return;
    }
    const row = {
      at: new Date().toISOString(),
      kind,
      session_id: null,
      site_id: null,
      role,
      direction: null,
      line: text,
      path,
    };
    const seq = this.insert(transferId, budget, row);
    if (seq === null || !this.events.watched) return;
    const event: LiveEvent = { type: 'trace.event', transferId, entry: toEntry({ ...row, seq }) };
    this.events.publish(event);
  }

  list(transferId: string): { entries: TraceEntry[]; dropped: number } {
    this.commits.flush(); // with the count of what was left out since the last flush
    const rows = this.db
      .prepare(
        'SELECT seq, at, kind, session_id, site_id, role, direction, line, path FROM transfer_trace WHERE transfer_id = ? ORDER BY seq',
      )
      .all(transferId) as Row[];
    const dropped = this.db
      .prepare('SELECT dropped FROM transfer_trace_dropped WHERE transfer_id = ?')
      .get(transferId) as { dropped: number } | undefined;
    return { entries: rows.map(toEntry), dropped: dropped?.dropped ?? 0 };
  }

  private budget(transferId: string): Budget {
    let budget = this.budgets.get(transferId);
    if (!budget) {
      // After a restart the trace goes on where it stopped.
      const stored = this.db
        .prepare('SELECT COALESCE(MAX(seq), 0) AS seq, COUNT(*) AS kept FROM transfer_trace WHERE transfer_id = ?')
        .get(transferId) as { seq: number; kept: number };
      budget = {
        seq: stored.seq,
        kept: stored.kept,
        dropped: 0,
        perFile: new Map(),
        listening: new Map(),
        connecting: null,
      };
      this.budgets.set(transferId, budget);
    }
    return budget;
  }

  private keeps(budget: Budget, path: string | null): boolean {
    return budget.kept < MAX_PER_TRANSFER && (path === null || (budget.perFile.get(path) ?? 0) < MAX_PER_FILE);
  }

  private insert(transferId: string, budget: Budget, row: Omit<Row, 'seq'>): number | null {
    try {
      const seq = budget.seq + 1;
      this.commits.run(() =>
        this.db
          .prepare(
            `INSERT INTO transfer_trace (transfer_id, seq, at, kind, session_id, site_id, role, direction, line, path)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          )
          .run(
            transferId,
            seq,
            row.at,
            row.kind,
            row.session_id,
            row.site_id,
            row.role,
            row.direction,
            row.line,
            row.path,
          ),
      );
      budget.seq = seq;
      budget.kept++;
      if (row.path !== null) budget.perFile.set(row.path, (budget.perFile.get(row.path) ?? 0) + 1);
      return seq;
    } catch {
      // The transfer was removed while its last lines came in (the foreign key refused them).
      this.budgets.delete(transferId);
      return null;
    }
  }

  /** Count what the bound leaves out; the count reaches the store with the next flush. */
  private drop(transferId: string, budget: Budget): null {
    if (budget.dropped++ === 0)
      this.commits.defer(`trace-dropped ${transferId}`, () => this.writeDropped(transferId, budget));
    return null;
  }

  private writeDropped(transferId: string, budget: Budget): void {
    const dropped = budget.dropped;
    budget.dropped = 0;
    try {
      this.db
        .prepare(
          `INSERT INTO transfer_trace_dropped (transfer_id, dropped) VALUES (?, ?)
           ON CONFLICT(transfer_id) DO UPDATE SET dropped = transfer_trace_dropped.dropped + excluded.dropped`,
        )
        .run(transferId, dropped);
    } catch {
      // The transfer was removed meanwhile (the foreign key refused the count).
    }
  }

  /**
   * Where the data connection goes, read from the lines: a side's PASV/EPSV reply says where
   * it listens, a PORT/EPRT sent to the other side says that one connects there (FXP); with no
   * PORT, pasv itself connects (relay). The first 1xx to a transfer command opens it.
   */
  private watchData(tag: TraceTag, budget: Budget, line: TracedLine): void {
    // Every control line comes here: most are none of these, and are told so by a prefix.
    const text = line.line;
    try {
      if (line.direction === 'sent') {
        // Our own commands: formatCommand lets only upper-case verbs out.
        const space = text.indexOf(' ');
        const verb = space < 0 ? text : text.slice(0, space);
        if (verb === 'PORT' || verb === 'EPRT') {
          budget.connecting = tag.role;
          const arg = text.slice(space + 1);
          const target = verb === 'PORT' ? parsePortArgument(arg) : parseEprtArgument(arg);
          const other: TraceRole = tag.role === 'source' ? 'destination' : 'source';
          if (!budget.listening.has(other)) budget.listening.set(other, target);
        } else if (verb === 'PASV' || verb === 'EPSV' || verb === 'CPSV') {
          if (budget.connecting === tag.role) budget.connecting = null;
        }
        return;
      }
      if (text.startsWith('227 ')) budget.listening.set(tag.role, parsePasvReply(text));
      else if (text.startsWith('229 ')) budget.listening.set(tag.role, { host: null, port: parseEpsvReply(text) });
      else if (text.startsWith('125 ') || text.startsWith('150 ')) this.opened(tag, budget);
    } catch {
      // A malformed address: the session fails on it and the lines say so.
    }
  }

  private opened(tag: TraceTag, budget: Budget): void {
    const other: TraceRole = tag.role === 'source' ? 'destination' : 'source';
    let listener: TraceRole | null = null;
    if (budget.listening.has(tag.role) && budget.connecting !== tag.role) listener = tag.role;
    else if (budget.connecting === tag.role && budget.listening.has(other)) listener = other;
    if (!listener) return;
    const at = budget.listening.get(listener)!;
    budget.listening.delete(listener);
    const connector = budget.connecting !== null && budget.connecting !== listener ? budget.connecting : 'pasv';
    if (connector !== 'pasv') budget.connecting = null;
    const address = at.host === null ? `port ${at.port}` : `${at.host}:${at.port}`;
    this.event(
      tag.transferId,
      'data',
      `data connection opened between ${connector} and ${listener} ${address}`,
      tag.path,
      listener,
    );
  }
}

function toEntry(row: Row): TraceEntry {
  return {
    seq: row.seq,
    at: row.at,
    kind: row.kind,
    role: row.role,
    sessionId: row.session_id,
    siteId: row.site_id,
    direction: row.direction,
    text: row.line,
    path: row.path,
  };
}
