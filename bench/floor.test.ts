import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { skipWithout, startVsftpd, type RunningFtpServer } from '../server/test/servers/index.js';
import { floorCopy, ReplyParser, type FloorInput } from './floor.js';

describe('ReplyParser', () => {
  // Inside "211-…", a line with another code or with "211-" closes nothing; only "211 " does.
  const stream =
    '220 (vsFTPd 3.0.3)\r\n' +
    '211-Features:\r\n EPRT\r\n226 not this reply\r\n211-nor this\r\n PASV\r\n211 End\r\n' +
    '227 Entering Passive Mode (127,0,0,3,156,64).\r\n' +
    '150 Ok to send data.\n' +
    '226 Transfer complete.\r\n';
  const expected = [
    { code: 220, text: '220 (vsFTPd 3.0.3)' },
    { code: 211, text: '211-Features:\n EPRT\n226 not this reply\n211-nor this\n PASV\n211 End' },
    { code: 227, text: '227 Entering Passive Mode (127,0,0,3,156,64).' },
    { code: 150, text: '150 Ok to send data.' },
    { code: 226, text: '226 Transfer complete.' },
  ];

  it('reads single- and multi-line replies, CRLF or LF', () => {
    expect(new ReplyParser().push(stream)).toEqual(expected);
  });

  it('gives the same replies however TCP cuts the stream', () => {
    for (let cut = 1; cut < stream.length; cut++) {
      const parser = new ReplyParser();
      expect([...parser.push(stream.slice(0, cut)), ...parser.push(stream.slice(cut))]).toEqual(expected);
    }
    const parser = new ReplyParser();
    expect([...stream].flatMap((char) => parser.push(char))).toEqual(expected);
  });

  it('refuses a line that is no reply', () => {
    expect(() => new ReplyParser().push('hello\r\n')).toThrow(/not an FTP reply/);
  });
});

describe.skipIf(skipWithout('vsftpd'))('floorCopy between two vsftpds', () => {
  const names = Array.from({ length: 20 }, (_, i) => `f${String(i).padStart(5, '0')}.bin`);
  const content = new Map(names.map((name) => [name, crypto.randomBytes(4096 + names.indexOf(name))]));
  let source: RunningFtpServer;
  let destination: RunningFtpServer;

  beforeAll(async () => {
    source = await startVsftpd({
      address: '127.0.0.2',
      files: Object.fromEntries(names.map((name) => [`dir/${name}`, content.get(name)!])),
    });
    destination = await startVsftpd({ address: '127.0.0.3' });
  });
  afterAll(async () => {
    await Promise.all([source?.stop(), destination?.stop()]);
  });
  beforeEach(() => fs.rmSync(path.join(destination.root, 'dir'), { recursive: true, force: true }));

  const input = (concurrency: number, files = names): FloorInput => ({
    source,
    destination,
    dir: '/dir',
    names: files,
    concurrency,
  });

  it.each([1, 4])('copies 20 files byte for byte at concurrency %i', async (concurrency) => {
    const { loginMs } = await floorCopy(input(concurrency));
    expect(loginMs).toBeGreaterThan(0);
    expect(fs.readdirSync(path.join(destination.root, 'dir')).sort()).toEqual(names);
    for (const name of names) {
      expect(fs.readFileSync(path.join(destination.root, 'dir', name)).equals(content.get(name)!)).toBe(true);
    }
  });

  it("fails with the server's reply when a file cannot be read", async () => {
    await expect(floorCopy(input(2, [...names.slice(0, 3), 'missing.bin']))).rejects.toThrow(
      /source \d: RETR \/dir\/missing\.bin → 550 /,
    );
  });
});
