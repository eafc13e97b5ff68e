/**
 * The mirror case's diagnostics: pasv's per-session protocol timeline of a run (logins and
 * listings, from one backend's event bus), and what bare logins cost on the pair without
 * either tool.
 */
import net from 'node:net';
import type { LiveEvent, Run } from '../contract/index.js';
import type { BenchApp } from './app.js';
import { nowMs } from './measure.js';
import type { ServerPair } from './servers.js';

const RUN_TIMEOUT_MS = 180_000;
const FINISHED = new Set<Run['state']>(['done', 'failed', 'cancelled']);

export interface TimedLine {
  at: number;
  sessionId: string;
  site: 'src' | 'dst';
  direction: 'sent' | 'received';
  line: string;
}

/** Watches one backend's event bus: final run states (so no polling skews the times) and every protocol line. */
export function watchBackend(app: BenchApp, siteLabel: (siteId: string) => 'src' | 'dst') {
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
  // The control lines are logged only while someone watches (events.ts), as a dashboard would.
  app.app.services.events.watch();
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

export const LOGIN_VERBS = new Set([
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
export function describeTimeline(
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

// ---- the servers' own cost -----------------------------------------------------------------

/** One bare login on a plain socket (greeting, USER, PASS → 230, QUIT): ms until the 230. */
export function bareLogin(server: ServerPair['source']): Promise<number> {
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
export async function loginCost(pair: ServerPair, perSide: number): Promise<{ oneMs: number; eightMs: number }> {
  const oneMs = await bareLogin(pair.source);
  const startedAt = nowMs();
  await Promise.all(
    Array.from({ length: 2 * perSide }, (_, i) => bareLogin(i % 2 === 0 ? pair.source : pair.destination)),
  );
  return { oneMs, eightMs: nowMs() - startedAt };
}
