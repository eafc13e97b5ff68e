/**
 * A transfer's files ready to run, read ahead in queue order: the runner's lanes take their
 * next file from memory instead of asking SQLite on every file (that read, repeated per file
 * and per scheduler pass, was a sixth of the controller's CPU on a tree of small files).
 *
 * Rows may be stale by the time they are taken (the transfer was cancelled, another lane
 * took the file): the claim's conditional UPDATE (transitions.fileStarted) decides, so a
 * stale row costs one refused claim, never a second copy.
 */
import type { FileRow, TransferStore } from './store.js';

/** Rows read at once: enough for many files per read, few enough to stay small on a 100 000-file tree. */
const READ_AHEAD = 256;

export class FileCursor {
  private rows: FileRow[] = [];
  private index = 0;
  private afterSeq = 0;

  constructor(
    private readonly store: TransferStore,
    private readonly transferId: string,
  ) {}

  /** How many files are ready now (reading more when the last batch is used up). */
  ready(): number {
    if (this.index >= this.rows.length) this.read();
    return this.rows.length - this.index;
  }

  next(): FileRow | undefined {
    return this.ready() > 0 ? this.rows[this.index++] : undefined;
  }

  private read(): void {
    const now = new Date().toISOString();
    this.rows = this.store.runnableFiles(this.transferId, now, READ_AHEAD, this.afterSeq);
    // Past the end: files behind the cursor may be ready again (a retry's time came, a copy
    // was interrupted or put back), so look from the start once more.
    if (this.rows.length === 0 && this.afterSeq > 0) {
      this.rows = this.store.runnableFiles(this.transferId, now, READ_AHEAD, 0);
    }
    this.index = 0;
    this.afterSeq = this.rows.at(-1)?.seq ?? 0;
  }
}
