import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseListing } from '../server/src/ftp/listing.js';
import type { RunningFtpServer } from '../server/test/servers/index.js';
import { vsftpdListing } from './cases/listing.js';
import { median, type MachineInfo } from './measure.js';
import { summarizeProfile, type CpuProfile } from './profile.js';
import { formatValue, markdownTable, ratioOf, writeResults, type RunRecord, type Row } from './report.js';
import { commandLog } from './servers.js';
import { DataPhaseMeter, type TracedLine } from './trace.js';

describe('median', () => {
  it.each([
    [[3, 1, 2], 2],
    [[4, 1, 3, 2], 2.5],
    [[7], 7],
  ])('of %j is %d', (values, expected) => expect(median(values)).toBe(expected));

  it('of nothing is NaN', () => expect(median([])).toBeNaN());
});

describe('the results table', () => {
  const row = (extra: Partial<Row>): Row => ({
    case: 'x',
    pasv: 30,
    lftp: 60,
    unit: 'ms',
    target: '≤ 0.5 × lftp',
    met: true,
    ...extra,
  });

  it('gives pasv/lftp and marks a missed target', () => {
    const table = markdownTable([row({ met: false })]);
    expect(table).toContain('| x | 30 ms | 60 ms | 0.50 | ≤ 0.5 × lftp | **no** |');
  });

  it('gives no ratio for a reference number or a missing peer', () => {
    expect(ratioOf(row({ lftpReference: true }))).toBeNull();
    expect(ratioOf(row({ lftp: null }))).toBeNull();
    expect(markdownTable([row({ lftpReference: true, met: null })])).toContain(
      '| x | 30 ms | 60 ms (ref.) | — | ≤ 0.5 × lftp | n/a |',
    );
  });

  it.each([
    [1.234, 'ms', '1.23 ms'],
    [12_345, 'ms', '12.35 s'],
    [0.5, '% core', '0.50 %'],
    [12.34, '% core', '12.3 %'],
    [108.06, 'MiB', '108.1 MiB'],
    [1.456, '×', '1.46 ×'],
    [null, 'ms', '—'],
  ] as const)('formats %s %s as %s', (value, unit, text) => expect(formatValue(value, unit)).toBe(text));
});

describe('writeResults', () => {
  const machine = (date: string) => ({ date, cores: 2, loadAverageAtStart: [1, 1, 1] }) as unknown as MachineInfo;
  const record = (date: string, filter: string[], id: string, pasv: number): RunRecord => ({
    machine: machine(date),
    filter,
    durationMs: 1000,
    cases: [
      {
        id,
        title: `case ${id}`,
        rows: [{ case: `${id}. row`, pasv, lftp: 100, unit: 'ms', target: '—', met: null }],
        samples: [],
        notes: [`note of ${id} ${pasv}`],
      },
    ],
  });

  it('files a run of one case into latest.* apart from the full run, replacing its earlier one', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pasv-bench-report-'));
    try {
      writeResults(dir, record('2026-01-01T00:00:00.000Z', [], 'a', 50));
      const full = fs.readFileSync(path.join(dir, 'latest.md'), 'utf8');
      expect(writeResults(dir, record('2026-01-02T00:00:00.000Z', ['h'], 'h', 70)).md).toBeNull();
      expect(fs.readFileSync(path.join(dir, 'latest.md'), 'utf8')).toBe(full);

      writeResults(dir, record('2026-01-02T00:00:00.000Z', ['h'], 'h', 80), { intoLatest: true });
      writeResults(dir, record('2026-01-03T00:00:00.000Z', ['h'], 'h', 90), { intoLatest: true });
      const md = fs.readFileSync(path.join(dir, 'latest.md'), 'utf8');
      expect(md.startsWith(full.slice(0, full.indexOf('## Method')))).toBe(true);
      expect(md).toContain('## Run alone: case h, 2026-01-03');
      expect(md).toContain('| h. row | 90 ms | 100 ms | 0.90 | — | n/a |');
      expect(md).toContain('- note of h 90');
      expect(md).not.toContain('80 ms');
      const json = JSON.parse(fs.readFileSync(path.join(dir, 'latest.json'), 'utf8')) as {
        filter: string[];
        alone: RunRecord[];
      };
      expect(json.filter).toEqual([]);
      expect(json.alone.map((r) => r.machine.date)).toEqual(['2026-01-03T00:00:00.000Z']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('summarizeProfile', () => {
  const frame = (functionName: string, url = '', lineNumber = 0) => ({
    functionName,
    url,
    lineNumber,
    columnNumber: 0,
  });
  const profile: CpuProfile = {
    nodes: [
      { id: 1, callFrame: frame('(root)'), children: [2, 5, 6] },
      { id: 2, callFrame: frame('flush', 'file:///work/main/server/src/http/hub.ts', 9), children: [3] },
      { id: 3, callFrame: frame('send', 'node:internal/streams/writable', 1), children: [4] },
      { id: 4, callFrame: frame('writev') },
      { id: 5, callFrame: frame('(idle)') },
      { id: 6, callFrame: frame('dispatch') },
    ],
    samples: [4, 4, 4, 2, 5, 6, 6],
    timeDeltas: [1000, 1000, 1000, 1000, 5000, 9000, 9000],
  };

  it('charges a native call to our file that made it, and leaves out the inspector', () => {
    const summary = summarizeProfile(profile);
    expect(summary.total).toBe(9);
    expect(summary.files).toEqual([
      { name: '(idle)', ms: 5, percent: 55.6 },
      { name: 'server/src/http/hub.ts', ms: 4, percent: 44.4 },
    ]);
    expect(summary.functions).toEqual([
      { name: '(idle)', ms: 5, percent: 55.6 },
      { name: 'writev (native, from server/src/http/hub.ts)', ms: 3, percent: 33.3 },
      { name: 'flush server/src/http/hub.ts:10', ms: 1, percent: 11.1 },
    ]);
  });
});

describe('DataPhaseMeter', () => {
  it('times STOR/RETR to the second final reply, ignoring control replies', () => {
    const meter = new DataPhaseMeter();
    const line = (direction: 'sent' | 'received', text: string, atMs: number): TracedLine => ({
      direction,
      line: text,
      at: 0,
      atMs,
      session: 's',
    });
    [
      line('sent', 'PASV', 0),
      line('received', '227 Entering Passive Mode (127,0,0,3,4,1).', 1),
      line('sent', 'STOR /a', 2),
      line('sent', 'RETR /a', 2.5),
      line('received', '150 Ok to send data.', 3),
      line('received', '226 Transfer complete.', 6),
      line('received', '226 Transfer complete.', 7),
      line('sent', 'SIZE /a', 8),
      line('received', '213 4096', 9),
    ].forEach(meter.onLine);
    expect(meter).toMatchObject({ copies: 1, totalMs: 5 });
  });
});

describe('fixtures', () => {
  it('vsftpdListing writes lines that parseListing reads back, files and directories', () => {
    const { entries, rejected } = parseListing(vsftpdListing(500));
    expect(rejected).toBe(0);
    expect(entries).toHaveLength(500);
    expect(entries.filter((e) => e.type === 'dir')).toHaveLength(10);
    expect(entries[1]).toMatchObject({ name: 'entry 000001.dat', type: 'file', size: 7919 });
  });

  it('commandLog counts the verbs a vsftpd logged after mark()', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pasv-bench-test-'));
    try {
      const logFile = path.join(dir, 'vsftpd.log');
      const entry = (command: string) =>
        `Tue Nov 24 10:15:31 2026 [pid 1] [u] FTP command: Client "127.0.0.1", "${command}"\n`;
      fs.writeFileSync(logFile, entry('USER u'));
      const log = commandLog({ logFile } as RunningFtpServer);
      log.mark();
      fs.appendFileSync(
        logFile,
        entry('PASV') + entry('STOR /a') + entry('PASV') + 'Tue … FTP response: Client "127.0.0.1", "227 x"\n',
      );
      expect(log.counts()).toEqual({ PASV: 2, STOR: 1 });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
