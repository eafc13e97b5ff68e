/**
 * Fault: the backend is SIGKILLed while it is still walking a directory tree (files found so
 * far are already copying) and is started again on the same data directory. The walk must
 * resume without queueing anything twice, and the tree must end identical with nothing extra.
 * (server/test/crash.test.ts kills mid-queue, once the walk of a flat folder is over.)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import type { Transfer, TransferFilesPage } from '../../../contract/index.js';
import { eventually } from '../app.js';
import { embedded, seededBytes, sha256, type TestServer } from '../fixtures.js';
import { allFiles } from './api.js';
import { childApi, startChildBackend } from './children.js';
import { startScriptedServer } from './scripted-server.js';

const TOKEN = 'crash-mid-walk-token';
const LISTING_DELAY_MS = 100;
const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});


/** Every file below root, relative path → sha256; directories as `dir/`. */
function treeOf(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        out[`${path.relative(root, full)}/`] = 'dir';
        walk(full);
      } else out[path.relative(root, full)] = sha256(fs.readFileSync(full));
    }
  };
  walk(root);
  return out;
}

it('resumes a directory walk cut short by SIGKILL: every file once, identical, nothing extra', async () => {
  // 8 folders, each with a subfolder: 17 listings to walk, 32 files.
  const files: Record<string, Buffer> = {};
  for (let d = 0; d < 8; d++) {
    for (let f = 0; f < 2; f++) {
      files[`tree/d${d}/f${f}.bin`] = seededBytes(20_000 + d * 1_000 + f, d * 10 + f);
      files[`tree/d${d}/sub/g${f}.bin`] = seededBytes(30_000 + d * 1_000 + f, 500 + d * 10 + f);
    }
  }
  const total = Object.keys(files).length;
  const a: TestServer = await embedded.start({ address: '127.0.0.2', files });
  cleanup.push(() => a.stop());
  const b: TestServer = await embedded.start({ address: '127.0.0.3' });
  cleanup.push(() => b.stop());
  // Each listing's final reply comes late, so the walk takes seconds and can be cut short.
  const slowSource = await startScriptedServer({
    host: a.host,
    upstream: { host: a.host, port: a.port },
    reply: (conn, line) => {
      if (!/^(MLSD|LIST)$/.test(conn.lastCommand?.verb ?? '') || !/^2\d\d /.test(line)) return false;
      setTimeout(() => conn.send(`${line}\r\n`), LISTING_DELAY_MS);
      return true;
    },
  });
  cleanup.push(() => slowSource.close());
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pasv-crash-walk-'));
  cleanup.push(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  let backend = await startChildBackend(dataDir, TOKEN);
  cleanup.push(() => backend.kill());
  const site = (server: TestServer, port: number, name: string) =>
    childApi<{ id: string }>(backend, 'POST', '/api/sites', {
      name,
      host: server.host,
      port,
      user: server.user,
      password: server.password,
    });
  const [src, dst] = [await site(a, slowSource.port, 'A'), await site(b, b.port, 'B')];
  const created = await childApi<Transfer>(backend, 'POST', '/api/transfers', {
    source: { siteId: src.id, path: '/tree' },
    destination: { siteId: dst.id, dir: '/in' },
  });

  // Kill as soon as copying has begun: the walk has found only part of the tree by then.
  await eventually(
    async () => (await childApi<Transfer>(backend, 'GET', `/api/transfers/${created.id}`)).filesDone >= 2,
    20_000,
    20,
  );
  await backend.kill();

  backend = await startChildBackend(dataDir, TOKEN);
  const atRestart = await childApi<Transfer>(backend, 'GET', `/api/transfers/${created.id}`);
  expect(atRestart.filesTotal).toBeLessThan(total); // the crash really came mid-walk
  expect(atRestart.filesDone).toBeGreaterThanOrEqual(2);

  const done = await eventually(async () => {
    const current = await childApi<Transfer>(backend, 'GET', `/api/transfers/${created.id}`);
    return current.state === 'done' || current.state === 'failed' ? current : null;
  }, 25_000);
  expect(done).toMatchObject({ state: 'done', kind: 'dir', filesDone: total, filesTotal: total, filesFailed: 0 });
  const listed = await allFiles((url) => childApi<TransferFilesPage>(backend, 'GET', url), created.id);
  expect(new Set(listed.map((f) => f.path)).size).toBe(total);
  expect(treeOf(path.join(b.root, 'in', 'tree'))).toEqual(treeOf(path.join(a.root, 'tree')));
});
