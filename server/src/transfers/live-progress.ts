/**
 * Where each running file is, in memory only (the store gets a file's bytes when it ends):
 * the queue's bytes and a file's bar read it, and the speed reads what moved in this process.
 */
export class LiveProgress {
  /** Position of each running file, by file id; `seen` the last one reported (null before the first). */
  private readonly files = new Map<string, { transferId: string; position: number; seen: number | null }>();
  /**
   * Bytes each transfer moved in this process, for its speed: a resumed file's first report is
   * its offset, which moved nothing now (counted, it showed "900 MB/s" then "ETA 2 h").
   */
  private readonly moved = new Map<string, number>();

  start(fileId: string, transferId: string): void {
    this.files.set(fileId, { transferId, position: 0, seen: null });
  }

  report(fileId: string, transferId: string, position: number): void {
    const seen = this.files.get(fileId)?.seen ?? null;
    if (seen !== null) this.moved.set(transferId, (this.moved.get(transferId) ?? 0) + Math.max(0, position - seen));
    this.files.set(fileId, { transferId, position, seen: position });
  }

  end(fileId: string): void {
    this.files.delete(fileId);
  }

  fileBytes(fileId: string): number | undefined {
    return this.files.get(fileId)?.position;
  }

  transferBytes(transferId: string): number {
    let sum = 0;
    for (const entry of this.files.values()) if (entry.transferId === transferId) sum += entry.position;
    return sum;
  }

  /** Bytes moved by the transfer's copies in this process (not what a resume found already there). */
  movedBytes(transferId: string): number {
    return this.moved.get(transferId) ?? 0;
  }

  forgetMoved(transferId: string): void {
    this.moved.delete(transferId);
  }
}
