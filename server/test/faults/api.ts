/** Driving a test app through its HTTP API, as the fault tests do. */
import { expect } from 'vitest';
import type { LogLine, Transfer, TransferFile, TransferFilesPage } from '../../../contract/index.js';
import { eventually, type TestApp } from '../app.js';

export interface SiteTarget {
  host: string;
  port: number;
  user: string;
  password: string;
}

export async function addSite(t: TestApp, server: SiteTarget, name: string): Promise<string> {
  const response = await t.app.inject({
    method: 'POST',
    url: '/api/sites',
    headers: t.auth,
    payload: {
      name,
      host: server.host,
      port: server.port,
      user: server.user,
      password: server.password,
    },
  });
  expect(response.statusCode, response.body).toBe(201);
  return response.json().id as string;
}

export async function startTransfer(
  t: TestApp,
  source: [string, string],
  destination: [string, string],
  mode?: 'fxp' | 'relay',
): Promise<Transfer> {
  const response = await t.app.inject({
    method: 'POST',
    url: '/api/transfers',
    headers: t.auth,
    payload: {
      source: { siteId: source[0], path: source[1] },
      destination: { siteId: destination[0], dir: destination[1] },
      ...(mode ? { mode } : {}),
    },
  });
  expect(response.statusCode, response.body).toBe(202);
  return response.json() as Transfer;
}

export async function getTransfer(t: TestApp, id: string): Promise<Transfer> {
  return (await t.app.inject({ url: `/api/transfers/${id}`, headers: t.auth })).json() as Transfer;
}

/** Every file of a transfer, page after page, through `get` (an app in this process or a child's API). */
export async function allFiles(get: (url: string) => Promise<TransferFilesPage>, id: string): Promise<TransferFile[]> {
  const files: TransferFile[] = [];
  let cursor: string | null = null;
  do {
    const page: TransferFilesPage = await get(
      `/api/transfers/${id}/files?limit=1000${cursor ? `&cursor=${cursor}` : ''}`,
    );
    files.push(...page.files);
    cursor = page.nextCursor;
  } while (cursor);
  return files;
}

export async function filesOf(t: TestApp, id: string): Promise<TransferFile[]> {
  return allFiles(async (url) => {
    const response = await t.app.inject({ url, headers: t.auth });
    expect(response.statusCode, response.body).toBe(200);
    return response.json() as TransferFilesPage;
  }, id);
}

export async function retryTransfer(t: TestApp, id: string): Promise<Transfer> {
  const response = await t.app.inject({ method: 'POST', url: `/api/transfers/${id}/retry`, headers: t.auth });
  expect(response.statusCode, response.body).toBe(200);
  return response.json() as Transfer;
}

/** Waits until the transfer is done, failed or cancelled. */
export async function finished(t: TestApp, id: string, timeoutMs = 25_000): Promise<Transfer> {
  return eventually(async () => {
    const current = await getTransfer(t, id);
    return ['done', 'skipped', 'failed', 'cancelled'].includes(current.state) ? current : null;
  }, timeoutMs);
}

/** Waits until the transfer shows paused: unfinished, its destination out of space until Resume. */
export async function untilPaused(t: TestApp, id: string, timeoutMs = 25_000): Promise<Transfer> {
  return eventually(async () => {
    const current = await getTransfer(t, id);
    return current.state === 'paused' ? current : null;
  }, timeoutMs);
}

/**
 * Nothing will run this transfer again: it and every file are over and no retry is due.
 * The runner starts work only for queued files of active transfers, so this says no more
 * commands will be sent for it, without waiting "long enough" for a retry that must not come.
 */
export async function expectNothingPending(t: TestApp, id: string): Promise<void> {
  const transfer = await getTransfer(t, id);
  expect(['done', 'skipped', 'failed', 'cancelled']).toContain(transfer.state);
  expect(transfer.nextRetryAt).toBeUndefined();
  for (const file of await filesOf(t, id)) expect(['done', 'skipped', 'failed', 'cancelled']).toContain(file.state);
}

export type LogEvent = { type: 'log' } & LogLine;

/**
 * Every control line of every pooled session, straight from the event bus the live feed
 * reads (lossless, where the feed may drop lines for a slow client).
 */
export function recordLog(t: TestApp): LogEvent[] {
  const log: LogEvent[] = [];
  t.app.services.events.watch();
  t.app.services.events.on('event', (event) => {
    if (event.type === 'log') log.push(event);
  });
  return log;
}

/** The commands pasv sent to one site, with the time each was logged. */
export function sentTo(log: LogEvent[], siteId: string, verb?: string): { line: string; at: number }[] {
  return log
    .filter(
      (l) => l.siteId === siteId && l.direction === 'sent' && (verb === undefined || l.line.split(' ')[0] === verb),
    )
    .map((l) => ({ line: l.line, at: Date.parse(l.at) }));
}
