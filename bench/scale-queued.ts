/**
 * Case i (b): a 100 000-file tree walked into the queue and left queued, in a backend of its
 * own (backend-process.ts, so that its memory is its own): how long the walk takes, the
 * backend's resident memory after GC, and how long the transfer's row and pages of its
 * file list take to answer. Nothing is copied: the backend runs one job at a time, so the
 * walk holds the only slot, and the queue is paused right after the POST (a pause stops new
 * jobs, not the walk under way).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { QueueState, Transfer, TransferFilesPage } from '../contract/index.js';
import { startBackend } from './backend-process.js';
import { log, median, nowMs, sleep } from './measure.js';
import type { Row } from './report.js';
import { startVsftpdPair, writeEmptyFiles } from './servers.js';

const PER_FOLDER = 1000;
const TREE = 'big';
/** What the web asks for (web/src/features/transfers/api/transfers.ts), and the API's maximum. */
const WEB_PAGE = 500;
const MAX_PAGE = 1000;
const WALK_TIMEOUT_MS = 300_000;
/** Our reading of "responsive" in issue 10: an answer the UI shows without a visible wait. */
const RESPONSIVE_MS = 100;
const MB = 1_000_000;

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; result: T }> {
  const startedAt = nowMs();
  const result = await work();
  return { ms: nowMs() - startedAt, result };
}

/** Files (not folders) below `dir` on a local disk. */
function countFiles(dir: string): number {
  let count = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    count += entry.isDirectory() ? countFiles(path.join(dir, entry.name)) : 1;
  }
  return count;
}

export async function queuedTree(
  files: number,
): Promise<{ rows: Row[]; notes: string[]; details: Record<string, unknown> }> {
  const pair = await startVsftpdPair();
  const backend = await startBackend({ PASV_CONCURRENCY: '1' });
  try {
    const writing = nowMs();
    for (let folder = 0; folder * PER_FOLDER < files; folder++) {
      writeEmptyFiles(
        pair.source,
        `${TREE}/d${String(folder).padStart(3, '0')}`,
        Math.min(PER_FOLDER, files - folder * PER_FOLDER),
      );
    }
    log(`i (b): ${files} empty files written in ${((nowMs() - writing) / 1000).toFixed(1)} s`);
    const { api } = backend;
    const sites = await api.addPair(pair, 4);
    const idle = await backend.gc();

    const startedAt = nowMs();
    const created = await api.createTransfer({
      source: { siteId: sites.source, path: `/${TREE}` },
      destination: { siteId: sites.destination, dir: '/' },
    });
    await api.request<QueueState>('POST', '/api/queue/pause');
    const polls: number[] = [];
    let transfer: Transfer;
    for (;;) {
      const { ms, result } = await timed(() => api.request<Transfer>('GET', `/api/transfers/${created.id}`));
      polls.push(ms);
      transfer = result;
      if (transfer.state === 'failed')
        throw new Error(`the walk failed: ${transfer.error?.code} ${transfer.error?.message}`);
      const walking = transfer.filesTotal < files || (await api.request<QueueState>('GET', '/api/queue')).running > 0;
      if (!walking) break;
      if (nowMs() - startedAt > WALK_TIMEOUT_MS)
        throw new Error(`the walk found ${transfer.filesTotal} of ${files} files in ${WALK_TIMEOUT_MS} ms`);
      await sleep(250);
    }
    const walkMs = nowMs() - startedAt;
    const walked = await backend.usage();
    log(`i (b): walk of ${files} files took ${(walkMs / 1000).toFixed(1)} s`);

    const afterWalk: number[] = [];
    for (let i = 0; i < 3; i++) afterWalk.push((await backend.gc()).rssKiB);

    // The row: the whole queue as the dashboard loads it, and the transfer alone.
    const list: number[] = [];
    for (let i = 0; i < 10; i++) {
      const { ms, result } = await timed(() => api.request<Transfer[]>('GET', '/api/transfers'));
      if (result.find((t) => t.id === created.id)?.filesTotal !== files)
        throw new Error('GET /api/transfers lost the tree');
      list.push(ms);
    }
    const firstPage: number[] = [];
    for (let i = 0; i < 10; i++) {
      const { ms, result } = await timed(() =>
        api.request<TransferFilesPage>('GET', `/api/transfers/${created.id}/files?limit=${WEB_PAGE}`),
      );
      if (result.files.length !== WEB_PAGE || !result.nextCursor) throw new Error('the first page is not a full page');
      firstPage.push(ms);
    }
    // Every page of the list, following the cursors: the middle one is where a user who scrolled halfway is.
    const pages: number[] = [];
    const seen = new Set<string>();
    let cursor: string | null = null;
    const paging = nowMs();
    do {
      const query: string = `limit=${MAX_PAGE}${cursor ? `&cursor=${cursor}` : ''}`;
      const { ms, result } = await timed<TransferFilesPage>(() =>
        api.request<TransferFilesPage>('GET', `/api/transfers/${created.id}/files?${query}`),
      );
      pages.push(ms);
      for (const file of result.files) {
        if (file.state !== 'queued') throw new Error(`${file.path} is ${file.state}: the tree was to stay queued`);
        seen.add(file.path);
      }
      cursor = result.nextCursor;
    } while (cursor);
    const pagingMs = nowMs() - paging;
    if (seen.size !== files) throw new Error(`the pages listed ${seen.size} distinct files, not ${files}`);
    const afterPaging = (await backend.gc()).rssKiB;
    const final = await api.request<Transfer>('GET', `/api/transfers/${created.id}`);
    const copied = countFiles(pair.destination.root);
    if (final.filesDone !== 0 || copied !== 0)
      throw new Error(`${final.filesDone} files were copied (${copied} on disk)`);

    const rssMiB = median(afterWalk) / 1024;
    const middle = pages[Math.floor(pages.length / 2)]!;
    const rows: Row[] = [
      {
        case: `i. (b) backend RSS after GC, ${files} files queued`,
        pasv: rssMiB,
        lftp: null,
        unit: 'MiB',
        target: `< 200 MB (${((200 * MB) / 1024 / 1024).toFixed(1)} MiB)`,
        met: median(afterWalk) * 1024 < 200 * MB,
      },
      {
        case: `i. (b) (diagnostic) backend peak RSS, walk and paging`,
        pasv: (await backend.usage()).peakRssKiB / 1024,
        lftp: null,
        unit: 'MiB',
        target: '—',
        met: null,
      },
      {
        case: `i. (b) walk of ${files} files into the queue`,
        pasv: walkMs / 1000,
        lftp: null,
        unit: 's',
        target: '—',
        met: null,
      },
      ...(
        [
          ['GET /api/transfers (the row), 100 000-file tree queued', median(list)],
          [`GET …/files?limit=${WEB_PAGE}, first page`, median(firstPage)],
          [
            `GET …/files?limit=${MAX_PAGE}, middle page (${Math.floor(pages.length / 2) + 1} of ${pages.length})`,
            middle,
          ],
        ] as const
      ).map(([label, ms]) => ({
        case: `i. (b) ${label}`,
        pasv: ms,
        lftp: null,
        unit: 'ms' as const,
        target: `< ${RESPONSIVE_MS} ms`,
        met: ms < RESPONSIVE_MS,
      })),
    ];
    const walkCpuMs = (walked.cpu.user + walked.cpu.system - idle.cpu.user - idle.cpu.system) / 1000;
    const fmt = (values: number[]) => values.map((v) => v.toFixed(1)).join(', ');
    const notes = [
      `(b) ${files} empty files in ${Math.ceil(files / PER_FOLDER)} folders of ${PER_FOLDER} on vsftpd, walked by a backend in a child ` +
        `process (the production bundle under --expose-gc, one job at a time, the queue paused right after the POST, so nothing ` +
        `was copied: ${final.filesDone} files done, ${copied} on the destination's disk). The walk took ${(walkMs / 1000).toFixed(1)} s ` +
        `and ${walkCpuMs.toFixed(0)} ms of the backend's CPU.`,
      `(b) RSS after GC (KiB): idle with the two sites ${idle.rssKiB}; after the walk ${afterWalk.join(', ')}; after paging the ` +
        `whole list ${afterPaging}. Heap used after the walk ${((await backend.usage()).heapUsed / 1024 / 1024).toFixed(1)} MiB.`,
      `(b) GET /api/transfers/:id while the walk ran, every 250 ms (its counts() aggregate grows with the files found): ` +
        `median ${median(polls).toFixed(1)} ms, last ${polls.at(-1)!.toFixed(1)} ms over ${polls.length} polls.`,
      `(b) GET /api/transfers ×10: ${fmt(list)} ms. First page of ${WEB_PAGE} ×10: ${fmt(firstPage)} ms. The whole list in ` +
        `${pages.length} pages of ${MAX_PAGE}: ${(pagingMs / 1000).toFixed(1)} s, per page median ${median(pages).toFixed(1)} ms, ` +
        `max ${Math.max(...pages).toFixed(1)} ms, first ${pages[0]!.toFixed(1)} ms, last ${pages.at(-1)!.toFixed(1)} ms.`,
    ];
    return {
      rows,
      notes,
      details: { walkMs, walkCpuMs, idleRssKiB: idle.rssKiB, afterWalk, afterPaging, polls, list, firstPage, pages },
    };
  } finally {
    try {
      await backend.stop();
    } finally {
      await pair.stop();
    }
  }
}
