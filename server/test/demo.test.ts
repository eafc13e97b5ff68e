/**
 * `npm run demo` keeps its promise: it starts, registers alpha and beta with sample files,
 * prints where to go, and an FXP between the two sites works.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import type { Listing, Site, Transfer } from '../../contract/index.js';
import { eventually } from './app.js';

const cleanup: (() => void)[] = [];
afterEach(() => cleanup.splice(0).forEach((step) => step()));

it('starts two sample servers registered as sites, and copies between them by FXP', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pasv-demo-'));
  cleanup.push(() => fs.rmSync(dataDir, { recursive: true, force: true }));
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/src/demo/main.ts'], {
    env: {
      ...process.env,
      PASV_PORT: '0',
      PASV_DATA_DIR: dataDir,
      PASV_API_TOKEN: 'demo-token',
      PASV_DEMO_BIG_FILE_MB: '3',
      PASV_LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  cleanup.push(() => child.exitCode === null && child.kill('SIGKILL'));
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = await eventually(() => /listening on (http:\/\/\S+)/.exec(output)?.[1], 60_000);
  await eventually(() => /open .* and sign in/.test(output));
  expect(output).toMatch(/the admin password is \S+/);

  const api = async <T>(method: string, route: string, body?: object): Promise<T> => {
    const response = await fetch(url + route, {
      method,
      headers: { authorization: 'Bearer demo-token', ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    expect(response.ok, `${method} ${route}: ${response.status}`).toBe(true);
    return (await response.json()) as T;
  };
  const sites = await api<Site[]>('GET', '/api/sites');
  const alpha = sites.find((s) => s.name === 'alpha')!;
  const beta = sites.find((s) => s.name === 'beta')!;
  expect(alpha.hasPassword && beta.hasPassword).toBe(true);
  // The sample servers' login is shown (output and site), so other FTP clients can try them.
  const printed = /FTP login user (\S+) \/ password (\S+)/.exec(output);
  expect(printed?.slice(1)).toEqual(['demo', expect.any(String)]);
  expect(output).toContain(`alpha: lftp -u demo,${printed![2]} ftp://127.0.0.1:${alpha.port}`);
  expect(alpha.demo).toEqual({ user: 'demo', password: printed![2] });
  expect(beta.demo).toEqual({ user: 'demo', password: printed![2] });
  const listing = await api<Listing>('GET', `/api/sites/${alpha.id}/list?path=/`);
  expect(listing.entries.map((e) => e.name)).toEqual(expect.arrayContaining(['big.iso', 'photos', 'releases']));

  const transfer = await api<Transfer>('POST', '/api/transfers', {
    source: { siteId: alpha.id, path: '/photos' },
    destination: { siteId: beta.id, dir: '/incoming' },
  });
  const done = await eventually(async () => {
    const current = await api<Transfer>('GET', `/api/transfers/${transfer.id}`);
    return current.state === 'done' || current.state === 'failed' ? current : null;
  }, 60_000);
  expect(done).toMatchObject({ state: 'done', mode: 'fxp', filesDone: 3, filesFailed: 0 });
  const copied = path.join(dataDir, 'demo', 'beta', 'incoming', 'photos', 'été à Paris', 'IMG 0001.jpg');
  const original = path.join(dataDir, 'demo', 'alpha', 'photos', 'été à Paris', 'IMG 0001.jpg');
  expect(fs.readFileSync(copied).equals(fs.readFileSync(original))).toBe(true);
}, 120_000);
