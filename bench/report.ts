/**
 * What a case hands back and how the run is written down: a table row per measured
 * quantity (case | pasv | lftp | ratio pasv/lftp | target | met?), the raw samples for
 * latest.json, and notes for latest.md.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { MachineInfo, Sample } from './measure.js';

export interface Row {
  case: string;
  pasv: number | null;
  lftp: number | null;
  unit: 'ms' | 's' | '% core' | 'MiB' | 'msg/s' | 'transfers/s' | '×';
  /** The target in words ("≤ 0.5 × lftp", "< 50 ms"). */
  target: string;
  /** Whether pasv met it; null when there is nothing to judge (a reference row). */
  met: boolean | null;
  /** lftp's number is a reference only (measured differently): no ratio. */
  lftpReference?: boolean;
}

export interface CaseResult {
  id: string;
  title: string;
  rows: Row[];
  samples: Sample[];
  notes: string[];
  details?: Record<string, unknown>;
  durationMs?: number;
  error?: string;
}

export function formatValue(value: number | null, unit: Row['unit']): string {
  if (value === null || Number.isNaN(value)) return '—';
  switch (unit) {
    case 'ms':
      return value >= 10_000 ? `${(value / 1000).toFixed(2)} s` : `${value.toFixed(value < 10 ? 2 : 0)} ms`;
    case 's':
      return `${value.toFixed(2)} s`;
    case '% core':
      return `${value.toFixed(value < 1 ? 2 : 1)} %`;
    case 'MiB':
      return `${value.toFixed(1)} MiB`;
    case 'msg/s':
      return `${value.toFixed(0)} msg/s`;
    case 'transfers/s':
      return `${value.toFixed(value < 10 ? 1 : 0)} transfers/s`;
    case '×':
      return `${value.toFixed(2)} ×`;
  }
}

export function ratioOf(row: Row): number | null {
  if (row.lftpReference || row.pasv === null || row.lftp === null || row.lftp === 0) return null;
  return row.pasv / row.lftp;
}

const HEADER = ['case', 'pasv', 'lftp', 'ratio pasv/lftp', 'target', 'met?'];

function cells(row: Row): string[] {
  const ratio = ratioOf(row);
  const lftp = formatValue(row.lftp, row.unit);
  return [
    row.case,
    formatValue(row.pasv, row.unit),
    row.lftpReference && row.lftp !== null ? `${lftp} (ref.)` : lftp,
    ratio === null ? '—' : ratio.toFixed(2),
    row.target,
    row.met === null ? 'n/a' : row.met ? 'yes' : '**no**',
  ];
}

export function markdownTable(rows: Row[]): string {
  const lines = [HEADER, HEADER.map(() => '---'), ...rows.map(cells)];
  return lines.map((line) => `| ${line.join(' | ')} |`).join('\n');
}

/** The same table, aligned for a terminal. */
export function textTable(rows: Row[]): string {
  const all = [HEADER, ...rows.map((row) => cells(row).map((c) => c.replace(/\*\*/g, '')))];
  const widths = HEADER.map((_, i) => Math.max(...all.map((line) => line[i]!.length)));
  const format = (line: string[]) => line.map((cell, i) => cell.padEnd(widths[i]!)).join(' | ');
  return [format(all[0]!), widths.map((w) => '-'.repeat(w)).join('-+-'), ...all.slice(1).map(format)].join('\n');
}

export interface RunRecord {
  machine: MachineInfo;
  filter: string[];
  durationMs: number;
  cases: CaseResult[];
}

/** What latest.json holds: the last full run, and the cases run alone and filed into it since (`--into-latest`). */
interface LatestRecord extends RunRecord {
  table: (Row & { ratio: number | null })[];
  alone?: (RunRecord & { table: (Row & { ratio: number | null })[] })[];
}

function withRatios(record: RunRecord): RunRecord & { table: (Row & { ratio: number | null })[] } {
  return { ...record, table: record.cases.flatMap((c) => c.rows).map((row) => ({ ...row, ratio: ratioOf(row) })) };
}

function machineLine(record: RunRecord): string {
  const m = record.machine;
  return (
    `${m.date} · ${m.cores} cores (${m.cpuModel}) · ${m.memoryGiB} GiB · node ${m.node} · lftp ${m.lftp} · ` +
    `${m.platform} ${m.kernel} · load average at start ${m.loadAverageAtStart.join(' / ')} · ` +
    `tcp_tw_reuse ${m.tcpTwReuse} · total ${(record.durationMs / 1000).toFixed(0)} s` +
    (record.filter.length ? ` · cases ${record.filter.join(' ')}` : '')
  );
}

/**
 * A full run writes latest.json and latest.md (committed); a run of some cases only writes
 * partial.raw.json (ignored by git), so that it never replaces the full results. With
 * `intoLatest` the partial run is also filed into latest.json and latest.md as a run of its
 * own (dated, its table apart), replacing an earlier one of the same cases; the next full
 * run drops it.
 */
export function writeResults(
  dir: string,
  record: RunRecord,
  options: { intoLatest?: boolean } = {},
): { json: string; md: string | null } {
  fs.mkdirSync(dir, { recursive: true });
  const partial = record.filter.length > 0;
  const json = path.join(dir, partial ? 'partial.raw.json' : 'latest.json');
  const md = path.join(dir, 'latest.md');
  fs.writeFileSync(json, `${JSON.stringify(withRatios(record), null, 2)}\n`);
  if (!partial) {
    fs.writeFileSync(md, renderMarkdown(record, []));
    return { json, md };
  }
  if (!options.intoLatest) return { json, md: null };
  const latestJson = path.join(dir, 'latest.json');
  const latest = JSON.parse(fs.readFileSync(latestJson, 'utf8')) as LatestRecord;
  const alone = [
    ...(latest.alone ?? []).filter((earlier) => !earlier.filter.some((id) => record.filter.includes(id))),
    withRatios(record),
  ];
  fs.writeFileSync(latestJson, `${JSON.stringify({ ...latest, alone }, null, 2)}\n`);
  fs.writeFileSync(md, renderMarkdown(latest, alone));
  return { json: latestJson, md };
}

function renderMarkdown(record: RunRecord, alone: RunRecord[]): string {
  const rows = record.cases.flatMap((c) => c.rows);
  const m = record.machine;
  const caseNotes = (c: CaseResult, heading: string) => [
    heading,
    '',
    ...(c.error ? [`**failed:** ${c.error}`, ''] : []),
    ...c.notes.map((note) => `- ${note}`),
    '',
  ];
  const text = [
    '# pasv vs lftp — latest `npm run bench`',
    '',
    machineLine(record),
    '',
    markdownTable(rows),
    '',
    ...alone.flatMap((run) => [
      `## Run alone: case ${run.filter.join(', ')}, ${run.machine.date.slice(0, 10)}`,
      '',
      `\`npm run bench -- ${run.filter.join(' ')} --into-latest\`, by itself, after the full run above: its numbers ` +
        'come from this run only (same method, same machine); compare its ratios, not its times with the table above.',
      '',
      machineLine(run),
      '',
      markdownTable(run.cases.flatMap((c) => c.rows)),
      '',
    ]),
    '## Method',
    '',
    '- Every case starts its own fresh servers: vsftpd 3.0 on 127.0.0.2 (source) and 127.0.0.3 (destination) with FXP allowed ' +
      "and every command logged, or pasv's embedded server where a throttle or many connections are needed (e, g).",
    '- pasv and lftp run alternately on the same pair, who goes first rotating per run; the destination is emptied before ' +
      'every run; the table shows medians. ratio = pasv / lftp (lower is better for pasv); "(ref.)" marks an lftp number ' +
      'measured differently, given for orientation only.',
    '- Case a also runs a floor (bench/floor.ts) in the same rotation: a minimal FXP controller on raw sockets that sends ' +
      'per file only PASV, PORT, RETR and STOR, the limit for any controller on these servers. Rows "(diagnostic) floor" ' +
      'hold it in the pasv column; rows "(vs floor)" hold it in the lftp column (ratio = pasv / floor).',
    '- Case j measures pasv against itself: PostgreSQL in the pasv column, SQLite in the lftp column (ratio = ' +
      'PostgreSQL / SQLite) for the same copy on the same servers; its dispatch rows put 3 workers in the pasv column ' +
      'against 1 worker in the lftp column (ratio = the gain from the extra workers).',
    '- Every small-file copy leaves a socket in TIME_WAIT for 60 s; counts before and after each run are in latest.json ' +
      '(`timeWaitBefore`/`timeWaitAfter`) and summarised in the notes. The kernel reuses them for loopback connections ' +
      `(tcp_tw_reuse ${m.tcpTwReuse}).`,
    '- The machine is shared: each case notes the load average while it ran. Numbers on a busy 2-core machine move by ' +
      '±30 % from run to run; compare ratios from the same run, not absolute times between runs.',
    '- lftp runs under /usr/bin/time (its own CPU and maxrss) with `ftp:use-stat no` (vsftpd answers its STAT during a ' +
      'long FXP with "500 Unknown command", which lftp treats as fatal), one try, no retries.',
    '',
    '## Notes',
    '',
    ...record.cases.flatMap((c) => caseNotes(c, `### ${c.id}. ${c.title}`)),
    ...alone.flatMap((run) =>
      run.cases.flatMap((c) => caseNotes(c, `### ${c.id}. ${c.title} (run alone, ${run.machine.date.slice(0, 10)})`)),
    ),
  ].join('\n');
  return text;
}
