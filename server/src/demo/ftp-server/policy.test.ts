import { randomBytes } from 'node:crypto';
import { readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parsePasvReply } from '../../ftp/pasv.js';
import { connectData, makeTempDir, RawFtpClient, readAll } from '../../../test/raw-ftp-client.js';
import { SLOW_CUT_BYTES, type PolicyOptions } from './policy.js';
import { startFtpServer, type EmbeddedFtpServer } from './server.js';

const USER = { user: 'alice', password: 's3cret' };
const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function serve(policy: PolicyOptions, files: Record<string, Buffer> = {}) {
  const tmp = await makeTempDir();
  cleanup.push(() => tmp.remove());
  for (const [name, data] of Object.entries(files)) await writeFile(path.join(tmp.dir, name), data);
  const server = await startFtpServer({ root: tmp.dir, users: [USER], ...policy });
  cleanup.push(() => server.close());
  return { server, root: tmp.dir };
}

async function client(server: EmbeddedFtpServer): Promise<RawFtpClient> {
  const raw = await RawFtpClient.connect(server.host, server.port);
  cleanup.push(() => raw.close());
  await raw.login(USER.user, USER.password);
  return raw;
}

/** PASV, `command`, then `payload` written and the data connection closed: the final reply. */
async function upload(raw: RawFtpClient, command: string, payload: Buffer) {
  const target = parsePasvReply((await raw.command('PASV')).text);
  const socket = await connectData(target.host, target.port);
  const preliminary = await raw.command(command);
  if (preliminary.code !== 150) {
    socket.destroy();
    return preliminary;
  }
  socket.end(payload);
  return raw.read();
}

async function download(raw: RawFtpClient, command: string) {
  const target = parsePasvReply((await raw.command('PASV')).text);
  const socket = await connectData(target.host, target.port);
  const data = readAll(socket);
  const preliminary = await raw.command(command);
  expect(preliminary.code).toBe(150);
  return { final: await raw.read(), data: await data };
}

describe('policy switches', () => {
  it('dupes: STOR or APPE onto an existing file is 553 X-DUPE; a new file and a REST resume are not', async () => {
    const { server, root } = await serve({ dupes: true }, { 'a.bin': Buffer.from('old') });
    const raw = await client(server);
    expect(await upload(raw, 'STOR a.bin', Buffer.from('new'))).toMatchObject({
      code: 553,
      text: 'X-DUPE: a.bin already exists',
    });
    expect((await upload(raw, 'APPE a.bin', Buffer.from('more'))).code).toBe(553);
    expect(await readFile(path.join(root, 'a.bin'), 'utf8')).toBe('old');
    expect((await upload(raw, 'STOR b.bin', Buffer.from('b'))).code).toBe(226);
    expect((await raw.command('REST 3')).code).toBe(350);
    expect((await upload(raw, 'STOR a.bin', Buffer.from('!'))).code).toBe(226);
    expect(await readFile(path.join(root, 'a.bin'), 'utf8')).toBe('old!');
  });

  it('quotaBytes: the bytes past the quota are dropped and the STOR ends 452; a raised quota takes more', async () => {
    const { server, root } = await serve({ quotaBytes: 100_000 }, { 'held.bin': randomBytes(40_000) });
    const raw = await client(server);
    expect((await upload(raw, 'STOR small.bin', randomBytes(50_000))).code).toBe(226);
    expect(await upload(raw, 'STOR big.bin', randomBytes(30_000))).toMatchObject({
      code: 452,
      text: 'Error writing file: No space left on device.',
    });
    expect((await stat(path.join(root, 'big.bin'))).size).toBe(10_000);
    server.setQuota(200_000);
    const data = randomBytes(30_000);
    expect((await upload(raw, 'STOR big.bin', data)).code).toBe(226);
    expect(await readFile(path.join(root, 'big.bin'))).toEqual(data);
  });

  it('maxLogins: a login beyond n gets 530 and is closed; a logout makes room', async () => {
    const { server } = await serve({ maxLogins: 2 });
    const [first] = [await client(server), await client(server)];
    const third = await RawFtpClient.connect(server.host, server.port);
    cleanup.push(() => third.close());
    expect((await third.command(`USER ${USER.user}`)).code).toBe(331);
    expect(await third.command(`PASS ${USER.password}`)).toMatchObject({
      code: 530,
      text: 'Sorry, your account is restricted to 2 simultaneous logins.',
    });
    await expect(third.read(2_000)).rejects.toThrow('closed');
    expect(server.logins()).toEqual({ now: 2, peak: 2, refused: 1 });
    first.close();
    await expect.poll(() => server.logins().now).toBe(1);
    await client(server);
    expect(server.logins()).toEqual({ now: 2, peak: 2, refused: 1 });
  });

  it('slowTransfers: the next n file transfers are cut with 426 Slow transfer, then they complete', async () => {
    const data = randomBytes(SLOW_CUT_BYTES * 4);
    const { server } = await serve({ slowTransfers: 1 }, { 'a.bin': data });
    const raw = await client(server);
    const cut = await download(raw, 'RETR a.bin');
    expect(cut.final).toMatchObject({ code: 426, text: 'Slow transfer, you were too slow.' });
    expect(cut.data).toEqual(data.subarray(0, SLOW_CUT_BYTES));
    const whole = await download(raw, 'RETR a.bin');
    expect(whole.final.code).toBe(226);
    expect(whole.data).toEqual(data);
  });
});
