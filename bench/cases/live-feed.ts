/**
 * e. 200 transfers in flight at once, their progress fanned out to 20 WebSocket clients:
 * the backend's CPU (its own process) and the messages each client receives per second.
 * Throttled embedded FTP servers in this process keep every copy running for ~16 s; the
 * window is measured once all 200 are running and have shown progress, then a second,
 * profiled window shows where the backend's time goes.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import type { Transfer } from '../../contract/index.js';
import { startFtpServer, type EmbeddedFtpServer } from '../../server/src/demo/ftp-server/server.js';
import { BENCH_TOKEN } from '../app.js';
import { startBackend } from '../backend-process.js';
import { KiB, log, median, nowMs, sleep } from '../measure.js';
import { describeHotSpots, saveProfile, summarizeProfile, type CpuProfile } from '../profile.js';
import type { CaseResult, Row } from '../report.js';

export interface LiveFeedOptions {
  transfers: number;
  clients: number;
}

const USER = { user: 'bench', password: 'bench-password' };
const RATE = 64 * KiB;
const FILE_SIZE = 16 * RATE;
const WINDOW_MS = 5_000;
const PROFILE_MS = 2_000;
/** Site pairs: the API caps a site at 32 connections. */
const SITE_PAIRS = 10;

interface FeedClient {
  socket: WebSocket;
  messages: number;
  bytes: number;
  byType: Map<string, number>;
}

function openClient(port: number): Promise<FeedClient> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`ws://127.0.0.1:${port}/api/ws`, {
      headers: { authorization: `Bearer ${BENCH_TOKEN}` },
    });
    const client: FeedClient = { socket, messages: 0, bytes: 0, byType: new Map() };
    socket.on('message', (data: Buffer) => {
      client.messages++;
      client.bytes += data.length;
      // `type` leads the message (after `seq`): no need to parse every message.
      const type = /^\{(?:"seq":\d+,)?"type":"([^"]+)"/.exec(data.subarray(0, 80).toString())?.[1] ?? '?';
      client.byType.set(type, (client.byType.get(type) ?? 0) + 1);
    });
    socket.once('open', () => resolve(client));
    socket.once('error', reject);
  });
}

function snapshotCounts(clients: FeedClient[]): { messages: number[]; bytes: number[]; byType: Map<string, number> } {
  return {
    messages: clients.map((c) => c.messages),
    bytes: clients.map((c) => c.bytes),
    byType: new Map(clients[0]?.byType ?? []),
  };
}

export async function liveFeed(options: LiveFeedOptions): Promise<CaseResult> {
  const sourceRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'pasv-bench-feed-src-'));
  const destinationRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'pasv-bench-feed-dst-'));
  const block = Buffer.alloc(FILE_SIZE, 0x5a);
  for (let i = 0; i < options.transfers; i++)
    fs.writeFileSync(path.join(sourceRoot, `f${String(i).padStart(3, '0')}.bin`), block);
  const servers: EmbeddedFtpServer[] = [];
  const clients: FeedClient[] = [];
  const backend = await startBackend({ PASV_CONCURRENCY: String(options.transfers) });
  let result: CaseResult;
  try {
    servers.push(await startFtpServer({ host: '127.0.0.2', root: sourceRoot, users: [USER], bytesPerSecond: RATE }));
    servers.push(
      await startFtpServer({ host: '127.0.0.3', root: destinationRoot, users: [USER], bytesPerSecond: RATE }),
    );
    const [source, destination] = servers as [EmbeddedFtpServer, EmbeddedFtpServer];
    const perSite = Math.ceil(options.transfers / SITE_PAIRS);
    const pairs: [string, string][] = [];
    for (let i = 0; i < SITE_PAIRS; i++) {
      const site = (name: string, server: EmbeddedFtpServer) =>
        backend.api.addSite({ name, host: server.host, port: server.port, ...USER, maxConnections: perSite });
      pairs.push([await site(`source ${i}`, source), await site(`destination ${i}`, destination)]);
    }
    for (let i = 0; i < options.clients; i++) clients.push(await openClient(Number(new URL(backend.api.baseUrl).port)));

    // Queue all of them paused, then resume: they start together instead of one POST at a time.
    await backend.api.request('POST', '/api/queue/pause');
    const postedAt = nowMs();
    const ids: string[] = [];
    for (let i = 0; i < options.transfers; i++) {
      const [sourceSite, destinationSite] = pairs[i % SITE_PAIRS]!;
      const created = await backend.api.createTransfer({
        source: { siteId: sourceSite, path: `/f${String(i).padStart(3, '0')}.bin` },
        destination: { siteId: destinationSite, dir: '/out' },
      });
      ids.push(created.id);
    }
    const postMs = (nowMs() - postedAt) / options.transfers;
    const startedAt = nowMs();
    await backend.api.request('POST', '/api/queue/resume');
    // All in flight: every transfer running and its probe has reported bytes.
    let inFlight = 0;
    while (nowMs() - startedAt < 30_000) {
      const transfers = await backend.api.request<Transfer[]>('GET', '/api/transfers');
      inFlight = transfers.filter((t) => t.state === 'running' && t.bytesDone > 0).length;
      if (inFlight === options.transfers) break;
      await sleep(250);
    }
    const rampMs = nowMs() - startedAt;
    if (inFlight < options.transfers)
      throw new Error(`only ${inFlight} of ${options.transfers} transfers in flight after ${rampMs.toFixed(0)} ms`);
    log(`e: ${inFlight} transfers in flight after ${(rampMs / 1000).toFixed(1)} s; measuring ${WINDOW_MS / 1000} s`);

    const before = snapshotCounts(clients);
    const usageBefore = await backend.usage();
    const benchCpu = process.cpuUsage();
    const windowStart = nowMs();
    await sleep(WINDOW_MS);
    const usageAfter = await backend.usage();
    const windowMs = nowMs() - windowStart;
    const benchUsed = process.cpuUsage(benchCpu);
    const after = snapshotCounts(clients);

    await backend.profileStart();
    await sleep(PROFILE_MS);
    const rawProfile = (await backend.profileStop()) as CpuProfile;
    const profile = summarizeProfile(rawProfile, 10);
    const profileFile = saveProfile('e-backend', rawProfile);

    const transfersAfter = await backend.api.request<Transfer[]>('GET', '/api/transfers');
    const stillRunning = transfersAfter.filter((t) => t.state === 'running').length;
    const cpuMs = (usageAfter.cpu.user - usageBefore.cpu.user + usageAfter.cpu.system - usageBefore.cpu.system) / 1000;
    const cpuShare = (cpuMs / windowMs) * 100;
    const perClient = after.messages.map((m, i) => (m - before.messages[i]!) / (windowMs / 1000));
    const kibPerClient = after.bytes.map((b, i) => (b - before.bytes[i]!) / 1024 / (windowMs / 1000));
    const types = [...after.byType]
      .map(([type, n]) => [type, (n - (before.byType.get(type) ?? 0)) / (windowMs / 1000)] as const)
      .filter(([, rate]) => rate > 0)
      .sort((a, b) => b[1] - a[1])
      .map(([type, rate]) => `${type} ${rate.toFixed(0)}/s`);
    const messagesPerClient = median(perClient);
    log(
      `e: backend CPU ${cpuShare.toFixed(1)} % of a core, ${messagesPerClient.toFixed(0)} messages per client per second`,
    );
    const rows: Row[] = [
      {
        case: `e. ${options.transfers} transfers → ${options.clients} WS clients: backend CPU`,
        pasv: cpuShare,
        lftp: null,
        unit: '% core',
        target: '< 10 % of a core',
        met: cpuShare < 10,
      },
      {
        case: 'e. … messages per client per second',
        pasv: messagesPerClient,
        lftp: null,
        unit: 'msg/s',
        target: '—',
        met: null,
      },
    ];
    const notes = [
      `${options.transfers} single-file FXP transfers (${FILE_SIZE / KiB} KiB each, both embedded servers throttled to ${RATE / KiB} KiB/s per ` +
        `transfer) over ${SITE_PAIRS} site pairs (maxConnections ${perSite}), PASV_CONCURRENCY=${options.transfers}; all in flight ` +
        `${(rampMs / 1000).toFixed(1)} s after the queue was resumed (created paused, ${postMs.toFixed(1)} ms per POST); ` +
        `${stillRunning} still running after the windows.`,
      `Window ${(windowMs / 1000).toFixed(1)} s: backend CPU ${cpuMs.toFixed(0)} ms = ${cpuShare.toFixed(1)} % of a core; per client ` +
        `${messagesPerClient.toFixed(0)} messages/s (min ${Math.min(...perClient).toFixed(0)}, max ${Math.max(...perClient).toFixed(0)}), ` +
        `${median(kibPerClient).toFixed(0)} KiB/s; by type (first client): ${types.join(', ')}.`,
      `The bench process itself (FTP servers, ${options.clients} clients) used ${(((benchUsed.user + benchUsed.system) / 1000 / windowMs) * 100).toFixed(0)} % ` +
        `of a core in the window. Backend RSS ${(usageAfter.rssKiB / 1024).toFixed(0)} MiB, ${usageAfter.sessions} sessions.`,
      `Backend profile over a further ${PROFILE_MS / 1000} s (self time; raw profile in ${profileFile}) — by file: ${describeHotSpots(profile.files)}.`,
      `… by function: ${describeHotSpots(profile.functions)}.`,
    ];
    result = {
      id: 'e',
      title: `${options.transfers} concurrent transfers' progress to ${options.clients} WebSocket clients`,
      rows,
      samples: [],
      notes,
      details: { profile, perClient },
    };
    for (const id of ids) await backend.api.request('POST', `/api/transfers/${id}/cancel`).catch(() => undefined);
  } finally {
    for (const client of clients) client.socket.terminate();
    try {
      await backend.stop();
    } finally {
      await Promise.all(servers.map((s) => s.close()));
      fs.rmSync(sourceRoot, { recursive: true, force: true });
      fs.rmSync(destinationRoot, { recursive: true, force: true });
    }
  }
  return result;
}
