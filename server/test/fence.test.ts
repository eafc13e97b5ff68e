/**
 * The fence above the session: a pool lease carries it (and drops it on release), and the
 * runner sets it on both sessions of each copy. A worker that lost a file's lease sends no STOR
 * for it, writes nothing about it (the file is another worker's now) and stops its lane, while
 * its sessions stay open for the next file. On real embedded servers, through the HTTP API.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { TransferFile } from '../../contract/index.js';
import { startFtpServer } from '../src/demo/ftp-server/server.js';
import { FenceError } from '../src/ftp/errors.js';
import type { Fence } from '../src/ftp/fence.js';
import { makeDirectory } from '../src/ftp/ops.js';
import { EventBus } from '../src/events.js';
import { SessionPool } from '../src/sites/pool.js';
import type { FileRow, TransferRow } from '../src/transfers/store.js';
import { addSite, eventually, startTestApp, type TestApp } from './app.js';
import { filesOf, getTransfer, startTransfer } from './faults/api.js';
import { seededBytes, writeFiles } from './fixtures.js';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

const USER = { user: 'tester', password: 'secret' };

/** An embedded server on `address` serving these files, and the command lines it received. */
async function server(address: string, files: Record<string, Buffer> = {}) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pasv-fence-'));
  cleanup.push(() => fs.rmSync(root, { recursive: true, force: true }));
  writeFiles(root, files);
  const log: string[] = [];
  const running = await startFtpServer({ host: address, root, users: [USER], log: (line) => log.push(line) });
  cleanup.push(() => running.close());
  return {
    ...USER,
    root,
    host: address,
    port: running.port,
    running,
    /** Every command line it read, in order. */
    received: () => log.flatMap((line) => /^#\d+ > (.*)$/.exec(line)?.[1] ?? []),
    /** Control connections that ended (a session pasv gave up on would be one). */
    closed: () => log.filter((line) => /^#\d+ closed$/.test(line)).length,
  };
}

function refuse(command: string): never {
  throw new FenceError(command);
}

describe('a pool lease', () => {
  async function pool() {
    const ftp = await server('127.0.0.2');
    const sessions = new SessionPool(
      () => ({ options: { host: ftp.host, port: ftp.port, ...USER }, maxConnections: 1 }),
      new EventBus(),
      { keepaliveMs: 0, backoffMs: 20 },
    );
    cleanup.push(() => sessions.close());
    return { ftp, sessions };
  }

  it('fences its session, on a reconnection too, and the next holder does not inherit it', async () => {
    const { ftp, sessions } = await pool();
    const first = await sessions.lease('site');
    first.fence(refuse);
    const session = await first.acquire();
    await expect(makeDirectory(session, '/a')).rejects.toBeInstanceOf(FenceError);

    ftp.running.destroyConnections(); // the lease reconnects: the fence holds on the new session
    await eventually(() => session.closedError);
    const again = await first.acquire();
    expect(again).not.toBe(session);
    await expect(makeDirectory(again, '/a')).rejects.toBeInstanceOf(FenceError);
    first.release();

    const next = await sessions.lease('site');
    expect(await next.acquire()).toBe(again); // the same warm session, without the fence
    await makeDirectory(again, '/a');
    expect(ftp.received().filter((line) => line.startsWith('MKD'))).toEqual(['MKD /a']);
    next.release();
  });

  it("is cleared by its own clear only: a later file's fence stays", async () => {
    const { sessions } = await pool();
    const lease = await sessions.lease('site');
    const session = await lease.acquire();
    const clearFirst = lease.fence(() => undefined);
    lease.fence(refuse); // the lane's next file, while the last one still finishes
    clearFirst();
    await expect(makeDirectory(session, '/b')).rejects.toBeInstanceOf(FenceError);
    lease.release();
  });

  it("leaves the shared session unfenced: it carries a person's browsing", async () => {
    const { sessions } = await pool();
    const lease = await sessions.lease('site');
    lease.fence(refuse);
    await makeDirectory(await sessions.shared('site').acquire(), '/c');
    lease.release();
  });
});

describe('the runner with a fence', () => {
  const names = ['f1.bin', 'f2.bin', 'f3.bin', 'f4.bin', 'f5.bin'];
  const data = Object.fromEntries(names.map((name, i) => [name, seededBytes(64 * 1024 + i, i + 1)]));

  /** Two servers, an app whose runner fences each file (lost from the 3rd on), the transfer of /tree. */
  async function copyTree(mode: 'fxp' | 'relay') {
    const a = await server('127.0.0.2', Object.fromEntries(names.map((name) => [`tree/${name}`, data[name]!])));
    const b = await server('127.0.0.3');
    const fenced: string[] = [];
    const asked: string[] = [];
    const fence = (file: FileRow): Fence => {
      const name = path.basename(file.source_path);
      fenced.push(name);
      const lost = names.indexOf(name) >= 2;
      return (command) => {
        asked.push(`${command} ${name}`);
        if (lost) throw new Error(`${name}: lease taken over by another worker`);
      };
    };
    const t: TestApp = await startTestApp({ runner: { concurrency: 1, fence } });
    cleanup.push(() => t.close());
    const [source, destination] = [await addSite(t, a, 'A'), await addSite(t, b, 'B')];
    const { id } = await startTransfer(t, [source, '/tree'], [destination, '/in'], mode);

    // Every file tried and the runner idle: the refused ones had their one try.
    await eventually(
      () =>
        asked.filter((line) => /^STOR f[345]/.test(line)).length === 3 &&
        t.app.services.transfers.queueState().running === 0,
    );
    // Longer than the first retry delay (200 ms): a file put back would have been tried again.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    return { a, b, t, id, fenced, asked };
  }

  async function expectFencedFromThirdFile({ a, b, t, id, fenced, asked }: Awaited<ReturnType<typeof copyTree>>) {
    // Files 1 and 2 copied byte for byte; each file fenced once, none retried.
    for (const name of names.slice(0, 2))
      expect(fs.readFileSync(path.join(b.root, 'in', 'tree', name))).toEqual(data[name]);
    expect(fenced).toEqual(names);
    expect(asked).toEqual(names.map((name) => `STOR ${name}`));

    // No STOR of files 3 to 5 reached the destination, and none of them is there.
    const stored = b.received().filter((line) => line.startsWith('STOR'));
    expect(stored).toEqual(['STOR /in/tree/f1.bin', 'STOR /in/tree/f2.bin']);
    expect(fs.readdirSync(path.join(b.root, 'in', 'tree')).sort()).toEqual(['f1.bin', 'f2.bin']);

    // Their rows are as the claim left them: running (someone else's now), no error, no retry.
    const files = await filesOf(t, id);
    const row = (name: string) => files.find((file) => file.path.endsWith(name))!;
    expect(names.slice(0, 2).map((name) => row(name).state)).toEqual(['done', 'done']);
    for (const name of names.slice(2)) {
      expect(row(name)).toMatchObject<Partial<TransferFile>>({ state: 'running', bytesDone: 0 });
      expect(row(name).error).toBeUndefined();
    }
    const transfer = await getTransfer(t, id);
    expect(transfer).toMatchObject({ state: 'running', filesDone: 2 });
    expect(transfer.error).toBeUndefined();
    expect(transfer.notes.some((note) => /left to the worker that owns it now/.test(note))).toBe(true);

    // The refusals broke no session: one login on each server, no control connection ended.
    expect(a.received().filter((line) => line.startsWith('USER'))).toHaveLength(1);
    expect([a.closed(), b.closed()]).toEqual([0, 0]);
  }

  it('copies by FXP the files whose lease holds, and sends no STOR for the others', async () => {
    await expectFencedFromThirdFile(await copyTree('fxp'));
  });

  it('fences a relay the same way', async () => {
    const copy = await copyTree('relay');
    await expectFencedFromThirdFile(copy);
    // The bytes came through pasv: each server saw passive data connections only.
    expect(copy.a.received().some((line) => /^(PORT|EPRT)\b/.test(line))).toBe(false);
    expect(copy.b.received().some((line) => /^(PORT|EPRT)\b/.test(line))).toBe(false);
  });

  it("fences a walk's MKD, and leaves the transfer as it was", async () => {
    const a = await server('127.0.0.2', { 'tree/f1.bin': data['f1.bin']! });
    const b = await server('127.0.0.3');
    const walks: string[] = [];
    const fenceWalk = (transfer: TransferRow): Fence => {
      walks.push(transfer.id);
      return refuse;
    };
    const t = await startTestApp({ runner: { fenceWalk } });
    cleanup.push(() => t.close());
    const [source, destination] = [await addSite(t, a, 'A'), await addSite(t, b, 'B')];
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/transfers',
      headers: t.auth,
      payload: { source: { siteId: source, path: '/tree' }, destination: { siteId: destination, dir: '/in' } },
    });
    const id = response.json().id as string;
    await eventually(() => walks.length === 1 && t.app.services.transfers.queueState().running === 0);
    await new Promise((resolve) => setTimeout(resolve, 1_000)); // past the first retry delay

    expect(walks).toEqual([id]);
    expect(b.received().some((line) => line.startsWith('MKD'))).toBe(false);
    expect(fs.existsSync(path.join(b.root, 'in'))).toBe(false);
    const transfer = await getTransfer(t, id);
    expect(transfer).toMatchObject({ state: 'running', attempts: 0, filesTotal: 0 });
    expect(transfer.error).toBeUndefined();
  });
});
