/**
 * One timer that is set again and again: a session's reply deadline, its keepalive. Setting it
 * replaces the one pending; it rings at most once per setting.
 */
export class Alarm {
  private timer: NodeJS.Timeout | null = null;

  /** `background`: the pending alarm alone does not keep the process alive (unref). */
  constructor(private readonly background = false) {}

  get set(): boolean {
    return this.timer !== null;
  }

  /** Ring `ring` in `ms`, in place of any pending ring. */
  arm(ms: number, ring: () => void): void {
    this.clear();
    this.timer = setTimeout(() => {
      this.timer = null;
      ring();
    }, ms);
    if (this.background) this.timer.unref();
  }

  clear(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
