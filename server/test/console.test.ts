/**
 * A site's console through the HTTP API (POST /api/sites/:id/command), on the embedded server
 * behind a scripted proxy that records every command line the server side received: replies
 * come back whole and 4xx/5xx as answers, refused lines never reach the server, and what was
 * sent shows in the live log like every control line.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LogLine } from '../../contract/index.js';
import { eventually, openFeed, startTestApp, type TestApp } from './app.js';
import { addSite } from './faults/api.js';
import { startScriptedServer, type ScriptedServer } from './faults/scripted-server.js';
import { freePort, startEmbedded, type RunningFtpServer } from './servers/index.js';

let t: TestApp;
let ftp: RunningFtpServer;
let proxy: ScriptedServer;
let siteId: string;

beforeEach(async () => {
  ftp = await startEmbedded({ address: '127.0.0.2', files: { 'here.txt': 'here' } });
  proxy = await startScriptedServer({
    host: '127.0.0.2',
    upstream: { host: ftp.host, port: ftp.port },
    // A glFTPd-style multi-line answer to a SITE command the embedded server lacks.
    command: (conn, command) => {
      if (command.line !== 'SITE WHO') return false;
      conn.send('550-Nobody you may see:\r\n  (the list is for siteops)\r\n550 SITE WHO refused.\r\n');
      return true;
    },
  });
  t = await startTestApp();
  siteId = await addSite(t, { host: proxy.host, port: proxy.port, user: ftp.user, password: ftp.password }, 'console');
});
afterEach(async () => {
  await t.close();
  await proxy.close();
  await ftp.stop();
});

const send = (command: string, id = siteId, headers = t.auth) =>
  t.app.inject({ method: 'POST', url: `/api/sites/${id}/command`, headers, payload: { command } });

/** The command lines the server received after login (USER, PASS, FEAT … left out). */
const received = () =>
  proxy
    .commandLog()
    .map((entry) => entry.replace(/^\d+ /, ''))
    .filter((line) => !LOGIN.test(line));
const LOGIN = /^(USER|PASS|FEAT|OPTS UTF8)\b/;

describe('the console', () => {
  it('answers SYST with the server reply and shows both lines in the live log', async () => {
    const { socket, messages } = await openFeed(t, t.auth);
    await eventually(() => messages.length > 0);
    const response = await send('SYST');
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toEqual({ code: 215, text: 'UNIX Type: L8' });
    expect((await send('noop')).json()).toMatchObject({ code: 200 });
    const log = await eventually(() => {
      const lines = messages.filter((m): m is LogLine & { type: 'log'; seq: number } => m.type === 'log');
      return lines.some((l) => l.line.startsWith('200')) ? lines : null;
    });
    expect(log.filter((l) => l.siteId === siteId).map((l) => `${l.direction} ${l.line}`)).toEqual(
      expect.arrayContaining(['sent SYST', 'received 215 UNIX Type: L8', 'sent NOOP']),
    );
    expect(received()).toEqual(['SYST', 'NOOP']);
    socket.terminate();
  });

  it('keeps a multi-line reply whole', async () => {
    const response = await send('STAT /');
    expect(response.statusCode).toBe(200);
    const reply = response.json() as { code: number; text: string; lines: string[] };
    expect(reply.code).toBe(213);
    expect(reply.lines[0]).toBe('213-Status of /:');
    expect(reply.lines.some((line) => line.endsWith(' here.txt'))).toBe(true);
    expect(reply.lines.at(-1)).toBe('213 End of status');
    expect(reply.text.split('\n')).toHaveLength(reply.lines.length);
  });

  it('answers a refusal (4xx/5xx) as a reply, multi-line ones whole', async () => {
    expect((await send('MDTM /missing.txt')).json()).toMatchObject({ code: 550 });
    expect((await send('SITE NOSUCH')).json()).toEqual({ code: 502, text: 'Command not implemented.' });
    const who = await send('SITE WHO');
    expect(who.statusCode).toBe(200);
    expect(who.json()).toEqual({
      code: 550,
      text: 'Nobody you may see:\n  (the list is for siteops)\nSITE WHO refused.',
      lines: ['550-Nobody you may see:', '  (the list is for siteops)', '550 SITE WHO refused.'],
    });
    // The session is still in step: the next command gets its own reply.
    expect((await send('PWD')).json()).toMatchObject({ code: 257 });
  });

  it('refuses CR, LF and NUL before anything reaches the server', async () => {
    for (const command of ['NOOP\r\nDELE /here.txt', 'NOOP\nDELE /here.txt', 'NOOP\rDELE /here.txt', 'SITE \0x']) {
      const response = await send(command);
      expect(response.statusCode, JSON.stringify(command)).toBe(400);
      expect(response.json().error).toEqual({
        code: 'command_refused',
        message: 'a command is one line: CR, LF and NUL are refused, nothing was sent',
      });
    }
    expect(proxy.connections).toHaveLength(0);
  });

  it.each([
    ['PASS x', /^PASS is refused: it would log pasv's own session with this site in or out/],
    ['user bob', /^USER is refused: it would log pasv's own session with this site in or out/],
    ['QUIT', /^QUIT is refused/],
    ['REIN', /^REIN is refused/],
    ['AUTH TLS', /^AUTH is refused: it would change the TLS protection/],
    ['PROT C', /^PROT is refused/],
    ['PORT 127,0,0,1,4,1', /^PORT is refused: pasv sets up data connections itself/],
    ['Epsv', /^EPSV is refused: pasv sets up data connections itself/],
    ['SSCN ON', /^SSCN is refused/],
    ['PRET RETR /here.txt', /^PRET is refused/],
    ['RETR /here.txt', /^RETR is refused: needs a data connection/],
    ['MLSD /', /^MLSD is refused: needs a data connection/],
    ['TYPE A', /^TYPE is refused: it would change transfer settings/],
    ['REST 100', /^REST is refused/],
    ['X', /is not an FTP command/],
    ['   ', /is not an FTP command/],
  ])('refuses %j, naming the verb and why', async (command, message) => {
    const response = await send(command);
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe('command_refused');
    expect(response.json().error.message).toMatch(message);
    expect(proxy.connections).toHaveLength(0);
  });

  it('refuses a line over 512 characters', async () => {
    const response = await send(`SITE ${'x'.repeat(508)}`);
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe('invalid_request');
    expect((await send(`SITE ${'x'.repeat(507)}`)).json()).toMatchObject({ code: 502 });
  });

  it('answers 404 for an unknown site and 401 without auth', async () => {
    const unknown = await send('SYST', 'no-such-site');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.code).toBe('not_found');
    expect((await send('SYST', siteId, {})).statusCode).toBe(401);
    expect(proxy.connections).toHaveLength(0);
  });

  it('reports a server it cannot reach as an error, not a reply', async () => {
    const closedPort = await freePort('127.0.0.2');
    const gone = await addSite(
      t,
      { host: '127.0.0.2', port: closedPort, user: ftp.user, password: ftp.password },
      'gone',
    );
    const response = await send('SYST', gone);
    expect(response.statusCode).toBe(502);
    expect(response.json().error.code).toBe('connection_refused');
  });
});
