/**
 * h. A mirror job against `lftp mirror` on the same vsftpd pair, 1000 × 4 KiB in 50 folders:
 * (i) the first sync into an empty destination, (ii) a re-sync of the unchanged tree (the
 * compare alone), (iii) a re-sync after 100 files (10 %) changed content and size. Each tool
 * runs i → ii → iii in turn, who goes first alternating per repetition; the source is put
 * back after iii, so both face the same change. pasv runs its job through the HTTP API, a
 * fresh backend (same data dir, so the same job and its history) per run: cold sessions,
 * as lftp logs in afresh every time.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Job, LiveEvent, Run, Transfer } from '../../contract/index.js';
import { startBenchApp, type BenchApp } from '../app.js';
import { ftpUrl, runLftp } from '../lftp.js';
import { KiB, log, median, nowMs, sampled, type Sample } from '../measure.js';
import type { CaseResult, Row } from '../report.js';
import { commandLog, makeDirectory, startVsftpdPair, writeSmallFiles, type ServerPair } from '../servers.js';

const FOLDERS = 50;
const FILES_PER_FOLDER = 20;
const FILES = FOLDERS * FILES_PER_FOLDER;
const SIZE = 4 * KiB;
/** 10 %: every tenth file, two in each folder. */
const CHANGED = FILES / 10;
const CHANGED_SIZE = SIZE + 512;
/** lftp mirror --parallel and pasv's per-site connection limit. */
const PARALLEL = 4;
const TREE = 'tree';
const RUN_TIMEOUT_MS = 180_000;
const FINISHED = new Set<Run['state']>(['done', 'failed', 'cancelled']);

export type MirrorPhase = 'first' | 'unchanged' | 'changed';
const PHASES: MirrorPhase[] = ['first', 'unchanged', 'changed'];
const LABEL: Record<MirrorPhase, string> = {
  first: 'h. mirror (i) first sync, 1000 × 4 KiB in 50 folders',
  unchanged: 'h. mirror (ii) re-sync, unchanged (compare only)',
  changed: 'h. mirror (iii) re-sync, 10 % changed',
};
/** Files each phase must copy, both tools. */
const EXPECTED_COPIES: Record<MirrorPhase, number> = { first: FILES, unchanged: 0, changed: CHANGED };

export interface MirrorOptions {
  runs: number;
}

// ---- the tree --------------------------------------------------------------------------

interface TreeFile {
  size: number;
  sha256: string;
  mtimeMs: number;
}

const folderName = (i: number) => `d${String(i).padStart(2, '0')}`;

/** The source tree; every file dated two hours back (whole seconds), as a tree at rest would be. */
function writeSourceTree(pair: ServerPair): string[] {
  makeDirectory(pair.source, TREE);
  const files: string[] = [];
  for (let d = 0; d < FOLDERS; d++) {
    writeSmallFiles(pair.source, `${TREE}/${folderName(d)}`, FILES_PER_FOLDER, SIZE);
    for (let f = 0; f < FILES_PER_FOLDER; f++) files.push(`${folderName(d)}/f${String(f).padStart(5, '0')}.bin`);
  }
  const at = new Date(Math.floor(Date.now() / 1000) * 1000 - 2 * 3600_000);
  for (const file of files) fs.utimesSync(path.join(pair.source.root, TREE, file), at, at);
  return files;
}

/** Every file under `root` by relative path, and the folders. */
function readTree(root: string): { files: Map<string, TreeFile>; folders: Set<string> } {
  const files = new Map<string, TreeFile>();
  const folders = new Set<string>();
  const walk = (relative: string) => {
    const dir = path.join(root, relative);
    if (!fs.existsSync(dir)) return;
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const child = relative ? `${relative}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        folders.add(child);
        walk(child);
      } else {
        const full = path.join(root, child);
        const stat = fs.statSync(full);
        const sha256 = crypto.createHash('sha256').update(fs.readFileSync(full)).digest('hex');
        files.set(child, { size: stat.size, sha256, mtimeMs: stat.mtimeMs });
      }
    }
  };
  walk('');
  return { files, folders };
}

/** Throws unless the destination's tree holds exactly the source's files, byte for byte (all of them hashed). */
function checkIdentical(pair: ServerPair): Map<string, TreeFile> {
  const source = readTree(path.join(pair.source.root, TREE));
  const destination = readTree(path.join(pair.destination.root, TREE));
  const problems: string[] = [];
  for (const [name, file] of source.files) {
    const copy = destination.files.get(name);
    if (!copy) problems.push(`${name} missing`);
    else if (copy.size !== file.size) problems.push(`${name} is ${copy.size} bytes, not ${file.size}`);
    else if (copy.sha256 !== file.sha256) problems.push(`${name} differs in content`);
  }
  for (const name of destination.files.keys()) if (!source.files.has(name)) problems.push(`${name} is extra`);
  for (const name of source.folders) if (!destination.folders.has(name)) problems.push(`folder ${name} missing`);
  if (problems.length > 0) {
    throw new Error(
      `the destination tree is not the source's: ${problems.length} problems (${problems.slice(0, 5).join('; ')})`,
    );
  }
  return destination.files;
}

/** Destination files whose modification time moved since `before`: what was written again. */
function rewritten(before: Map<string, TreeFile>, after: Map<string, TreeFile>): string[] {
  return [...after].filter(([name, file]) => before.get(name)?.mtimeMs !== file.mtimeMs).map(([name]) => name);
}

/** The 10 % change: the same files, the same new bytes for both tools; restore() puts the source back. */
function changeSet(pair: ServerPair, files: string[]) {
  const chosen = files.filter((_, i) => i % 10 === 3);
  const full = (name: string) => path.join(pair.source.root, TREE, name);
  const originals = new Map(
    chosen.map((name) => [name, { bytes: fs.readFileSync(full(name)), at: fs.statSync(full(name)).mtime }]),
  );
  const replacements = new Map(chosen.map((name) => [name, crypto.randomBytes(CHANGED_SIZE)]));
  let applied = false;
  return {
    names: chosen,
    /** New content and size, dated now (as an edit would). */
    apply() {
      for (const [name, bytes] of replacements) fs.writeFileSync(full(name), bytes);
      applied = true;
    },
    restore() {
      if (!applied) return;
      for (const [name, original] of originals) {
        fs.writeFileSync(full(name), original.bytes);
        fs.utimesSync(full(name), original.at, original.at);
      }
      applied = false;
    },
  };
}

/** Commands both servers received, by verb. */
function sumCounts(counts: Record<string, number>[]): Record<string, number> {
  const total: Record<string, number> = {};
  for (const side of counts) for (const [verb, n] of Object.entries(side)) total[verb] = (total[verb] ?? 0) + n;
  return total;
}

// ---- pasv -------------------------------------------------------------------------------

interface TimedLine {
  at: number;
  sessionId: string;
  site: 'src' | 'dst';
  direction: 'sent' | 'received';
  line: string;
}

/** Watches one backend's event bus: final run states (so no polling skews the times) and every protocol line. */
function watchBackend(app: BenchApp, siteLabel: (siteId: string) => 'src' | 'dst') {
  const settled = new Map<string, Run>();
  const waiters = new Map<string, (run: Run) => void>();
  const lines: TimedLine[] = [];
  const onEvent = (event: LiveEvent) => {
    if (event.type === 'log') {
      lines.push({
        at: Date.parse(event.at),
        sessionId: event.sessionId,
        site: siteLabel(event.siteId),
        direction: event.direction,
        line: event.line,
      });
    } else if (event.type === 'run.updated' && FINISHED.has(event.run.state)) {
      settled.set(event.run.id, event.run);
      waiters.get(event.run.id)?.(event.run);
    }
  };
  app.app.services.events.on('event', onEvent);
  return {
    lines,
    /** The run in its final state and how we learnt it: the run.updated event, or GET /api/runs/:id (a safety net every 250 ms). */
    finished(id: string): Promise<{ run: Run; via: 'event' | 'poll' }> {
      const known = settled.get(id);
      if (known) return Promise.resolve({ run: known, via: 'event' });
      return new Promise((resolve, reject) => {
        const finish = (outcome: { run: Run; via: 'event' | 'poll' } | Error) => {
          clearTimeout(deadline);
          clearInterval(poll);
          waiters.delete(id);
          if (outcome instanceof Error) reject(outcome);
          else resolve(outcome);
        };
        const deadline = setTimeout(
          () => finish(new Error(`run ${id} not finished after ${RUN_TIMEOUT_MS} ms`)),
          RUN_TIMEOUT_MS,
        );
        const poll = setInterval(() => {
          app.request<Run>('GET', `/api/runs/${id}`).then(
            (run) => FINISHED.has(run.state) && finish({ run, via: 'poll' }),
            (error: unknown) => finish(error instanceof Error ? error : new Error(String(error))),
          );
        }, 250);
        waiters.set(id, (run) => finish({ run, via: 'event' }));
      });
    },
    stop() {
      app.app.services.events.off('event', onEvent);
    },
  };
}

const LOGIN_VERBS = new Set([
  'USER',
  'PASS',
  'FEAT',
  'TYPE',
  'OPTS',
  'SYST',
  'PWD',
  'AUTH',
  'PBSZ',
  'PROT',
  'CLNT',
  'QUIT',
  'NOOP',
]);

/**
 * Where a pasv run's time went, from its protocol lines: sessions per site, when the logins
 * ended, when the listing started and ended, the commands per listed folder, the tail after it.
 */
function describeTimeline(
  lines: TimedLine[],
  postedAtWall: number,
  totalMs: number,
): { text: string; sessions: Record<string, number> } {
  const rel = (at: number) => Math.round(at - postedAtWall);
  const parts: string[] = [];
  const sessions: Record<string, number> = {};
  for (const site of ['src', 'dst'] as const) {
    const ofSite = lines.filter((l) => l.site === site);
    const ids = [...new Set(ofSite.map((l) => l.sessionId))];
    sessions[site] = ids.length;
    if (ofSite.length === 0) {
      parts.push(`${site}: no protocol lines`);
      continue;
    }
    const sent = ofSite.filter((l) => l.direction === 'sent');
    const verbs: Record<string, number> = {};
    for (const l of sent) {
      const verb = l.line.split(' ')[0]!.toUpperCase();
      verbs[verb] = (verbs[verb] ?? 0) + 1;
    }
    const loggedIn = ofSite.filter((l) => l.direction === 'received' && /^230[ -]/.test(l.line)).map((l) => l.at);
    const listings = sent.filter((l) => /^(LIST|MLSD|NLST)\b/i.test(l.line));
    const work = sent.filter((l) => !LOGIN_VERBS.has(l.line.split(' ')[0]!.toUpperCase()));
    const lastReceived = ofSite.filter((l) => l.direction === 'received').at(-1)?.at;
    // Per session: its first line (the greeting) → its 230, and the folders it listed.
    const perSession = ids.map((id) => {
      const own = ofSite.filter((l) => l.sessionId === id);
      const login = own.find((l) => l.direction === 'received' && /^230[ -]/.test(l.line));
      const listed = own.filter((l) => l.direction === 'sent' && /^(LIST|MLSD|NLST)\b/i.test(l.line)).length;
      return `${rel(own[0]!.at)}→${login ? rel(login.at) : '-'}:${listed}`;
    });
    parts.push(
      `${site}: ${ids.length} sessions, first line +${rel(ofSite[0]!.at)} ms, ` +
        `logged in +${loggedIn.length ? `${rel(Math.min(...loggedIn))}…${rel(Math.max(...loggedIn))}` : '?'} ms, ` +
        (listings.length
          ? `${listings.length} listings from +${rel(listings[0]!.at)} to +${rel(listings.at(-1)!.at)} ms, ` +
            `${(work.length / listings.length).toFixed(1)} commands per listed folder besides the logins, `
          : 'no listings, ') +
        `last reply +${lastReceived === undefined ? '?' : rel(lastReceived)} ms; ` +
        `per session first line→230:listings ${perSession.join(' ')}; sent ${JSON.stringify(verbs)}`,
    );
  }
  parts.push(`final state after ${totalMs.toFixed(0)} ms`);
  return { text: parts.join('; '), sessions };
}

/**
 * pasv's side of one repetition: a data dir of its own holding the two sites and the job;
 * every run in a backend started for it on that dir and closed after it (cold sessions).
 */
class PasvMirror {
  private constructor(
    private readonly pair: ServerPair,
    private readonly dataDir: string,
    private readonly jobId: string,
    private readonly siteIds: { source: string; destination: string },
  ) {}

  static async prepare(pair: ServerPair): Promise<PasvMirror> {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pasv-bench-mirror-'));
    try {
      const app = await PasvMirror.backend(dataDir);
      try {
        const { source, destination } = await app.addPair(pair, PARALLEL);
        const job = await app.request<Job>('POST', '/api/jobs', {
          name: 'bench mirror',
          source: { siteId: source, dir: `/${TREE}` },
          destination: { siteId: destination, dir: `/${TREE}` },
          rules: { compareBy: 'size+time' },
        });
        return new PasvMirror(pair, dataDir, job.id, { source, destination });
      } finally {
        await app.close();
      }
    } catch (error) {
      fs.rmSync(dataDir, { recursive: true, force: true });
      throw error;
    }
  }

  private static backend(dataDir: string): Promise<BenchApp> {
    return startBenchApp({ PASV_DATA_DIR: dataDir, PASV_CONCURRENCY: String(PARALLEL) });
  }

  /**
   * Diagnostic: the job once more on a fresh backend with both sites limited to `limit`
   * connections (cold, like run()), then the limit put back.
   */
  async runLimited(phase: MirrorPhase, limit: number): Promise<Measured> {
    const app = await PasvMirror.backend(this.dataDir);
    const setLimit = async (maxConnections: number) => {
      for (const id of [this.siteIds.source, this.siteIds.destination]) {
        await app.request('PATCH', `/api/sites/${id}`, { maxConnections });
      }
    };
    try {
      await setLimit(limit);
      return await this.runOnce(app, phase);
    } finally {
      await setLimit(PARALLEL).catch(() => undefined);
      await app.close();
    }
  }

  /** Runs the job once (twice for `warmRepeat`: the second on the same backend, sessions warm). */
  async run(phase: MirrorPhase, warmRepeat = false): Promise<{ cold: Measured; warm?: Measured }> {
    const app = await PasvMirror.backend(this.dataDir);
    try {
      const cold = await this.runOnce(app, phase);
      const warm = warmRepeat ? await this.runOnce(app, phase) : undefined;
      return { cold, ...(warm ? { warm } : {}) };
    } finally {
      await app.close();
    }
  }

  private async runOnce(app: BenchApp, phase: MirrorPhase): Promise<Measured> {
    const label = (siteId: string) => (siteId === this.siteIds.source ? 'src' : 'dst');
    const watcher = watchBackend(app, label);
    const logs = [commandLog(this.pair.source), commandLog(this.pair.destination)];
    logs.forEach((l) => l.mark());
    const before = readTree(path.join(this.pair.destination.root, TREE)).files;
    try {
      const cpu = process.cpuUsage();
      const postedAtWall = Date.now();
      const startedAt = nowMs();
      const accepted = await app.request<Run>('POST', `/api/jobs/${this.jobId}/run`, {});
      const acceptedMs = nowMs() - startedAt;
      const { run, via } = await watcher.finished(accepted.id);
      const value = nowMs() - startedAt;
      const used = process.cpuUsage(cpu);
      const commands = sumCounts(logs.map((l) => l.counts()));
      const timeline = describeTimeline(watcher.lines, postedAtWall, value);
      const problems: string[] = [];
      if (run.state !== 'done') {
        problems.push(`run ended ${run.state}${run.error ? `: ${run.error.code} ${run.error.message}` : ''}`);
      }
      const copies = commands.STOR ?? 0;
      if (copies !== EXPECTED_COPIES[phase])
        problems.push(`${copies} STOR at the destination, expected ${EXPECTED_COPIES[phase]}`);
      const c = run.counts;
      // counts may or may not count the 50 folders besides the 1000 files: both accepted, the number is noted.
      const files = (n: number, expected: number) => n === expected || n === expected + FOLDERS;
      if (phase === 'first' && !(files(c.new, FILES) && c.changed === 0))
        problems.push(`counts ${JSON.stringify(c)}, expected new = ${FILES}`);
      if (phase === 'unchanged') {
        if (run.transferId !== undefined)
          problems.push(`a transfer was created (${run.transferId}) for an unchanged tree`);
        if (!(files(c.same, FILES) && c.new === 0 && c.changed === 0))
          problems.push(`counts ${JSON.stringify(c)}, expected same = ${FILES}`);
      }
      if (phase === 'changed' && !(c.changed === CHANGED && c.new === 0 && files(c.same, FILES - CHANGED))) {
        problems.push(`counts ${JSON.stringify(c)}, expected changed = ${CHANGED}, same = ${FILES - CHANGED}`);
      }
      let transfer: Transfer | undefined;
      if (run.transferId !== undefined) {
        transfer = await app.request<Transfer>('GET', `/api/transfers/${run.transferId}`).catch(() => undefined);
        if (transfer && transfer.filesDone !== EXPECTED_COPIES[phase]) {
          problems.push(`its transfer copied ${transfer.filesDone} files, expected ${EXPECTED_COPIES[phase]}`);
        }
      } else if (phase !== 'unchanged') {
        problems.push('the run has no transferId');
      }
      let after: Map<string, TreeFile> | undefined;
      try {
        after = checkIdentical(this.pair);
      } catch (error) {
        problems.push((error as Error).message);
      }
      const written = after ? rewritten(before, after).length : null;
      if (written !== null && written !== EXPECTED_COPIES[phase]) {
        problems.push(`${written} destination files were written, expected ${EXPECTED_COPIES[phase]}`);
      }
      if (problems.length > 0) {
        const context = `run ${run.id} (${run.state}, counts ${JSON.stringify(c)}, notes ${JSON.stringify(run.notes)})`;
        throw new Error(`pasv ${phase}: ${problems.join('; ')} — ${context}`);
      }
      return {
        value,
        cpuMs: (used.user + used.system) / 1000,
        acceptedMs,
        serverMs: run.finishedAt ? Date.parse(run.finishedAt) - Date.parse(run.startedAt) : null,
        via,
        counts: c,
        notes: run.notes,
        commands,
        timeline: timeline.text,
        sessions: timeline.sessions,
        copied: copies,
      };
    } finally {
      watcher.stop();
    }
  }

  dispose(): void {
    fs.rmSync(this.dataDir, { recursive: true, force: true });
  }
}

type Measured = { value: number } & Record<string, unknown>;

// ---- lftp -------------------------------------------------------------------------------

async function lftpRun(pair: ServerPair, phase: MirrorPhase): Promise<Measured> {
  const logs = [commandLog(pair.source), commandLog(pair.destination)];
  logs.forEach((l) => l.mark());
  const before = readTree(path.join(pair.destination.root, TREE)).files;
  const result = await runLftp([
    'set ftp:use-fxp yes',
    'set ftp:fxp-force yes',
    // --verbose names every file it transfers; the compare is mirror's default (size and time).
    `mirror --verbose --parallel=${PARALLEL} ${ftpUrl(pair.source, `/${TREE}`)} ${ftpUrl(pair.destination, `/${TREE}`)}`,
  ]);
  const commands = sumCounts(logs.map((l) => l.counts()));
  const transferred = result.stdout.split('\n').filter((line) => line.startsWith('Transferring file')).length;
  const problems: string[] = [];
  if (transferred !== EXPECTED_COPIES[phase])
    problems.push(`it says it transferred ${transferred} files, expected ${EXPECTED_COPIES[phase]}`);
  const copies = commands.STOR ?? 0;
  if (copies !== EXPECTED_COPIES[phase])
    problems.push(`${copies} STOR at the destination, expected ${EXPECTED_COPIES[phase]}`);
  const after = checkIdentical(pair);
  const written = rewritten(before, after).length;
  if (written !== EXPECTED_COPIES[phase])
    problems.push(`${written} destination files were written, expected ${EXPECTED_COPIES[phase]}`);
  if (problems.length > 0) throw new Error(`lftp ${phase}: ${problems.join('; ')}`);
  return {
    value: result.wallMs,
    cpuMs: result.userMs + result.sysMs,
    maxRssKiB: result.maxRssKiB,
    commands,
    copied: copies,
  };
}

// ---- the servers' own cost -----------------------------------------------------------------

/** One bare login on a plain socket (greeting, USER, PASS → 230, QUIT): ms until the 230. */
function bareLogin(server: ServerPair['source']): Promise<number> {
  return new Promise((resolve, reject) => {
    const startedAt = nowMs();
    const socket = net.connect(server.port, server.host);
    const timer = setTimeout(() => socket.destroy(new Error('no 230 within 10 s')), 10_000);
    let buffered = '';
    let step = 0;
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      buffered += chunk;
      for (let end = buffered.indexOf('\r\n'); end >= 0; end = buffered.indexOf('\r\n')) {
        const line = buffered.slice(0, end);
        buffered = buffered.slice(end + 2);
        if (!/^\d{3} /.test(line)) continue;
        if (step === 0) socket.write(`USER ${server.user}\r\n`);
        else if (step === 1) socket.write(`PASS ${server.password}\r\n`);
        else {
          clearTimeout(timer);
          if (!line.startsWith('230')) reject(new Error(`login refused: ${line}`));
          else resolve(nowMs() - startedAt);
          socket.end('QUIT\r\n');
        }
        step++;
      }
    });
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

/**
 * What logging in costs on this pair, without either tool: one login alone, then 4 + 4 at
 * once (as a cold run with 4 sessions a side needs). vsftpd checks the password through PAM
 * on the same 2 cores, so concurrent logins queue for CPU.
 */
async function loginCost(pair: ServerPair): Promise<{ oneMs: number; eightMs: number }> {
  const oneMs = await bareLogin(pair.source);
  const startedAt = nowMs();
  await Promise.all(
    Array.from({ length: 2 * PARALLEL }, (_, i) => bareLogin(i % 2 === 0 ? pair.source : pair.destination)),
  );
  return { oneMs, eightMs: nowMs() - startedAt };
}

// ---- the case -----------------------------------------------------------------------------

export async function mirror(options: MirrorOptions): Promise<CaseResult> {
  const samples: Sample[] = [];
  const failures: string[] = [];
  const loginSamples: { oneMs: number; eightMs: number }[] = [];
  const pair = await startVsftpdPair();
  try {
    const files = writeSourceTree(pair);
    const change = changeSet(pair, files);
    for (let run = 0; run < options.runs; run++) {
      const logins = await loginCost(pair);
      loginSamples.push(logins);
      log(
        `h run ${run}: a bare login ${logins.oneMs.toFixed(0)} ms, ${2 * PARALLEL} at once ${logins.eightMs.toFixed(0)} ms`,
      );
      const order = run % 2 === 0 ? (['pasv', 'lftp'] as const) : (['lftp', 'pasv'] as const);
      for (const tool of order) {
        pair.wipeDestination();
        makeDirectory(pair.destination, TREE);
        let pasv: PasvMirror | null = null;
        try {
          if (tool === 'pasv') pasv = await PasvMirror.prepare(pair);
          for (const phase of PHASES) {
            if (phase === 'changed') change.apply();
            let warm: Measured | undefined;
            const sample = await sampled(run, tool, async () => {
              if (!pasv) return lftpRun(pair, phase);
              const measured = await pasv.run(phase, phase === 'unchanged');
              warm = measured.warm;
              return measured.cold;
            });
            sample.phase = phase;
            sample.variant = tool === 'pasv' ? 'cold' : 'lftp';
            samples.push(sample);
            log(
              `h run ${run} ${tool} ${phase}: ${sample.value.toFixed(0)} ms (TIME_WAIT ${sample.timeWaitBefore} → ${sample.timeWaitAfter})`,
            );
            if (warm) {
              samples.push({
                ...warm,
                run,
                tool,
                phase,
                variant: 'warm',
                timeWaitBefore: sample.timeWaitAfter,
                timeWaitAfter: sample.timeWaitAfter,
                load: sample.load,
              });
              log(`h run ${run} pasv ${phase} again, warm sessions: ${warm.value.toFixed(0)} ms`);
            }
            if (pasv && phase === 'unchanged') {
              // Do the 3 extra sessions a side pay for their logins on a cold compare of 51 folders?
              const one = await sampled(run, 'pasv', () => pasv!.runLimited(phase, 1));
              samples.push({ ...one, phase, variant: 'one-session' });
              log(`h run ${run} pasv ${phase}, cold, one session a side: ${one.value.toFixed(0)} ms`);
            }
            change.restore();
          }
        } catch (error) {
          change.restore();
          // A pasv failure is a finding to report, not a reason to lose lftp's numbers.
          if (tool !== 'pasv') throw error;
          const message = error instanceof Error ? error.message : String(error);
          log(`h run ${run} pasv failed: ${message}`);
          failures.push(`run ${run}: ${message}`);
        } finally {
          pasv?.dispose();
        }
      }
    }
  } finally {
    pair.wipeDestination();
    await pair.stop();
  }
  return summarize(samples, failures, loginSamples, options);
}

function summarize(
  samples: Sample[],
  failures: string[],
  logins: { oneMs: number; eightMs: number }[],
  options: MirrorOptions,
): CaseResult {
  const of = (variant: string, phase: MirrorPhase) => samples.filter((s) => s.variant === variant && s.phase === phase);
  const values = (s: Sample[]) => s.map((x) => x.value);
  const best = (s: Sample[]) => (s.length ? Math.min(...values(s)) : null);
  const mid = (s: Sample[]) => (s.length ? median(values(s)) : null);
  const rows: Row[] = [];
  for (const phase of PHASES) {
    const pasv = of('cold', phase);
    const lftp = of('lftp', phase);
    const pasvMedian = mid(pasv);
    const lftpMedian = mid(lftp);
    const judged = phase === 'unchanged' && pasvMedian !== null && lftpMedian !== null;
    rows.push(
      {
        case: `${LABEL[phase]}: median`,
        pasv: pasvMedian,
        lftp: lftpMedian,
        unit: 'ms',
        target: phase === 'unchanged' ? '≤ 0.5 × lftp' : '—',
        met: judged ? pasvMedian! <= 0.5 * lftpMedian! : null,
      },
      { case: `${LABEL[phase]}: best`, pasv: best(pasv), lftp: best(lftp), unit: 'ms', target: '—', met: null },
    );
  }
  const warm = of('warm', 'unchanged');
  rows.push({
    case: 'h. (diagnostic) (ii) pasv again on warm sessions: median',
    pasv: mid(warm),
    lftp: mid(of('lftp', 'unchanged')),
    unit: 'ms',
    target: '—',
    met: null,
  });

  rows.push({
    case: 'h. (diagnostic) (ii) pasv cold, sites limited to 1 connection: median',
    pasv: mid(of('one-session', 'unchanged')),
    lftp: mid(of('lftp', 'unchanged')),
    unit: 'ms',
    target: '—',
    met: null,
  });

  const list = (s: Sample[]) => s.map((x) => x.value.toFixed(0)).join(', ') || '—';
  const middle = (s: Sample[]) => [...s].sort((x, y) => x.value - y.value)[Math.floor(s.length / 2)];
  const commands = (s: Sample[]) => JSON.stringify(middle(s)?.commands ?? {});
  const cpu = (s: Sample[]) => (s.length ? median(s.map((x) => x.cpuMs as number)).toFixed(0) : '—');
  const notes: string[] = [];
  for (const phase of PHASES) {
    const pasv = of('cold', phase);
    const lftp = of('lftp', phase);
    notes.push(
      `${LABEL[phase].slice(3)}: pasv ${list(pasv)} ms; lftp ${list(lftp)} ms (${options.runs} repetitions). ` +
        `CPU per run (median): pasv ${cpu(pasv)} ms (in-process backend: HTTP, compare, queue, SQLite, events, FTP), lftp ${cpu(lftp)} ms. ` +
        `Commands, both servers, median run: pasv ${commands(pasv)}; lftp ${commands(lftp)}.`,
    );
  }
  const unchanged = of('cold', 'unchanged');
  const median2 = middle(unchanged);
  if (median2) {
    notes.push(
      `pasv (ii), the median run: POST answered in ${(median2.acceptedMs as number).toFixed(0)} ms, the run's own startedAt→finishedAt ` +
        `${median2.serverMs ?? '?'} ms, final state seen by ${median2.via}; counts ${JSON.stringify(median2.counts)}; notes ${JSON.stringify(median2.notes)}. ` +
        `Timeline (ms after the POST): ${median2.timeline as string}.`,
    );
  }
  const warmMiddle = middle(warm);
  if (warmMiddle) {
    notes.push(
      `pasv (ii) again right after, same backend, sessions warm: ${list(warm)} ms. Timeline of the median: ${warmMiddle.timeline as string}.`,
    );
  }
  const one = of('one-session', 'unchanged');
  const oneMiddle = middle(one);
  if (oneMiddle) {
    notes.push(
      `pasv (ii) cold with both sites limited to 1 connection (a fresh backend, the same job, PATCH /api/sites/:id maxConnections 1, ` +
        `put back to ${PARALLEL} after): ${list(one)} ms. Timeline of the median: ${oneMiddle.timeline as string}.`,
    );
  }
  notes.push(
    `What the logins alone cost on this pair (bare sockets, neither tool, once per repetition): one login ` +
      `${logins.map((l) => l.oneMs.toFixed(0)).join(', ')} ms; ${2 * PARALLEL} at once (${PARALLEL} per server) ` +
      `${logins.map((l) => l.eightMs.toFixed(0)).join(', ')} ms until the last 230. Any cold run with ${PARALLEL} sessions a side pays about that.`,
  );
  const changedMiddle = middle(of('cold', 'changed'));
  if (changedMiddle)
    notes.push(
      `pasv (iii), the median run: counts ${JSON.stringify(changedMiddle.counts)}; timeline: ${changedMiddle.timeline as string}.`,
    );
  const firstMiddle = middle(of('cold', 'first'));
  if (firstMiddle) notes.push(`pasv (i), the median run: notes ${JSON.stringify(firstMiddle.notes)}.`);
  notes.push(
    `Checked after every run of both tools: the destination tree holds exactly the source's ${FILES} files and ${FOLDERS} folders, ` +
      `sizes and SHA-256 of every file equal; the destination received exactly ${FILES}, 0 and ${CHANGED} STOR (vsftpd's log) in i, ii and iii; ` +
      "in ii no destination file's mtime moved. pasv: the run ends done, (ii) has no transferId, counts new = changed = 0 and same = the 1000 files (pasv's counts include the 50 folders), " +
      '(iii) counts.changed = 100 and its transfer copied 100 files, exactly the changed files got a new mtime. lftp: `--verbose` names 1000, 0 and 100 transferred files, ' +
      'and in iii exactly the 100 changed files got a new mtime.',
    `Setup: ${FOLDERS} folders × ${FILES_PER_FOLDER} files of ${SIZE / KiB} KiB under /${TREE} on vsftpd 127.0.0.2, dated two hours back; ` +
      `/${TREE} on vsftpd 127.0.0.3 emptied before each (i). For (iii), files 3, 13, 23… (${CHANGED}, two per folder) get new random bytes ` +
      `(${CHANGED_SIZE} bytes, dated now), the same bytes for both tools, and are put back (content and time) after the run. ` +
      'Neither tool can keep modification times on vsftpd (no MFMT, no SITE UTIME), so the destination files carry their upload times. ' +
      `Per repetition each tool does i → ii → iii, who goes first alternating.`,
    `pasv: site maxConnections ${PARALLEL}, PASV_CONCURRENCY=${PARALLEL}, one job (compareBy size+time) per repetition, POST /api/jobs/:id/run {} ` +
      'timed to the run.updated event with a final state (GET /api/runs/:id every 250 ms as a safety net); the in-process backend is ' +
      'restarted on its data dir before each run, so every run logs in afresh like lftp. ' +
      `lftp: \`mirror --verbose --parallel=${PARALLEL} ftp://…/${TREE} ftp://…/${TREE}\` with ftp:use-fxp yes, ftp:fxp-force yes; wall time of the process, logins included.`,
    `TIME_WAIT before each run: ${samples
      .filter((s) => s.variant !== 'warm')
      .map(
        (s) =>
          `${s.variant === 'lftp' ? 'lftp' : s.variant === 'one-session' ? 'pasv (1 session)' : 'pasv'} ${s.phase} ${s.timeWaitBefore}`,
      )
      .join(', ')}.`,
  );
  if (failures.length > 0) notes.unshift(...failures.map((f) => `pasv failed: ${f}`));
  return {
    id: 'h',
    title: 'mirror 1000 × 4 KiB in 50 folders: first sync, unchanged, 10 % changed',
    rows,
    samples,
    notes,
    details: { logins },
    ...(failures.length > 0
      ? { error: `pasv failed in ${failures.length} of ${options.runs} repetitions: ${failures[0]!.slice(0, 400)}` }
      : {}),
  };
}
