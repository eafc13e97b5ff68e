/**
 * Human-readable numbers for the dashboard. Sizes are 1000-based (kB, MB, GB) like the ui
 * design and like most FTP sites report them; the UI never mixes in KiB.
 */

const byteUnits = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'] as const;

export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '–';
  if (bytes < 999.5) return `${Math.round(bytes)} B`;
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < byteUnits.length - 1) {
    value /= 1000;
    unit += 1;
  }
  // Promote before rounding would print "1000 kB", and drop the decimal once it reads 10+.
  if (value >= 999.5 && unit < byteUnits.length - 1) {
    value /= 1000;
    unit += 1;
  }
  const digits = value < 9.95 ? 1 : 0;
  return `${value.toFixed(digits)} ${byteUnits[unit]}`;
}

export function formatSpeed(bytesPerSecond: number): string {
  if (!Number.isFinite(bytesPerSecond) || bytesPerSecond <= 0) return '–';
  return `${formatBytes(bytesPerSecond)}/s`;
}

/** A compact duration: "4 s", "2 min 5 s", "1 h 3 min", "2 d 4 h". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '–';
  const seconds = Math.floor(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) {
    const s = seconds % 60;
    return s === 0 ? `${minutes} min` : `${minutes} min ${s} s`;
  }
  const hours = Math.floor(minutes / 60);
  if (hours < 24) {
    const m = minutes % 60;
    return m === 0 ? `${hours} h` : `${hours} h ${m} min`;
  }
  const days = Math.floor(hours / 24);
  const h = hours % 24;
  return h === 0 ? `${days} d` : `${days} d ${h} h`;
}

/** How long ago, in its largest unit: "just now", "40 s ago", "2 min ago", "3 h ago", "5 d ago". */
export function formatAgo(ms: number): string {
  if (!Number.isFinite(ms)) return '–';
  const seconds = Math.floor(Math.max(0, ms) / 1000);
  if (seconds < 10) return 'just now';
  if (seconds < 60) return `${seconds} s ago`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  return hours < 24 ? `${hours} h ago` : `${Math.floor(hours / 24)} d ago`;
}

/** Time left at the current speed, or '–' when it cannot be known. */
export function formatEta(bytesDone: number, bytesTotal: number, bytesPerSecond: number): string {
  if (!(bytesPerSecond > 0) || !(bytesTotal > 0)) return '–';
  const left = Math.max(0, bytesTotal - bytesDone);
  return formatDuration(Math.ceil(left / bytesPerSecond) * 1000);
}

const pad = (n: number) => String(n).padStart(2, '0');

/**
 * A listing date: "MM-DD HH:mm" within the current year (what FTP people scan for),
 * "YYYY-MM-DD" for older entries. Local time.
 */
export function formatDate(iso: string | null | undefined, now: Date = new Date()): string {
  if (!iso) return '–';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '–';
  const day = `${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
  if (date.getFullYear() === now.getFullYear()) return `${day} ${pad(date.getHours())}:${pad(date.getMinutes())}`;
  return `${date.getFullYear()}-${day}`;
}

/** Full local timestamp for tooltips: "2026-11-23 14:02:09". */
export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '–';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '–';
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** Clock time for log lines: "14:02:09.123". */
export function formatClock(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '--:--:--';
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${String(d.getMilliseconds()).padStart(3, '0')}`;
}

/** Share of done in total as a whole percentage, clamped to 0..100. */
export function percent(done: number, total: number): number {
  if (!(total > 0)) return 0;
  return Math.min(100, Math.max(0, Math.floor((done / total) * 100)));
}

export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}
