/**
 * Egress tags on a real cluster: a web node in this process, worker child processes of the
 * real server, one real PostgreSQL. A site pinned to a tag is connected to only by workers
 * announcing it. Which worker a login on an FTP server came from is read from the kernel:
 * while the server handles USER the client waits for the reply, so its socket is open, and
 * /proc names the process that holds it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TestApp } from './app.js';
import { clusterHarness, stors, type LoggedServer } from './cluster-harness.js';
import type { ChildBackend } from './faults/children.js';
import { seededBytes, sha256 } from './fixtures.js';
import { skipWithoutPostgres, withPostgres } from './postgres.js';

const FILES = 10;

interface WatchedServer extends LoggedServer {
  /** Per login, the processes (of those watched) holding a connection to this server at that moment. */
  loginsBy: number[][];
}

/** /proc/net/tcp's spelling of an IPv4 endpoint: the address as a little-endian hex word, then the port. */
function procEndpoint(host: string, port: number): string {
  const address = host
    .split('.')
    .reverse()
    .map((byte) => Number(byte).toString(16).padStart(2, '0'))
    .join('');
  return `${address}:${port.toString(16).padStart(4, '0')}`.toUpperCase();
}

/** Which of `pids` hold an established TCP connection to host:port. */
function pidsConnectedTo(host: string, port: number, pids: number[]): number[] {
  const remote = procEndpoint(host, port);
  const inodes = new Set(
    fs
      .readFileSync('/proc/net/tcp', 'utf8')
      .split('\n')
      .slice(1)
      .map((line) => line.trim().split(/\s+/))
      // Fields: sl, local, remote, state (01 = ESTABLISHED), …, inode (the tenth).
      .filter((fields) => fields[2] === remote && fields[3] === '01')
      .map((fields) => `socket:[${fields[9]}]`),
  );
  return pids.filter((pid) => {
    const dir = `/proc/${pid}/fd`;
    let fds: string[];
    try {
      fds = fs.readdirSync(dir);
    } catch {
      return false;
    }
    return fds.some((fd) => {
      try {
        return inodes.has(fs.readlinkSync(path.join(dir, fd)));
      } catch {
        return false;
      }
    });
  });
}

describe.skipIf(skipWithoutPostgres())('egress tags in a cluster', () => {
  const postgres = withPostgres('test');
  const harness = clusterHarness(postgres);
  const { cleanup, webNode, copy, transfer, finished } = harness;
  /** The processes a login may come from: this one (the web node) and every worker started. */
  const watched: number[] = [];

  async function ftp(address: string, files: Record<string, Buffer> = {}): Promise<WatchedServer> {
    const loginsBy: number[][] = [];
    // Synchronous, before the server answers USER: the client is still waiting on this socket.
    const logged = await harness.ftp(address, files, {
      onCommand: (line) => {
        if (/ > USER /.test(line)) loginsBy.push(pidsConnectedTo(address, logged.server.port, [process.pid, ...watched]));
      },
    });
    return { ...logged, loginsBy };
  }

  async function worker(env: Record<string, string> = {}): Promise<ChildBackend> {
    const node = await harness.worker(env);
    watched.push(node.pid);
    cleanup.push(() => void watched.splice(watched.indexOf(node.pid), 1));
    return node;
  }

  async function site(t: TestApp, server: WatchedServer, name: string, egress?: string): Promise<string> {
    const id = await harness.site(t, server, name, { maxConnections: 4, ...(egress ? { egress } : {}) });
    expect((await t.app.inject({ url: `/api/sites/${id}`, headers: t.auth })).json().egress).toBe(egress ?? null);
    return id;
  }


  function tree(seed: number): Record<string, Buffer> {
    const files: Record<string, Buffer> = {};
    for (let i = 0; i < FILES; i++) files[`tree/f${i}.bin`] = seededBytes(4096 + i * 131, seed + i);
    return files;
  }

  function expectCopied(files: Record<string, Buffer>, server: WatchedServer): void {
    for (const [name, data] of Object.entries(files))
      expect(sha256(fs.readFileSync(path.join(server.root, name))), name).toBe(sha256(data));
  }

  it('an untagged worker leaves a pinned site alone, working the untagged transfer; a tagged worker then copies the pinned one', async () => {
    const files = tree(100);
    const a = await ftp('127.0.0.2', files);
    const pinnedDestination = await ftp('127.0.0.3');
    const freeDestination = await ftp('127.0.0.4');
    const t = await webNode();
    const source = await site(t, a, 'A');
    const pinnedId = await site(t, pinnedDestination, 'B (eu-1)', 'eu-1');
    const freeId = await site(t, freeDestination, 'C');

    const untagged = await worker();
    // The pinned transfer first: it is ahead in the queue, and still the untagged worker does not take it.
    const pinned = await copy(t, source, '/tree', pinnedId);
    const free = await copy(t, source, '/tree', freeId);
    expect(await finished(t, free.id)).toMatchObject({ state: 'done', filesDone: FILES, filesFailed: 0 });
    expectCopied(files, freeDestination);
    expect(freeDestination.loginsBy.length).toBeGreaterThan(0);
    for (const pids of freeDestination.loginsBy) expect(pids).toEqual([untagged.pid]);

    // Not walked, not copied, not even logged into, while the only worker was busy with work behind it.
    expect(await transfer(t, pinned.id)).toMatchObject({ state: 'queued', filesDone: 0 });
    expect(pinnedDestination.commands).toEqual([]);
    expect(stors(pinnedDestination)).toHaveLength(0);

    const tagged = await worker({ PASV_EGRESS_TAGS: 'eu-1' });
    expect(await finished(t, pinned.id)).toMatchObject({ state: 'done', filesDone: FILES, filesFailed: 0 });
    expectCopied(files, pinnedDestination);
    expect(stors(pinnedDestination)).toHaveLength(FILES);
    // Every login on the pinned site, hence every STOR there, from the tagged worker, though the
    // untagged one was running all along.
    expect(pinnedDestination.loginsBy.length).toBeGreaterThan(0);
    for (const pids of pinnedDestination.loginsBy) expect(pids).toEqual([tagged.pid]);
  }, 180_000);

  it('a transfer between sites of two tags waits for a worker announcing both', async () => {
    const files = tree(200);
    const controlFiles = tree(300);
    const usSource = await ftp('127.0.0.2', files);
    const euDestination = await ftp('127.0.0.3');
    const freeSource = await ftp('127.0.0.4', controlFiles);
    const controlDestination = await ftp('127.0.0.5');
    const t = await webNode();
    const us = await site(t, usSource, 'A (us-1)', 'us-1');
    const eu = await site(t, euDestination, 'B (eu-1)', 'eu-1');
    const free = await site(t, freeSource, 'C');
    const euControl = await site(t, controlDestination, 'D (eu-1)', 'eu-1');

    const euOnly = await worker({ PASV_EGRESS_TAGS: 'eu-1' });
    const both = await copy(t, us, '/tree', eu);
    // What the eu-1 worker may take (one eu-1 site), it does.
    const control = await copy(t, free, '/tree', euControl);
    expect(await finished(t, control.id)).toMatchObject({ state: 'done', filesDone: FILES });
    expectCopied(controlFiles, controlDestination);
    for (const pids of controlDestination.loginsBy) expect(pids).toEqual([euOnly.pid]);
    expect(await transfer(t, both.id)).toMatchObject({ state: 'queued', filesDone: 0 });
    expect(usSource.commands).toEqual([]);
    expect(euDestination.commands).toEqual([]);

    const euAndUs = await worker({ PASV_EGRESS_TAGS: 'us-1,eu-1' });
    expect(await finished(t, both.id)).toMatchObject({ state: 'done', filesDone: FILES, filesFailed: 0 });
    expectCopied(files, euDestination);
    expect(stors(euDestination)).toHaveLength(FILES);
    for (const server of [usSource, euDestination]) {
      expect(server.loginsBy.length).toBeGreaterThan(0);
      for (const pids of server.loginsBy) expect(pids).toEqual([euAndUs.pid]);
    }
  }, 180_000);
});
