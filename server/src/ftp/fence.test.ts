/**
 * The fence at the bottom of the session, against the embedded server: a refused command never
 * reaches the server (its own log of what it received says so), the rest passes untouched, and
 * the session goes on working for whoever holds it next.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startFtpServer } from '../demo/ftp-server/server.js';
import { connectData, requestPassive } from './data.js';
import { FenceError } from './errors.js';
import { GUARDED_VERBS, type Fence } from './fence.js';
import { deleteFile, ensureDirectory, list, makeDirectory, modifiedAt, removeTree, rename, size } from './ops.js';
import { encodePort } from './pasv.js';
import { FtpSession } from './session.js';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

const content = Buffer.from('0123456789'.repeat(100));

/** An embedded server with a few files, the command lines it received, and a session to it. */
async function setup() {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pasv-fence-'));
  cleanup.push(() => fs.rmSync(root, { recursive: true, force: true }));
  fs.writeFileSync(path.join(root, 'a.bin'), content);
  fs.mkdirSync(path.join(root, 'empty'));
  const log: string[] = [];
  const server = await startFtpServer({
    host: '127.0.0.2',
    root,
    users: [{ user: 'tester', password: 'secret' }],
    log: (line) => log.push(line),
  });
  cleanup.push(() => server.close());
  const session = await FtpSession.connect({
    host: server.host,
    port: server.port,
    user: 'tester',
    password: 'secret',
  });
  cleanup.push(() => session.close());
  /** Every command line the server read, in order. */
  const received = () => log.flatMap((line) => /^#\d+ > (.*)$/.exec(line)?.[1] ?? []);
  const sawVerb = (verb: string) => received().some((line) => line.split(' ')[0]!.toUpperCase() === verb);
  return { root, session, received, sawVerb };
}

/** A fence that refuses every command it is asked about, and remembers which. */
function refusing(): Fence & { asked: [string, string][] } {
  const asked: [string, string][] = [];
  const fence = (command: string, argument: string) => {
    asked.push([command, argument]);
    throw new Error('token 7 superseded by 8');
  };
  return Object.assign(fence, { asked });
}

/** STOR or APPE with its data, as a copy sends it: PASV, connect, optional REST, the command. */
function upload(session: FtpSession, verb: 'STOR' | 'APPE', file: string, data: Buffer, offset = 0): Promise<void> {
  return session.task(async (task) => {
    await task.binary();
    const { endpoint } = await requestPassive(task);
    const socket = await connectData(session, endpoint);
    try {
      if (offset > 0) await task.send('REST', String(offset));
      const command = task.transfer(verb, file);
      await command.started;
      socket.end(data);
      await command.done;
    } finally {
      socket.destroy();
    }
  });
}

function retrieve(session: FtpSession, file: string): Promise<Buffer> {
  return session.task(async (task) => {
    await task.binary();
    const { endpoint } = await requestPassive(task);
    const socket = await connectData(session, endpoint);
    const command = task.transfer('RETR', file);
    const chunks: Buffer[] = [];
    for await (const chunk of socket) chunks.push(chunk as Buffer);
    await command.done;
    return Buffer.concat(chunks);
  });
}

// [the verb kept off the wire, what sends it, what the server's disk must still show]
const refusals: [string, (s: FtpSession) => Promise<unknown>, (root: string) => void][] = [
  [
    'STOR',
    (s) => upload(s, 'STOR', '/new.bin', content),
    (root) => expect(fs.existsSync(path.join(root, 'new.bin'))).toBe(false),
  ],
  [
    'APPE',
    (s) => upload(s, 'APPE', '/a.bin', content),
    (root) => expect(fs.readFileSync(path.join(root, 'a.bin'))).toEqual(content),
  ],
  ['DELE', (s) => deleteFile(s, '/a.bin'), (root) => expect(fs.existsSync(path.join(root, 'a.bin'))).toBe(true)],
  [
    'RNFR',
    (s) => rename(s, '/a.bin', '/b.bin'),
    (root) => expect(fs.readdirSync(root).sort()).toEqual(['a.bin', 'empty']),
  ],
  ['MKD', (s) => makeDirectory(s, '/made'), (root) => expect(fs.existsSync(path.join(root, 'made'))).toBe(false)],
  [
    'MKD',
    (s) => ensureDirectory(s, '/made/deeper'), // the walk's way: CWD up until one works, then MKD down
    (root) => expect(fs.existsSync(path.join(root, 'made'))).toBe(false),
  ],
  [
    'RMD',
    (s) => removeTree(s, '/empty'), // its LIST goes out, its RMD does not
    (root) => expect(fs.statSync(path.join(root, 'empty')).isDirectory()).toBe(true),
  ],
];

describe('a session with a fence that refuses', () => {
  it.each(refusals)(
    'keeps %s off the wire, fails it with lease_lost, and stays usable',
    async (verb, send, unchanged) => {
      const { root, session, sawVerb } = await setup();
      const fence = refusing();
      session.setFence(fence);

      const error = await send(session).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(FenceError);
      expect(error).toMatchObject({ code: 'lease_lost', cause: new Error('token 7 superseded by 8') });
      expect((error as Error).message).toMatch(new RegExp(`^${verb} /\\S+ not sent: the lease on this work is lost`));
      expect(fence.asked.map(([command]) => command)).toEqual([verb]);
      expect(sawVerb(verb)).toBe(false);
      unchanged(root);

      // Not the session's fault: it is not closed, and the next command goes through.
      expect(session.closedError).toBeNull();
      await expect(session.send('NOOP')).resolves.toMatchObject({ code: 200 });
    },
  );

  it('keeps RNTO off the wire when only it is refused, after its RNFR went out', async () => {
    const { root, session, sawVerb } = await setup();
    session.setFence((command) => {
      if (command === 'RNTO') throw new FenceError('RNTO /b.bin');
    });
    await expect(rename(session, '/a.bin', '/b.bin')).rejects.toThrow(new FenceError('RNTO /b.bin'));
    expect([sawVerb('RNFR'), sawVerb('RNTO')]).toEqual([true, false]);
    expect(fs.readdirSync(root).sort()).toEqual(['a.bin', 'empty']);
    await expect(session.send('NOOP')).resolves.toMatchObject({ code: 200 });
  });

  it('never asks about commands that can be undone: SIZE, MDTM, CWD, LIST and RETR pass', async () => {
    const { session, received } = await setup();
    const fence = refusing();
    session.setFence(fence);
    expect(await size(session, '/a.bin')).toBe(content.length);
    expect(await modifiedAt(session, '/a.bin')).not.toBeNull();
    await session.send('CWD', '/empty');
    expect((await list(session, '/')).entries.map((e) => e.name).sort()).toEqual(['a.bin', 'empty']);
    expect(await retrieve(session, '/a.bin')).toEqual(content);
    expect(fence.asked).toEqual([]);
    expect(received()).toEqual(expect.arrayContaining(['SIZE /a.bin', 'MDTM /a.bin', 'RETR /a.bin']));
  });

  it('asks with the verb and the argument, and lets the command go when the fence returns', async () => {
    const { root, session, received } = await setup();
    const asked: [string, string][] = [];
    session.setFence((command, argument) => void asked.push([command, argument]));
    await makeDirectory(session, '/dir name');
    await upload(session, 'STOR', '/dir name/x.bin', content);
    await rename(session, '/dir name/x.bin', '/dir name/y.bin');
    expect(asked).toEqual([
      ['MKD', '/dir name'],
      ['STOR', '/dir name/x.bin'],
      ['RNFR', '/dir name/x.bin'],
      ['RNTO', '/dir name/y.bin'],
    ]);
    expect(fs.readFileSync(path.join(root, 'dir name', 'y.bin'))).toEqual(content);
    expect(received()).toContain('RNTO /dir name/y.bin');
  });

  it('undoes the REST of a refused resume, so the next transfer on the session starts at 0', async () => {
    const { session, received } = await setup();
    const fence = refusing();
    session.setFence(fence);
    await expect(upload(session, 'STOR', '/a.bin', content, 100)).rejects.toBeInstanceOf(FenceError);
    // The server holds a REST until its next transfer command: without the REST 0 this RETR,
    // the next holder's, would start at byte 100.
    session.setFence(null);
    expect(await retrieve(session, '/a.bin')).toEqual(content);
    const after = received().slice(received().indexOf('REST 100'));
    expect(after).toEqual(['REST 100', 'REST 0', 'PASV', 'RETR /a.bin']);
  });

  it('refuses a STOR pipelined behind its PORT, and the session stays in step', async () => {
    const { session, received, sawVerb } = await setup();
    const fence = refusing();
    session.setFence(fence);
    const outcome = await session.task(async (task) => {
      await task.binary();
      const port = task.send('PORT', encodePort({ host: '127.0.0.3', port: 40000 }));
      const store = task.transfer('STOR', '/p.bin', { pipelined: true });
      await port;
      return store.done.catch((e: unknown) => e);
    });
    expect(outcome).toBeInstanceOf(FenceError);
    expect(fence.asked).toEqual([['STOR', '/p.bin']]); // once, when it would have gone out with the PORT
    expect(received()).toContain('PORT 127,0,0,3,156,64');
    expect(sawVerb('STOR')).toBe(false);
    // Every reply still answers its own command.
    expect((await session.send('NOOP')).code).toBe(200);
    expect(await size(session, '/a.bin')).toBe(content.length);
  });

  it('is lifted with setFence(null)', async () => {
    const { root, session } = await setup();
    session.setFence(refusing());
    await expect(makeDirectory(session, '/made')).rejects.toBeInstanceOf(FenceError);
    session.setFence(null);
    await makeDirectory(session, '/made');
    expect(fs.statSync(path.join(root, 'made')).isDirectory()).toBe(true);
  });

  it('guards the seven commands pasv sends that cannot be undone, and their other names', () => {
    expect([...GUARDED_VERBS]).toEqual(['STOR', 'APPE', 'DELE', 'RNFR', 'RNTO', 'RMD', 'MKD', 'XMKD', 'XRMD', 'STOU']);
  });
});
