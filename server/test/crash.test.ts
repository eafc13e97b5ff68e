/**
 * Crash safety: the backend is SIGKILLed mid-queue and started again on the same data
 * directory; the queue finishes with every file identical and nothing extra.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import type { Transfer } from '../../contract/index.js';
import { eventually } from './app.js';
import { childApi, startChildBackend, type ChildBackend } from './faults/children.js';
import { embedded, seededBytes, sha256, type TestServer } from './fixtures.js';

const TOKEN = 'crash-test-token';
const MiB = 1024 * 1024;
const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

it('finishes the queue identically after a SIGKILL of the backend mid-queue', async () => {
  const files: Record<string, Buffer> = {};
  for (let i = 0; i < 24; i++) files[`batch/f${String(i).padStart(2, '0')}.bin`] = seededBytes(MiB + i, 100 + i);
  const setup = await setUp(files, { bytesPerSecond: 4 * MiB });
  const { b, start, src, dst } = setup;
  let backend = setup.backend;
  const created = await childApi<Transfer>(backend, 'POST', `/api/transfers`, {
    source: { siteId: src, path: '/batch' },
    destination: { siteId: dst, dir: '/' },
  });
  await eventually(
    async () => (await childApi<Transfer>(backend, 'GET', `/api/transfers/${created.id}`)).filesDone >= 4,
    60_000,
  );
  await backend.kill();
  backend = await start();
  const before = await childApi<Transfer>(backend, 'GET', `/api/transfers/${created.id}`);
  expect(before.filesDone).toBeGreaterThanOrEqual(4);
  expect(before.filesDone).toBeLessThan(24);

  const done = await eventually(async () => {
    const current = await childApi<Transfer>(backend, 'GET', `/api/transfers/${created.id}`);
    return current.state === 'done' || current.state === 'failed' ? current : null;
  }, 90_000);
  expect(done).toMatchObject({ state: 'done', filesDone: 24, filesTotal: 24 });
  const copied = fs.readdirSync(path.join(b.root, 'batch')).sort();
  expect(copied).toEqual(
    Object.keys(files)
      .map((f) => path.basename(f))
      .sort(),
  );
  for (const name of copied) {
    expect(sha256(fs.readFileSync(path.join(b.root, 'batch', name))), name).toBe(sha256(files[`batch/${name}`]!));
  }
}, 180_000);

it('loses nothing it announced and duplicates nothing when killed among many small files (group commits)', async () => {
  // Hundreds of files a second: many copies start and end within one group commit (store/db.ts).
  const count = 400;
  const files: Record<string, Buffer> = {};
  for (let i = 0; i < count; i++)
    files[`small/f${String(i).padStart(3, '0')}.bin`] = seededBytes(4096 + (i % 7), 500 + i);
  const setup = await setUp(files, { maxConnections: 4 });
  const { b, start, src, dst } = setup;
  let backend = setup.backend;
  const created = await childApi<Transfer>(backend, 'POST', `/api/transfers`, {
    source: { siteId: src, path: '/small' },
    destination: { siteId: dst, dir: '/' },
  });
  // Killed right after an answer: what it said must survive the kill.
  let announced = 0;
  await eventually(
    async () => {
      announced = (await childApi<Transfer>(backend, 'GET', `/api/transfers/${created.id}`)).filesDone;
      return announced >= 40;
    },
    60_000,
    5,
  );
  await backend.kill();
  backend = await start();
  const before = await childApi<Transfer>(backend, 'GET', `/api/transfers/${created.id}`);
  expect(before.filesDone).toBeGreaterThanOrEqual(announced);
  expect(before.filesDone).toBeLessThan(count);

  const done = await eventually(async () => {
    const current = await childApi<Transfer>(backend, 'GET', `/api/transfers/${created.id}`);
    return current.state === 'done' || current.state === 'failed' ? current : null;
  }, 90_000);
  expect(done).toMatchObject({ state: 'done', filesDone: count, filesTotal: count, filesFailed: 0 });
  expect(await childApi<Transfer[]>(backend, 'GET', `/api/transfers`)).toHaveLength(1);
  const copied = fs.readdirSync(path.join(b.root, 'small')).sort();
  expect(copied).toEqual(
    Object.keys(files)
      .map((f) => path.basename(f))
      .sort(),
  );
  for (const name of copied) {
    expect(sha256(fs.readFileSync(path.join(b.root, 'small', name))), name).toBe(sha256(files[`small/${name}`]!));
  }
}, 180_000);

/**
 * Two embedded servers (the source holding `files`), a data dir, and a child backend on it
 * with both sites added; `start` starts another backend on the same data dir (after a kill).
 */
async function setUp(
  files: Record<string, Buffer>,
  options: { bytesPerSecond?: number; maxConnections?: number } = {},
): Promise<{ b: TestServer; start: () => Promise<ChildBackend>; backend: ChildBackend; src: string; dst: string }> {
  const a = await embedded.start({ address: '127.0.0.2', files, bytesPerSecond: options.bytesPerSecond });
  cleanup.push(() => a.stop());
  const b = await embedded.start({ address: '127.0.0.3' });
  cleanup.push(() => b.stop());
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pasv-crash-'));
  cleanup.push(() => fs.rmSync(dataDir, { recursive: true, force: true }));
  const start = async (): Promise<ChildBackend> => {
    const started = await startChildBackend(dataDir, TOKEN);
    cleanup.push(() => started.kill());
    return started;
  };
  const backend = await start();
  const site = (server: TestServer, name: string) =>
    childApi<{ id: string }>(backend, 'POST', `/api/sites`, {
      name,
      host: server.host,
      port: server.port,
      user: server.user,
      password: server.password,
      ...(options.maxConnections ? { maxConnections: options.maxConnections } : {}),
    });
  const [src, dst] = [await site(a, 'A'), await site(b, 'B')];
  return { b, start, backend, src: src.id, dst: dst.id };
}
