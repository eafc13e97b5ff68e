/**
 * A transfer created with an explicit file list (what a mirror run hands the queue): the
 * listed files only, into folders the caller made, through the ordinary runner.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Transfer } from '../../contract/index.js';
import { eventually, startTestApp } from './app.js';
import { embedded } from './fixtures.js';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

describe('planned transfers', () => {
  it('copies exactly the listed files, without walking the source dir', async () => {
    const a = await embedded.start({ address: '127.0.0.2', files: { 'src/one.txt': 'one', 'src/sub/two.txt': 'two', 'src/left-out.txt': 'no' } });
    cleanup.push(() => a.stop());
    const b = await embedded.start({ address: '127.0.0.3', files: { 'dst/sub/.keep': '' } });
    cleanup.push(() => b.stop());
    const t = await startTestApp();
    cleanup.push(() => t.close());
    const site = async (server: typeof a, name: string) =>
      (
        await t.app.inject({
          method: 'POST',
          url: '/api/sites',
          headers: t.auth,
          payload: { name, host: server.host, port: server.port, user: server.user, password: server.password },
        })
      ).json().id as string;
    const [source, destination] = [await site(a, 'A'), await site(b, 'B')];

    const created = t.app.services.transfers.createPlanned({
      name: 'mirror',
      source: { siteId: source, dir: '/src' },
      destination: { siteId: destination, dir: '/dst' },
      files: [
        { source: '/src/one.txt', destination: '/dst/one.txt', size: 3 },
        { source: '/src/sub/two.txt', destination: '/dst/sub/two.txt', size: 3 },
      ],
    });
    expect(created).toMatchObject({ kind: 'dir', filesTotal: 2 });
    const done = await eventually(async () => {
      const current = (await t.app.inject({ url: `/api/transfers/${created.id}`, headers: t.auth })).json() as Transfer;
      return current.state === 'done' ? current : null;
    });
    expect(done).toMatchObject({ filesDone: 2, filesFailed: 0 });
    expect(fs.readFileSync(path.join(b.root, 'dst', 'one.txt'), 'utf8')).toBe('one');
    expect(fs.readFileSync(path.join(b.root, 'dst', 'sub', 'two.txt'), 'utf8')).toBe('two');
    expect(fs.existsSync(path.join(b.root, 'dst', 'left-out.txt'))).toBe(false);
    expect(fs.existsSync(path.join(b.root, 'dst', 'src'))).toBe(false);
  });
});
