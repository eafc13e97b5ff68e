/**
 * `npm run demo:cluster` keeps its promise: both web nodes show the same sites, a copy
 * started on one is seen done on the other, and Ctrl-C leaves no process and no files.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Site, Transfer } from '../../../contract/index.js';
import { eventually } from '../../test/app.js';
import { skipWithoutPostgres } from '../../test/postgres.js';

const cleanup: (() => void)[] = [];
afterEach(() => cleanup.splice(0).forEach((step) => step()));

function gone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** A signed-in browser on one web node: its session cookie on every call. */
async function signIn(url: string, password: string) {
  const session = await fetch(`${url}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ password }),
  });
  expect(session.status, `sign-in on ${url}`).toBe(204);
  const cookie = session.headers
    .getSetCookie()
    .map((header) => header.split(';')[0])
    .join('; ');
  return async <T>(method: string, route: string, body?: object): Promise<T> => {
    const response = await fetch(url + route, {
      method,
      headers: { cookie, 'x-requested-with': 'pasv', ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    expect(response.ok, `${method} ${url}${route}: ${response.status}`).toBe(true);
    return (await response.json()) as T;
  };
}

describe.skipIf(skipWithoutPostgres())('npm run demo:cluster', () => {
  it('runs two web nodes and three workers on one PostgreSQL, and Ctrl-C stops all of it', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/src/demo/cluster.ts'], {
      env: {
        ...process.env,
        PASV_PORT: '0',
        PASV_PASSWORD: '',
        PASV_DEMO_BIG_FILE_MB: '3',
        PASV_DEMO_BYTES_PER_SECOND: '0',
        PASV_LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    let output = '';
    for (const stream of [child.stdout!, child.stderr!]) {
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => (output += chunk));
    }
    const pids: number[] = [];
    let tempDir = '';
    cleanup.push(() => {
      // Only after a failure is anything left: the demo first, then what it started.
      if (child.exitCode === null) child.kill('SIGKILL');
      for (const pid of pids) if (!gone(pid)) process.kill(pid, 'SIGKILL');
      if (tempDir) fs.rmSync(tempDir, { recursive: true, force: true });
    });

    await eventually(() => output.includes('Ctrl-C stops everything') || child.exitCode !== null, 150_000, 200);
    expect(child.exitCode, output).toBeNull();
    tempDir = /files in (\S+) \(removed on exit\)/.exec(output)![1]!;
    const webs = [...output.matchAll(/^ {2}(web-\d) +(http:\/\/\S+) +PID (\d+)$/gm)].map((m) => ({
      url: m[2]!,
      pid: Number(m[3]),
    }));
    const workers = [...output.matchAll(/^ {2}(worker-\d) +PID (\d+) +egress tags: (\S+)$/gm)].map((m) => ({
      pid: Number(m[2]),
      tags: m[3],
    }));
    const postgres = /^ {2}PostgreSQL (postgres:\/\/\S+) +PID (\d+) +data in (\S+)$/m.exec(output);
    const password = /sign in with the password (\S+)/.exec(output)?.[1];
    expect(webs, output).toHaveLength(2);
    expect(workers.map((w) => w.tags)).toEqual(['none', 'none', 'eu-1']);
    expect(postgres, output).not.toBeNull();
    expect(password).toBeDefined();
    const postgresPid = Number(postgres![2]);
    const postgresData = postgres![3]!;
    pids.push(...webs.map((w) => w.pid), ...workers.map((w) => w.pid), postgresPid);
    expect(new Set(pids).size).toBe(6);
    expect(fs.existsSync(postgresData)).toBe(true);

    const [web1, web2] = await Promise.all(webs.map((web) => signIn(web.url, password!)));
    const sites1 = await web1!<Site[]>('GET', '/api/sites');
    const sites2 = await web2!<Site[]>('GET', '/api/sites');
    expect(sites1.map((s) => s.name)).toEqual(['alpha', 'beta']);
    expect(sites2.map((s) => [s.id, s.name, s.port])).toEqual(sites1.map((s) => [s.id, s.name, s.port]));
    const [alpha, beta] = sites2 as [Site, Site];

    const started = await web2!<Transfer>('POST', '/api/transfers', {
      source: { siteId: alpha.id, path: '/photos' },
      destination: { siteId: beta.id, dir: '/incoming' },
    });
    const done = await eventually(async () => {
      const current = await web1!<Transfer>('GET', `/api/transfers/${started.id}`);
      return current.state === 'done' || current.state === 'failed' ? current : null;
    }, 60_000);
    expect(done).toMatchObject({ state: 'done', mode: 'fxp', filesDone: 3, filesFailed: 0 });
    const file = path.join('photos', 'été à Paris', 'IMG 0001.jpg');
    const copied = fs.readFileSync(path.join(tempDir, 'ftp', 'beta', 'incoming', file));
    expect(copied.equals(fs.readFileSync(path.join(tempDir, 'ftp', 'alpha', file)))).toBe(true);

    child.kill('SIGINT');
    expect(await exited, output).toBe(0);
    expect(
      pids.filter((pid) => !gone(pid)),
      output,
    ).toEqual([]);
    expect(fs.existsSync(postgresData)).toBe(false);
    expect(fs.existsSync(tempDir)).toBe(false);
    expect(output).toContain('SIGINT: stopping the nodes');
  }, 240_000);
});
