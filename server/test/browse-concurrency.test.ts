/**
 * Browsing one site from many panes at once, through the HTTP API on real servers: every
 * listing must hold its own folder's entries, every rename, mkdir and remove must really
 * happen on the server's disk, alone and while an FXP copy to the site runs (its progress
 * probe polls SIZE on the same site).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Listing, Transfer } from '../../contract/index.js';
import { startFtpServer } from '../src/demo/ftp-server/server.js';
import { eventually, startTestApp, type TestApp } from './app.js';
import { embedded, harnessKind, seededBytes, sha256, writeFiles, type ServerKind, type TestServer } from './fixtures.js';
import { FTP_PASSWORD, FTP_USER, skipWithout, startVsftpd } from './servers/index.js';

const MiB = 1024 * 1024;
const FOLDERS = 8;
const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

const vsftpd = harnessKind('vsftpd', startVsftpd, { splitFxp: true, throttles: true, abortsInTransfer: false });

/** Folder i holds i + 1 files whose names and sizes belong to it alone. */
function browseTree(): Record<string, Buffer> {
  const files: Record<string, Buffer> = {};
  for (let i = 0; i < FOLDERS; i++) {
    for (let j = 0; j <= i; j++) files[`dir-${i}/file-${i}-${j}.txt`] = seededBytes(100 + i * 10 + j, i * 100 + j);
  }
  for (let i = 0; i < 12; i++) files[`ren/r-${i}.txt`] = Buffer.from(`rename me ${i}`);
  for (let i = 0; i < 4; i++) {
    files[`trash/tree-${i}/a.txt`] = Buffer.from('a');
    files[`trash/tree-${i}/sub/b.txt`] = Buffer.from('b');
    files[`trash/junk-${i}.txt`] = Buffer.from('junk');
  }
  return files;
}

function expectedEntries(i: number): { name: string; size: number }[] {
  return Array.from({ length: i + 1 }, (_, j) => ({ name: `file-${i}-${j}.txt`, size: 100 + i * 10 + j }));
}

async function addSite(t: TestApp, server: Pick<TestServer, 'host' | 'port' | 'user' | 'password'>, name: string): Promise<string> {
  const response = await t.app.inject({
    method: 'POST',
    url: '/api/sites',
    headers: t.auth,
    payload: { name, host: server.host, port: server.port, user: server.user, password: server.password },
  });
  expect(response.statusCode).toBe(201);
  return response.json().id as string;
}

async function setUp(kind: ServerKind) {
  const server = await kind.start({ address: '127.0.0.3', files: browseTree() });
  cleanup.push(() => server.stop());
  const t = await startTestApp();
  cleanup.push(() => t.close());
  const siteId = await addSite(t, server, kind.kind);
  return { server, t, siteId };
}

/** Three listings of each folder at once, each answer checked against that folder. */
async function listAllAtOnce(t: TestApp, siteId: string): Promise<void> {
  const folders = Array.from({ length: 3 * FOLDERS }, (_, n) => n % FOLDERS);
  const answers = await Promise.all(
    folders.map((i) => t.app.inject({ url: `/api/sites/${siteId}/list?path=/dir-${i}`, headers: t.auth })),
  );
  answers.forEach((answer, n) => {
    const i = folders[n]!;
    expect(answer.statusCode, `list /dir-${i}: ${answer.body}`).toBe(200);
    const listing = answer.json() as Listing;
    expect(listing.path).toBe(`/dir-${i}`);
    const entries = listing.entries.map((e) => ({ name: e.name, size: e.size })).sort((a, b) => a.name.localeCompare(b.name));
    expect(entries, `entries of /dir-${i}`).toEqual(expectedEntries(i));
  });
}

async function post(t: TestApp, siteId: string, action: string, payload: object) {
  const answer = await t.app.inject({ method: 'POST', url: `/api/sites/${siteId}/${action}`, headers: t.auth, payload });
  expect(answer.statusCode, `${action} ${JSON.stringify(payload)}: ${answer.body}`).toBe(204);
}

async function renameAllAtOnce(t: TestApp, siteId: string, root: string): Promise<void> {
  const names = Array.from({ length: 12 }, (_, i) => i);
  await Promise.all(names.map((i) => post(t, siteId, 'rename', { from: `/ren/r-${i}.txt`, to: `/ren/renamed-${i}.txt` })));
  expect(fs.readdirSync(path.join(root, 'ren')).sort()).toEqual(names.map((i) => `renamed-${i}.txt`).sort());
  for (const i of names) expect(fs.readFileSync(path.join(root, 'ren', `renamed-${i}.txt`), 'utf8')).toBe(`rename me ${i}`);
}

/** Eight new folders and eight removals (four trees, four files) in one burst. */
async function makeAndRemoveAtOnce(t: TestApp, siteId: string, root: string): Promise<void> {
  const four = [0, 1, 2, 3];
  await Promise.all([
    ...Array.from({ length: 8 }, (_, i) => post(t, siteId, 'mkdir', { path: `/made-${i}` })),
    ...four.map((i) => post(t, siteId, 'remove', { path: `/trash/tree-${i}` })),
    ...four.map((i) => post(t, siteId, 'remove', { path: `/trash/junk-${i}.txt` })),
  ]);
  for (let i = 0; i < 8; i++) expect(fs.statSync(path.join(root, `made-${i}`)).isDirectory()).toBe(true);
  expect(fs.readdirSync(path.join(root, 'trash'))).toEqual([]);
}

async function transferState(t: TestApp, id: string): Promise<Transfer> {
  return (await t.app.inject({ url: `/api/transfers/${id}`, headers: t.auth })).json() as Transfer;
}

function concurrencySuite(kind: ServerKind): void {
  describe(`browsing ${kind.kind} from many panes at once`, () => {
    it('answers 24 concurrent listings of 8 folders, each with its own folder’s entries', async () => {
      const { t, siteId } = await setUp(kind);
      await listAllAtOnce(t, siteId);
    });

    it('renames 12 files at once, every one renamed on disk', async () => {
      const { server, t, siteId } = await setUp(kind);
      await renameAllAtOnce(t, siteId, server.root);
    });

    it('makes and removes folders and files at once, the disk shows each', async () => {
      const { server, t, siteId } = await setUp(kind);
      await makeAndRemoveAtOnce(t, siteId, server.root);
    });

    it('browses correctly while an FXP copy to the site runs and its probe polls SIZE', async () => {
      const { server, t, siteId } = await setUp(kind);
      const data = seededBytes(8 * MiB, 21);
      const source = await embedded.start({ address: '127.0.0.2', files: { 'big.bin': data }, bytesPerSecond: 2 * MiB });
      cleanup.push(() => source.stop());
      const sourceId = await addSite(t, source, 'source');
      const created = await t.app.inject({
        method: 'POST',
        url: '/api/transfers',
        headers: t.auth,
        payload: { source: { siteId: sourceId, path: '/big.bin' }, destination: { siteId, dir: '/' }, mode: 'fxp' },
      });
      expect(created.statusCode).toBe(202);
      const id = (created.json() as Transfer).id;
      // Progress of an FXP copy comes only from the probe: once it shows, the probe polls.
      await eventually(async () => (await transferState(t, id)).bytesDone > 0);

      await Promise.all([
        listAllAtOnce(t, siteId),
        renameAllAtOnce(t, siteId, server.root),
        makeAndRemoveAtOnce(t, siteId, server.root),
      ]);
      // Keep listing until the copy ends, so listings and probe polls overlap for its whole run.
      let rounds = 1;
      while (!['done', 'failed', 'cancelled'].includes((await transferState(t, id)).state)) {
        await listAllAtOnce(t, siteId);
        rounds++;
      }
      expect(rounds).toBeGreaterThan(1);
      expect(await transferState(t, id)).toMatchObject({ state: 'done', mode: 'fxp', bytesDone: data.length });
      expect(sha256(fs.readFileSync(path.join(server.root, 'big.bin')))).toBe(sha256(data));
    });
  });
}

concurrencySuite(embedded);

it('retries each listing of a burst once when the server drops the session under it', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pasv-drop-'));
  cleanup.push(async () => fs.rmSync(root, { recursive: true, force: true }));
  writeFiles(root, browseTree());
  let dropped = false;
  const server = await startFtpServer({
    host: '127.0.0.3',
    root,
    users: [{ user: FTP_USER, password: FTP_PASSWORD }],
    // The first listing command reached the server: drop every connection while the rest wait behind it.
    log: (line) => {
      if (!dropped && / > (MLSD|LIST)\b/.test(line)) {
        dropped = true;
        queueMicrotask(() => server.destroyConnections());
      }
    },
  });
  cleanup.push(() => server.close());
  const t = await startTestApp();
  cleanup.push(() => t.close());
  const siteId = await addSite(t, { host: server.host, port: server.port, user: FTP_USER, password: FTP_PASSWORD }, 'dropping');
  await listAllAtOnce(t, siteId);
  expect(dropped).toBe(true);
});

describe.skipIf(skipWithout('vsftpd'))('vsftpd', () => {
  concurrencySuite(vsftpd);
});
