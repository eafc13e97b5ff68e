/**
 * drftpd-like PRET, the answers of a server with its FXP switches off, and the command log the
 * lead's ladder tests count commands in.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FtpSession } from '../../ftp/session.js';
import { exchange } from '../../../test/fxp-exchange.js';
import { makeTempDir, RawFtpClient, sha256 } from '../../../test/raw-ftp-client.js';
import type { EmbeddedFtpServer, FtpServerOptions } from './server.js';
import { startFtpServer } from './server.js';

const USER = { user: 'pret', password: 'pret-pass' };
const PAYLOAD = randomBytes(512 * 1024 + 1);
const NEEDS_PRET = 'You need to use a client supporting PRET (PRE Transfer) to use';

let tmp: Awaited<ReturnType<typeof makeTempDir>>;
const servers: EmbeddedFtpServer[] = [];
const sessions: FtpSession[] = [];
const clients: RawFtpClient[] = [];

beforeAll(async () => {
  tmp = await makeTempDir();
});

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await Promise.all(sessions.splice(0).map((session) => session.close()));
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

afterAll(() => tmp.remove());

async function serve(address: string, options: Partial<FtpServerOptions> = {}) {
  const root = path.join(tmp.dir, `${address}-${servers.length}-${Date.now()}`);
  await mkdir(root);
  const server = await startFtpServer({ host: address, root, users: [USER], ...options });
  servers.push(server);
  const connect = async () => {
    const session = await FtpSession.connect({ host: address, port: server.port, ...USER });
    sessions.push(session);
    return session;
  };
  return { root, server, connect };
}

async function raw(server: EmbeddedFtpServer): Promise<RawFtpClient> {
  const client = await RawFtpClient.connect(server.host, server.port);
  clients.push(client);
  return client;
}

describe("pret: 'required' (drftpd)", () => {
  it('lists PRET in FEAT only after login', async () => {
    const { server, connect } = await serve('127.0.0.2', { pret: 'required' });
    const client = await raw(server);
    expect((await client.command('FEAT')).lines).not.toContain(' PRET');
    expect((await client.command('PRET RETR /f')).code).toBe(530);
    await client.login(USER.user, USER.password);
    expect((await client.command('FEAT')).lines).toContain(' PRET');
    expect((await connect()).features.has('PRET')).toBe(true);
  });

  it('refuses PASV and EPSV without a PRET; a PRET is used up by the passive command after it', async () => {
    const { connect } = await serve('127.0.0.2', { pret: 'required' });
    const session = await connect();
    await expect(session.send('PASV')).rejects.toMatchObject({ code: 500, text: `${NEEDS_PRET} PASV` });
    await expect(session.send('EPSV')).rejects.toMatchObject({ code: 500, text: `${NEEDS_PRET} EPSV` });
    expect(await session.send('PRET', 'RETR /f')).toMatchObject({
      code: 200,
      text: 'OK, will use RETR for the next transfer.',
    });
    expect((await session.send('PASV')).code).toBe(227);
    await expect(session.send('PASV')).rejects.toMatchObject({ code: 500 });
    expect((await session.send('PRET', 'mlsd')).text).toBe('OK, will use MLSD for the next transfer.');
    expect((await session.send('EPSV')).code).toBe(229);
    await expect(session.send('PRET', 'DELE /f')).rejects.toMatchObject({ code: 501 });
    await expect(session.send('PRET')).rejects.toMatchObject({ code: 501 });
    // PORT needs no PRET: drftpd uses it only to pick the slave that will listen.
    expect((await session.send('PORT', '127,0,0,1,200,10')).code).toBe(200);
  });

  it('copies server to server with PRET before PASV: bytes identical', async () => {
    const source = await serve('127.0.0.2', { pret: 'required' });
    await writeFile(path.join(source.root, 'movie.bin'), PAYLOAD);
    const destination = await serve('127.0.0.3', { pret: 'required' });
    const [src, dst] = [await source.connect(), await destination.connect()];
    expect((await exchange(src, dst, { passiveOn: 'source', pret: true })).map((r) => r.code)).toEqual([226, 226]);
    expect((await exchange(src, dst, { passiveOn: 'destination', pret: true })).map((r) => r.code)).toEqual([226, 226]);
    expect(sha256(await readFile(path.join(destination.root, 'copy.bin')))).toBe(sha256(PAYLOAD));
  });
});

describe("pret: 'offered'", () => {
  it('accepts PRET but does not insist on it', async () => {
    const { connect } = await serve('127.0.0.2', { pret: 'offered' });
    const session = await connect();
    expect(session.features.has('PRET')).toBe(true);
    expect((await session.send('PASV')).code).toBe(227);
    expect((await session.send('PRET', 'STOR x')).text).toBe('OK, will use STOR for the next transfer.');
    expect((await session.send('PASV')).code).toBe(227);
  });
});

describe('with every switch off', () => {
  it('answers PRET, SSCN and CPSV with 500 <VERB> not understood, before and after login', async () => {
    const { server, connect } = await serve('127.0.0.2');
    const client = await raw(server);
    expect(await client.command('SSCN ON')).toMatchObject({ code: 500, text: 'SSCN not understood.' });
    const session = await connect();
    expect(['PRET', 'SSCN', 'CPSV'].filter((verb) => session.features.has(verb))).toEqual([]);
    for (const [verb, arg] of [
      ['PRET', 'RETR /f'],
      ['SSCN', 'ON'],
      ['CPSV', undefined],
    ] as const) {
      await expect(session.send(verb, arg)).rejects.toMatchObject({ code: 500, text: `${verb} not understood.` });
    }
    // Other unknown verbs keep their answer.
    await expect(session.send('XYZZ')).rejects.toMatchObject({ code: 502 });
  });
});

describe('log', () => {
  it('records every command line received, PASS masked', async () => {
    const lines: string[] = [];
    const { connect } = await serve('127.0.0.2', { log: (line) => lines.push(line) });
    const session = await connect();
    await session.send('PASV');
    await session.send('PASV');
    const received = lines.filter((line) => / > /.test(line)).map((line) => line.replace(/^#\d+ > /, ''));
    expect(received.slice(0, 3)).toEqual([`USER ${USER.user}`, 'PASS ****', 'FEAT']);
    expect(received.filter((line) => line === 'PASV')).toHaveLength(2);
    expect(lines.join('\n')).not.toContain(USER.password);
  });
});
