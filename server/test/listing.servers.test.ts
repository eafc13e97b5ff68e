/**
 * A folder listed by every real server kind as the browser lists it (ops.list: MLSD where
 * offered, LIST otherwise), checked against the disk: thousands of names with spaces and
 * multi-byte characters, so the listing spans many data chunks and characters are cut
 * between them; a folder, a symlink; dates both in ls's "older than six months" year form
 * (a Feb 29) and in its recent hh:mm form.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ListEntry } from '../src/ftp/listing.js';
import { list } from '../src/ftp/ops.js';
import { FtpSession } from '../src/ftp/session.js';
import { serverKinds, skipWithout, startServer, type RunningFtpServer } from './servers/index.js';

const COUNT = 3000;
const OLD = new Date('2024-02-29T13:45:30Z');
const name = (i: number) => `n ${String(i).padStart(4, '0')}  été 日本語 🚀.txt`;

for (const kind of serverKinds) {
  describe.skipIf(skipWithout(kind))(`${kind}: a big folder listed`, () => {
    let server: RunningFtpServer;
    let session: FtpSession;
    // Recent: an hour ago, whole seconds (MLSD gives seconds, ls minutes).
    const recent = new Date(Math.floor((Date.now() - 3_600_000) / 1000) * 1000);

    beforeAll(async () => {
      server = await startServer(kind, { address: '127.0.0.61' });
      const dir = path.join(server.root, 'big');
      fs.mkdirSync(path.join(dir, 'sub dir'), { recursive: true });
      for (let i = 0; i < COUNT; i++) {
        const file = path.join(dir, name(i));
        fs.writeFileSync(file, Buffer.alloc(i % 97, 1));
        const when = i % 2 === 0 ? OLD : recent;
        fs.utimesSync(file, when, when);
      }
      fs.symlinkSync(name(1), path.join(dir, 'a link'));
      session = await FtpSession.connect({
        host: server.host,
        port: server.port,
        user: server.user,
        password: server.password,
      });
    });
    afterAll(async () => {
      await session?.close();
      await server?.stop();
    });

    it('lists every entry with its name, type, size and date', async () => {
      const { entries, rejected, unsafeNames } = await list(session, '/big');
      expect([rejected, unsafeNames]).toEqual([0, []]);
      const byName = new Map<string, ListEntry>(entries.map((entry) => [entry.name, entry]));
      expect(byName.size).toBe(COUNT + 2);
      const mlsd = session.features.has('MLST');
      for (let i = 0; i < COUNT; i++) {
        const when = i % 2 === 0 ? OLD : recent;
        // ls shows a year for old dates (no time of day) and hh:mm for recent ones; MLSD the second.
        const expected = mlsd
          ? when.toISOString()
          : i % 2 === 0
            ? '2024-02-29T00:00:00.000Z'
            : new Date(Math.floor(when.getTime() / 60_000) * 60_000).toISOString();
        expect(byName.get(name(i)), name(i)).toEqual({
          name: name(i),
          type: 'file',
          size: i % 97,
          modifiedAt: expected,
        });
      }
      expect(byName.get('sub dir')).toMatchObject({ type: 'dir', size: 0 });
      // A server that follows the link (pure-ftpd's MLSD) shows the file it points to.
      expect(['link', 'file']).toContain(byName.get('a link')?.type);
    });
  });
}
