/**
 * Cluster slots on a real PostgreSQL: each PostgresDb is its own connection, as each node's
 * is, and a slot is free again when its holder releases it, closes its connection, or is
 * killed outright.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { skipWithoutPostgres, withPostgres } from '../../test/postgres.js';
import { openPostgres, type PostgresDb } from '../store/postgres.js';
import { ClusterSlots } from './slots.js';

const cleanup: (() => void)[] = [];
afterEach(() => {
  for (const step of cleanup.splice(0).reverse()) step();
});

function node(url: string): { db: PostgresDb; slots: ClusterSlots } {
  const db = openPostgres(url);
  cleanup.push(() => db.close());
  return { db, slots: new ClusterSlots(db) };
}

/** Every slot of `max` that `slots` can take now, in order. */
function takeAll(slots: ClusterSlots, siteId: string, max: number): number[] {
  const taken: number[] = [];
  for (let slot = slots.tryAcquire(siteId, max); slot !== null; slot = slots.tryAcquire(siteId, max)) taken.push(slot);
  return taken;
}

describe.skipIf(skipWithoutPostgres())('ClusterSlots', () => {
  const postgres = withPostgres('test');

  it('gives each slot to one connection at a time, per site, until it is released', () => {
    const a = node(postgres.url);
    const b = node(postgres.url);
    expect(takeAll(a.slots, 'site-1', 3)).toEqual([0, 1, 2]);
    // A connection never takes its own slot twice (advisory locks stack within a session).
    expect(a.slots.tryAcquire('site-1', 3)).toBeNull();
    expect(b.slots.tryAcquire('site-1', 3)).toBeNull();
    expect(b.slots.tryAcquire('site-2', 3)).toBe(0);

    a.slots.release('site-1', 1);
    expect(b.slots.tryAcquire('site-1', 3)).toBe(1);
    expect(a.slots.tryAcquire('site-1', 3)).toBeNull();
    // A larger limit has more slots; a smaller one only the first.
    expect(a.slots.tryAcquire('site-1', 4)).toBe(3);
    expect(b.slots.tryAcquire('site-1', 1)).toBeNull();
  });

  it('keeps a slot taken inside a transaction that rolls back', () => {
    const a = node(postgres.url);
    const b = node(postgres.url);
    expect(() =>
      a.db.transaction(() => {
        expect(a.slots.tryAcquire('site-1', 1)).toBe(0);
        throw new Error('rolled back');
      })(),
    ).toThrow('rolled back');
    expect(b.slots.tryAcquire('site-1', 1)).toBeNull();
  });

  it("frees a connection's slots when it closes", () => {
    const a = node(postgres.url);
    const b = node(postgres.url);
    expect(takeAll(a.slots, 'site-1', 2)).toEqual([0, 1]);
    expect(b.slots.tryAcquire('site-1', 2)).toBeNull();
    a.db.close();
    expect(takeAll(b.slots, 'site-1', 2)).toEqual([0, 1]);
  });

  it('says which sites some node waits for, in this database only', async () => {
    const a = node(postgres.url);
    const b = node(postgres.url);
    const elsewhere = node(await postgres.createDatabase());
    a.slots.want('site-1', true);
    b.slots.want('site-1', true);
    expect(b.slots.wanted('site-1')).toBe(true);
    expect(b.slots.wanted('site-2')).toBe(false);
    expect(elsewhere.slots.wanted('site-1')).toBe(false);
    // The mark does not take a slot.
    expect(b.slots.tryAcquire('site-1', 1)).toBe(0);
    a.slots.want('site-1', false);
    expect(a.slots.wanted('site-1')).toBe(true); // b still waits
    b.slots.want('site-1', false);
    expect(a.slots.wanted('site-1')).toBe(false);
    a.slots.want('site-1', true);
    a.db.close(); // the mark goes with the connection too
    expect(b.slots.wanted('site-1')).toBe(false);
  });

  it('frees the slots of a process killed with SIGKILL at once', async () => {
    const b = node(postgres.url);
    const child = holder(postgres.url, 'site-1', 2);
    cleanup.push(() => {
      if (child.exitCode === null && child.signalCode === null) process.kill(child.pid!, 'SIGKILL');
    });
    expect(await firstLine(child)).toBe('[0,1]');
    expect(b.slots.tryAcquire('site-1', 2)).toBeNull();

    const exited = new Promise((resolve) => child.once('exit', resolve));
    process.kill(child.pid!, 'SIGKILL');
    await exited;
    // PostgreSQL ends the killed process's backend when its socket closes: no expiry to wait out.
    const deadline = Date.now() + 5_000;
    let taken: number[] = [];
    while (taken.length < 2 && Date.now() < deadline) {
      taken = [...taken, ...takeAll(b.slots, 'site-1', 2)];
      if (taken.length < 2) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(taken.sort()).toEqual([0, 1]);
  });
});

/** A node of its own: takes every slot of the site, prints them, and holds them until killed. */
function holder(url: string, siteId: string, max: number): ChildProcess {
  const source = `
    import { openPostgres } from ${JSON.stringify(new URL('../store/postgres.ts', import.meta.url).pathname)};
    import { ClusterSlots } from ${JSON.stringify(new URL('./slots.ts', import.meta.url).pathname)};
    const slots = new ClusterSlots(openPostgres(process.env.PASV_TEST_URL));
    const taken = [];
    for (let slot; (slot = slots.tryAcquire(${JSON.stringify(siteId)}, ${max})) !== null; ) taken.push(slot);
    process.stdout.write(JSON.stringify(taken) + '\\n');
    setInterval(() => {}, 60_000);
  `;
  return spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', source], {
    env: { ...process.env, PASV_TEST_URL: url },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
}

function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('\n')) resolve(out.split('\n')[0]!);
    });
    child.once('exit', (code) => reject(new Error(`the holder exited (${code}) before it held its slots`)));
  });
}
