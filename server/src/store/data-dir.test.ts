import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { startTestApp } from '../../test/app.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function modesIn(dataDir: string): Record<string, string> {
  const modes: Record<string, string> = { '.': (fs.statSync(dataDir).mode & 0o777).toString(8) };
  for (const name of fs.readdirSync(dataDir)) {
    const stat = fs.statSync(path.join(dataDir, name));
    if (stat.isFile()) modes[name] = (stat.mode & 0o777).toString(8);
  }
  return modes;
}

it.each([
  ['a new data dir', false],
  ['a data dir left at 0755 with 0644 files', true],
])('keeps %s private: the dir 0700, every file in it 0600', async (_label, preexisting) => {
  const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'pasv-modes-'));
  dirs.push(parent);
  const dataDir = path.join(parent, 'data');
  if (preexisting) {
    fs.mkdirSync(dataDir);
    fs.chmodSync(dataDir, 0o755);
    for (const [name, content] of [
      ['pasv.sqlite', ''],
      // Left by a run that was killed: SQLite reuses them as they are.
      ['pasv.sqlite-wal', ''],
      ['pasv.sqlite-shm', ''],
      ['master.key', crypto.randomBytes(32).toString('base64')],
    ] as const) {
      fs.writeFileSync(path.join(dataDir, name), content);
      fs.chmodSync(path.join(dataDir, name), 0o644);
    }
  }
  const t = await startTestApp({ dataDir });
  try {
    // A write, so the WAL and its index exist while the database is open.
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/sites',
      headers: t.auth,
      payload: { name: 'a', host: '127.0.0.2', port: 2121, user: 'u', password: 'p' },
    });
    expect(created.statusCode).toBe(201);
    const modes = modesIn(dataDir);
    expect(Object.keys(modes).sort()).toEqual(['.', 'master.key', 'pasv.sqlite', 'pasv.sqlite-shm', 'pasv.sqlite-wal']);
    expect(modes).toEqual({
      '.': '700',
      'master.key': '600',
      'pasv.sqlite': '600',
      'pasv.sqlite-shm': '600',
      'pasv.sqlite-wal': '600',
    });
  } finally {
    await t.close();
  }
});
