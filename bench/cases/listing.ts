/**
 * f. A 100 000-entry directory: parse time of parseListing on vsftpd-style LIST text, and
 * serve time of GET /api/sites/:id/list on a vsftpd directory holding that many files
 * (warm shared session; timed until the JSON body is read). lftp's `cls` of the same
 * directory (logins included) is a reference. The UI's 10 000-entry rendering is measured
 * by the lead with Playwright: a placeholder row.
 */
import type { Listing } from '../../contract/index.js';
import { connectData, requestPassive } from '../../server/src/ftp/data.js';
import { parseListing } from '../../server/src/ftp/listing.js';
import { FtpSession } from '../../server/src/ftp/session.js';
import { BENCH_TOKEN, startBenchApp } from '../app.js';
import { ftpUrl, runLftp } from '../lftp.js';
import { log, median, nowMs, sampled, type Sample } from '../measure.js';
import { describeHotSpots, profileHere, saveProfile, summarizeProfile } from '../profile.js';
import type { CaseResult, Row } from '../report.js';
import { startVsftpdPair, writeEmptyFiles } from '../servers.js';

export interface ListingOptions {
  entries: number;
  /** Parse runs (cheap). */
  runs: number;
  /** Serve runs (each also times vsftpd's own LIST and lftp). */
  serveRuns: number;
}

/** vsftpd's own share: CWD, PASV, LIST and every byte read, nothing parsed. */
async function rawList(
  session: FtpSession,
  dir: string,
): Promise<{ firstByteMs: number; totalMs: number; bytes: number }> {
  const startedAt = nowMs();
  return session.task(async (task) => {
    await task.send('CWD', dir);
    const socket = await connectData(session, (await requestPassive(task)).endpoint);
    const command = task.transfer('LIST');
    let bytes = 0;
    let firstByteMs = 0;
    for await (const chunk of socket as AsyncIterable<Buffer>) {
      if (bytes === 0) firstByteMs = nowMs() - startedAt;
      bytes += chunk.length;
    }
    await command.done;
    return { firstByteMs, totalMs: nowMs() - startedAt, bytes };
  });
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** What vsftpd sends for LIST: `ls -l` lines with numeric owners, CRLF-terminated. */
export function vsftpdListing(entries: number): string {
  const lines: string[] = [];
  for (let i = 0; i < entries; i++) {
    const dir = i % 50 === 0;
    const size = String(dir ? 4096 : (i * 7919) % 10_000_000).padStart(12);
    const date =
      i % 3 === 0
        ? `${MONTHS[i % 12]} ${String((i % 28) + 1).padStart(2)}  2024`
        : `${MONTHS[i % 12]} ${String((i % 28) + 1).padStart(2)} ${String(i % 24).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}`;
    lines.push(
      `${dir ? 'd' : '-'}rw-r--r--    1 1000     1000     ${size} ${date} entry ${String(i).padStart(6, '0')}${dir ? '' : '.dat'}\r\n`,
    );
  }
  return lines.join('');
}

export async function listing(options: ListingOptions): Promise<CaseResult> {
  const samples: Sample[] = [];
  const notes: string[] = [];
  const profileNotes: string[] = [];

  // Parse: pure CPU, in this process.
  const text = vsftpdListing(options.entries);
  for (let run = 0; run < options.runs; run++) {
    const sample = await sampled(run, 'pasv', async () => {
      const startedAt = nowMs();
      const parsed = parseListing(text);
      const value = nowMs() - startedAt;
      if (parsed.entries.length !== options.entries)
        throw new Error(`parsed ${parsed.entries.length} of ${options.entries} entries`);
      return { value, what: 'parse' };
    });
    samples.push(sample);
  }
  const parseMs = median(samples.map((s) => s.value));
  log(`f parse: ${samples.map((s) => s.value.toFixed(0)).join(', ')} ms`);

  // Serve: over HTTP from a real vsftpd directory.
  const pair = await startVsftpdPair();
  const app = await startBenchApp();
  let bodyBytes = 0;
  try {
    const createdAt = nowMs();
    writeEmptyFiles(pair.source, 'many', options.entries);
    log(`f: created ${options.entries} files in ${((nowMs() - createdAt) / 1000).toFixed(1)} s`);
    const server = pair.source;
    const siteId = await app.addSite({
      name: 'many',
      host: server.host,
      port: server.port,
      user: server.user,
      password: server.password,
    });
    const get = async () => {
      const response = await fetch(`${app.baseUrl}/api/sites/${siteId}/list?path=/many`, {
        headers: { authorization: `Bearer ${BENCH_TOKEN}` },
      });
      const body = await response.text();
      if (!response.ok) throw new Error(`list: ${response.status} ${body.slice(0, 200)}`);
      bodyBytes = body.length;
      return (JSON.parse(body) as Listing).entries.length;
    };
    // Warm: the shared session logs in, vsftpd's directory is in the page cache.
    await get();
    const session = await FtpSession.connect({
      host: server.host,
      port: server.port,
      user: server.user,
      password: server.password,
      keepaliveMs: 0,
    });
    try {
      for (let run = 0; run < options.serveRuns; run++) {
        const raw = await sampled(run, 'pasv', async () => {
          const result = await rawList(session, '/many');
          return { value: result.totalMs, what: 'vsftpd LIST', firstByteMs: result.firstByteMs, bytes: result.bytes };
        });
        samples.push(raw);
        const sample = await sampled(run, 'pasv', async () => {
          const startedAt = nowMs();
          const count = await get();
          const value = nowMs() - startedAt;
          if (count !== options.entries) throw new Error(`served ${count} of ${options.entries} entries`);
          return { value, what: 'serve' };
        });
        samples.push(sample);
        const lftp = await sampled(run, 'lftp', async () => {
          const result = await runLftp([`open ${ftpUrl(server)}`, 'cls -1 /many/']);
          return { value: result.wallMs, what: 'lftp cls' };
        });
        samples.push(lftp);
      }
    } finally {
      await session.close();
    }
    // One more GET, profiled (client and server share this process; the client's share is the
    // fetch and JSON.parse in bench/cases/listing.ts and undici).
    const { profile } = await profileHere(get);
    const summary = summarizeProfile(profile, 12);
    profileNotes.push(
      `profile of one extra GET (${saveProfile('f-serve', profile)}), self time — by file: ${describeHotSpots(summary.files)}.`,
      `… by function: ${describeHotSpots(summary.functions)}.`,
    );
  } finally {
    // The servers go even when the app fails to close.
    await app.close().finally(() => pair.stop());
  }
  const serve = samples.filter((s) => s.what === 'serve');
  const lftp = samples.filter((s) => s.tool === 'lftp');
  const serveMs = median(serve.map((s) => s.value));
  const raw = samples.filter((s) => s.what === 'vsftpd LIST');
  const rawMs = median(raw.map((s) => s.value));
  const rawFirstByteMs = median(raw.map((s) => s.firstByteMs as number));
  const lftpMs = median(lftp.map((s) => s.value));
  log(
    `f serve: ${serve.map((s) => s.value.toFixed(0)).join(', ')} ms; lftp cls ${lftp.map((s) => s.value.toFixed(0)).join(', ')} ms`,
  );
  const rows: Row[] = [
    {
      case: 'f. parse a 100 000-entry LIST',
      pasv: parseMs,
      lftp: null,
      unit: 'ms',
      target: '< 1 s',
      met: parseMs < 1000,
    },
    {
      case: 'f. serve GET /api/sites/:id/list, 100 000 entries',
      pasv: serveMs,
      lftp: lftpMs,
      unit: 'ms',
      target: '< 1 s',
      met: serveMs < 1000,
      lftpReference: true,
    },
    {
      case: 'f. (diagnostic) vsftpd alone: CWD + PASV + LIST, bytes read',
      pasv: rawMs,
      lftp: null,
      unit: 'ms',
      target: '—',
      met: null,
    },
    {
      case: 'f. UI renders a 10 000-entry listing (Playwright, by the lead)',
      pasv: null,
      lftp: null,
      unit: 'ms',
      target: '—',
      met: null,
    },
  ];
  notes.push(
    `parse: parseListing over ${options.entries} vsftpd-style lines (${(text.length / 1024 / 1024).toFixed(1)} MiB), runs ` +
      `${samples
        .filter((s) => s.what === 'parse')
        .map((s) => s.value.toFixed(0))
        .join(', ')} ms.`,
    `serve: GET /api/sites/:id/list?path=/many on vsftpd (CWD, PASV, LIST on the warm shared session; JSON body ` +
      `${(bodyBytes / 1024 / 1024).toFixed(1)} MiB), runs ${serve.map((s) => s.value.toFixed(0)).join(', ')} ms. ` +
      `lftp reference: \`open ftp://…; cls -1 /many/\` from process start (login included): ${lftp.map((s) => s.value.toFixed(0)).join(', ')} ms.`,
    `vsftpd's own part, measured on a separate session before each GET: ${raw.map((s) => s.value.toFixed(0)).join(', ')} ms in all, ` +
      `its first LIST byte after ${rawFirstByteMs.toFixed(0)} ms (median; vsftpd stats and sorts the whole directory first). ` +
      `pasv's own share of the serve time is therefore about ${(serveMs - rawMs).toFixed(0)} ms: parse, JSON, HTTP.`,
    ...profileNotes,
    'UI rendering of 10 000 entries: placeholder, measured with Playwright by the lead.',
  );
  return { id: 'f', title: 'a 100 000-entry listing', rows, samples, notes };
}
