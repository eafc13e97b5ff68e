/** Driving mirror jobs through the HTTP API of a test app, and looking at the servers' disks. */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import type { Job, JobCreate, Run, RunEntry } from '../../contract/index.js';
import { eventually, type TestApp } from './app.js';
import { filesOf } from './faults/api.js';
import { sha256 } from './fixtures.js';

export async function createJob(t: TestApp, body: JobCreate): Promise<Job> {
  const response = await t.app.inject({ method: 'POST', url: '/api/jobs', headers: t.auth, payload: body });
  expect(response.statusCode, response.body).toBe(201);
  return response.json() as Job;
}

export async function patchJob(t: TestApp, id: string, body: object): Promise<Job> {
  const response = await t.app.inject({ method: 'PATCH', url: `/api/jobs/${id}`, headers: t.auth, payload: body });
  expect(response.statusCode, response.body).toBe(200);
  return response.json() as Job;
}

export async function getJob(t: TestApp, id: string): Promise<Job> {
  return (await t.app.inject({ url: `/api/jobs/${id}`, headers: t.auth })).json() as Job;
}

export async function startRun(t: TestApp, jobId: string, body: object = {}): Promise<Run> {
  const response = await t.app.inject({ method: 'POST', url: `/api/jobs/${jobId}/run`, headers: t.auth, payload: body });
  expect(response.statusCode, response.body).toBe(202);
  return response.json() as Run;
}

export async function getRun(t: TestApp, id: string): Promise<Run> {
  return (await t.app.inject({ url: `/api/runs/${id}`, headers: t.auth })).json() as Run;
}

export async function runsOf(t: TestApp, jobId: string): Promise<Run[]> {
  return (await t.app.inject({ url: `/api/jobs/${jobId}/runs`, headers: t.auth })).json() as Run[];
}

export const isFinished = (run: Run) => run.state === 'done' || run.state === 'failed' || run.state === 'cancelled';

export async function runFinished(t: TestApp, id: string, timeoutMs = 30_000): Promise<Run> {
  return eventually(async () => {
    const run = await getRun(t, id);
    return isFinished(run) ? run : null;
  }, timeoutMs);
}

/** Run the job and wait for the run to end. */
export async function runToEnd(t: TestApp, jobId: string, body: object = {}, timeoutMs?: number): Promise<Run> {
  return runFinished(t, (await startRun(t, jobId, body)).id, timeoutMs);
}

/** Every entry of a run, page by page (small pages, so paging is exercised). */
export async function allEntries(t: TestApp, runId: string, verdict?: string): Promise<RunEntry[]> {
  const entries: RunEntry[] = [];
  let cursor: string | null = null;
  do {
    const query = new URLSearchParams({ limit: '7', ...(verdict ? { verdict } : {}), ...(cursor ? { cursor } : {}) });
    const response = await t.app.inject({ url: `/api/runs/${runId}/entries?${query.toString()}`, headers: t.auth });
    expect(response.statusCode, response.body).toBe(200);
    const page = response.json() as { entries: RunEntry[]; nextCursor: string | null };
    entries.push(...page.entries);
    cursor = page.nextCursor;
  } while (cursor);
  return entries;
}

/** The paths (relative to `dir`) of the files the run's transfer copied. */
export async function copiedBy(t: TestApp, run: Run, dir: string): Promise<string[]> {
  if (!run.transferId) return [];
  const files = await filesOf(t, run.transferId);
  expect(files.every((f) => f.state === 'done'), JSON.stringify(files)).toBe(true);
  return files.map((f) => path.posix.relative(dir, f.path)).sort();
}

/** Every file below `dir` on a local disk: relative path → SHA-256. */
export function treeOnDisk(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (sub: string) => {
    if (!fs.existsSync(path.join(dir, sub))) return;
    for (const entry of fs.readdirSync(path.join(dir, sub), { withFileTypes: true })) {
      const rel = sub ? `${sub}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(rel);
      else out[rel] = sha256(fs.readFileSync(path.join(dir, rel)));
    }
  };
  walk('');
  return out;
}

/** Every folder below `dir` on a local disk, relative. */
export function foldersOnDisk(dir: string): string[] {
  const out: string[] = [];
  const walk = (sub: string) => {
    for (const entry of fs.readdirSync(path.join(dir, sub), { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      const rel = sub ? `${sub}/${entry.name}` : entry.name;
      out.push(rel);
      walk(rel);
    }
  };
  if (fs.existsSync(dir)) walk('');
  return out.sort();
}
