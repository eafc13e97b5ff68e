/**
 * Crash safety: the backend is SIGKILLed mid-queue and started again on the same data
 * directory; the queue finishes with every file identical and nothing extra.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import type { Transfer } from '../../contract/index.js';
import { eventually } from './app.js';
import { embedded, seededBytes, sha256, type TestServer } from './fixtures.js';

const TOKEN = 'crash-test-token';
const MiB = 1024 * 1024;
const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

/** Start the real backend (server/src/main.ts) as a child process; resolves with its URL. */
async function startBackend(dataDir: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/src/main.ts'], {
    env: {
      ...process.env,
      PASV_HOST: '127.0.0.1',
      PASV_PORT: '0',
      PASV_DATA_DIR: dataDir,
      PASV_PASSWORD: 'pw',
      PASV_API_TOKEN: TOKEN,
      PASV_LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  cleanup.push(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  const url = await new Promise<string>((resolve, reject) => {
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`backend exited with ${code}: ${output}`)));
  });
  return { child, url };
}

async function api<T>(url: string, method: string, body?: object): Promise<T> {
  const response = await fetch(url, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  if (!response.ok) throw new Error(`${method} ${url}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

it('finishes the queue identically after a SIGKILL of the backend mid-queue', async () => {
  const files: Record<string, Buffer> = {};
  for (let i = 0; i < 24; i++) files[`batch/f${String(i).padStart(2, '0')}.bin`] = seededBytes(MiB + i, 100 + i);
  const a: TestServer = await embedded.start({ address: '127.0.0.2', files, bytesPerSecond: 4 * MiB });
  cleanup.push(() => a.stop());
  const b: TestServer = await embedded.start({ address: '127.0.0.3' });
  cleanup.push(() => b.stop());
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pasv-crash-'));
  cleanup.push(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  let backend = await startBackend(dataDir);
  const site = (server: TestServer, name: string) =>
    api<{ id: string }>(`${backend.url}/api/sites`, 'POST', { name, host: server.host, port: server.port, user: server.user, password: server.password });
  const [src, dst] = [await site(a, 'A'), await site(b, 'B')];
  const created = await api<Transfer>(`${backend.url}/api/transfers`, 'POST', {
    source: { siteId: src.id, path: '/batch' },
    destination: { siteId: dst.id, dir: '/' },
  });
  await eventually(async () => (await api<Transfer>(`${backend.url}/api/transfers/${created.id}`, 'GET')).filesDone >= 4, 60_000);
  backend.child.kill('SIGKILL');
  await new Promise((resolve) => backend.child.once('exit', resolve));
  const before = await api<Transfer>(`${(backend = await startBackend(dataDir)).url}/api/transfers/${created.id}`, 'GET');
  expect(before.filesDone).toBeGreaterThanOrEqual(4);
  expect(before.filesDone).toBeLessThan(24);

  const done = await eventually(async () => {
    const current = await api<Transfer>(`${backend.url}/api/transfers/${created.id}`, 'GET');
    return current.state === 'done' || current.state === 'failed' ? current : null;
  }, 90_000);
  expect(done).toMatchObject({ state: 'done', filesDone: 24, filesTotal: 24 });
  const copied = fs.readdirSync(path.join(b.root, 'batch')).sort();
  expect(copied).toEqual(Object.keys(files).map((f) => path.basename(f)).sort());
  for (const name of copied) {
    expect(sha256(fs.readFileSync(path.join(b.root, 'batch', name))), name).toBe(sha256(files[`batch/${name}`]!));
  }
}, 180_000);
