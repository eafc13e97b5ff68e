/**
 * A transfer's files ready to run, read ahead in queue order: the runner's lanes take their
 * next file from memory instead of asking SQLite on every file (that read, repeated per file
 * and per scheduler pass, was a sixth of the controller's CPU on a tree of small files).
 *
 * Rows may be stale by the time they are taken (the transfer was cancelled, another lane
 * took the file): the claim (transitions.fileStarted: the file's state now, and the claims
 * not written yet) decides, so a stale row costs one refused claim, never a second copy.
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
    /** A copy works on this file now, whatever its row says (its claim may not be written yet). */
    private readonly claimed: (fileId: string) => boolean,
  ) {}

  /** How many files are ready now (reading more when the last batch is used up). */
  ready(): number {
    if (this.index >= this.rows.length) this.read();
    return this.rows.length - this.index;
  }

  next(): FileRow | undefined {
    return this.ready() > 0 ? this.rows[this.index++] : undefined;
  }

  /**
   * The next batch after the last one, without files being copied now (their rows may still
   * read queued: transitions.ts). Past the end, files behind the cursor may be ready again (a
   * retry's time came, a copy was interrupted or put back), so it looks from the start once
   * more, and no further: a batch of files all being copied must not be read again and again.
   */
  private read(): void {
    const now = new Date().toISOString();
    let wrapped = this.afterSeq === 0;
    this.index = 0;
    for (;;) {
      const batch = this.store.runnableFiles(this.transferId, now, READ_AHEAD, this.afterSeq);
      this.rows = batch.filter((row) => !this.claimed(row.id));
      this.afterSeq = batch.at(-1)?.seq ?? 0;
      if (this.rows.length > 0) return;
      if (batch.length === READ_AHEAD) continue; // all of these are being copied: read on
      if (wrapped) return;
      wrapped = true;
      this.afterSeq = 0;
    }
  }
}
