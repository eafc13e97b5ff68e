/**
 * Small measuring tools shared by the cases: medians, the TIME_WAIT count ftp-notes.md asks
 * benchmarks to watch, the machine's load (the bench machine is shared), process memory.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';

export const KiB = 1024;
export const MiB = 1024 * KiB;
export const GiB = 1024 * MiB;

export function median(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export function nowMs(): number {
  return performance.now();
}

/**
 * Sockets in TIME_WAIT on the whole machine. Every small-file transfer leaves one for 60 s,
 * so a run that follows another starts with thousands of them: recorded before and after runs.
 */
export function timeWaitCount(): number {
  try {
    const out = execFileSync('ss', ['-Htan', 'state', 'time-wait'], { encoding: 'utf8' });
    return out.split('\n').filter((line) => line.trim() !== '').length;
  } catch {
    return -1;
  }
}

/**
 * Waits, at most `maxMs`, until fewer than `below` sockets are in TIME_WAIT; the count it ended
 * at. A run among tens of thousands of them connects slower, whoever runs it (case i, before
 * this wait: lftp's 1000 files took 1.6 s at the start and 3.2-5.9 s after two 10 000-file runs).
 */
export async function quietTimeWait(below = 5_000, maxMs = 55_000): Promise<number> {
  const until = nowMs() + maxMs;
  let count = timeWaitCount();
  while (count >= below && nowMs() < until) {
    await sleep(1_000);
    count = timeWaitCount();
  }
  return count;
}

/** 1-minute load average: the machine is shared, so every result carries it. */
export function loadAverage(): number {
  return Math.round(os.loadavg()[0]! * 100) / 100;
}

export interface MachineInfo {
  cores: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  lftp: string;
  platform: string;
  kernel: string;
  date: string;
  loadAverageAtStart: number[];
  tcpTwReuse: string;
  localPortRange: string;
}

function readSysctl(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8').trim().replace(/\s+/g, ' ');
  } catch {
    return 'unknown';
  }
}

export function machineInfo(): MachineInfo {
  let lftp = 'not installed';
  try {
    lftp = /Version ([\d.]+)/.exec(execFileSync('lftp', ['--version'], { encoding: 'utf8' }))?.[1] ?? 'unknown';
  } catch {
    // reported as missing; the lftp columns stay empty
  }
  return {
    cores: os.availableParallelism(),
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / GiB),
    node: process.version,
    lftp,
    platform: `${os.platform()} ${os.arch()}`,
    kernel: os.release(),
    date: new Date().toISOString(),
    loadAverageAtStart: os.loadavg().map((l) => Math.round(l * 100) / 100),
    tcpTwReuse: readSysctl('/proc/sys/net/ipv4/tcp_tw_reuse'),
    localPortRange: readSysctl('/proc/sys/net/ipv4/ip_local_port_range'),
  };
}

/**
 * Resident memory of a process in KiB, from /proc: now (VmRSS), peak (VmHWM), and the split
 * of the resident set into anonymous memory (heaps) and file pages (the node binary's code).
 */
export function processMemoryKiB(pid: number | 'self' = 'self'): {
  rss: number;
  peak: number;
  anon: number;
  file: number;
} {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? Number.NaN);
  return { rss: field('VmRSS'), peak: field('VmHWM'), anon: field('RssAnon'), file: field('RssFile') };
}

/** The CPU fields of /proc/<pid>/stat, in clock ticks (cutime/cstime: its waited-for children's). */
export interface ProcStat {
  ppid: number;
  utime: number;
  stime: number;
  cutime: number;
  cstime: number;
}

/** /proc/<pid>/stat's text; its command name (in parentheses) may itself hold spaces and parentheses. */
export function parseProcStat(text: string): ProcStat {
  const fields = text
    .slice(text.lastIndexOf(')') + 2)
    .trim()
    .split(/\s+/)
    .map(Number);
  // fields[0] is the state (field 3 of proc(5)); utime is field 14.
  return { ppid: fields[1]!, utime: fields[11]!, stime: fields[12]!, cutime: fields[13]!, cstime: fields[14]! };
}

let clockTicks: number | undefined;

function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

function readProcStat(pid: number): ProcStat | null {
  try {
    return parseProcStat(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return null;
  }
}

/**
 * CPU ms used so far by a process and everything under it: its own, its reaped children's
 * (a PostgreSQL postmaster reaps its backends), and its live children's (one level down,
 * as a postmaster's backends are). 0 when it is gone.
 */
export function processTreeCpuMs(pid: number): number {
  const root = readProcStat(pid);
  if (!root) return 0;
  let ticks = root.utime + root.stime + root.cutime + root.cstime;
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const child = readProcStat(Number(entry));
    if (child?.ppid === pid) ticks += child.utime + child.stime;
  }
  return (ticks * 1000) / ticksPerSecond();
}

/** One run of one side of a case, as stored in latest.json. */
export interface Sample {
  run: number;
  /** floor: case a's minimal raw-protocol controller (floor.ts), the limit both are measured against. */
  tool: 'pasv' | 'lftp' | 'floor';
  /** The case's main number (ms, or what the case says). */
  value: number;
  timeWaitBefore: number;
  timeWaitAfter: number;
  load: number;
  [extra: string]: unknown;
}

/** Run `fn` with TIME_WAIT and load recorded around it. */
export async function sampled(
  run: number,
  tool: Sample['tool'],
  fn: () => Promise<{ value: number } & Record<string, unknown>>,
): Promise<Sample> {
  const timeWaitBefore = timeWaitCount();
  const load = loadAverage();
  const result = await fn();
  return { run, tool, timeWaitBefore, timeWaitAfter: timeWaitCount(), load, ...result };
}

export function log(message: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}
