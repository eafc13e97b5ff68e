/**
 * Hostile trees through the whole transfer path: names that would climb out of a folder on
 * a server that takes `\` as a separator, or that hide behind controls and bidi overrides,
 * are skipped with a note naming them; a tree that nests itself without end stops at the
 * walk's depth cap, and a huge one at its entry cap, each with an error naming the limit.
 */
import net from 'node:net';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import type { Listing, Transfer } from '../../contract/index.js';
import { eventually, startTestApp, type TestApp } from './app.js';
import { embedded, harnessKind, seededBytes, sha256, type ServerKind, type TestServer } from './fixtures.js';
import { skipWithout, startVsftpd } from './servers/index.js';
import { addSite as addSiteTo } from './faults/api.js';
import { startScriptedServer, type ScriptedConnection, type ScriptedServer } from './faults/scripted-server.js';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function app(options: Parameters<typeof startTestApp>[0] = {}): Promise<TestApp> {
  const t = await startTestApp(options);
  cleanup.push(() => t.close());
  return t;
}

const vsftpd = harnessKind('vsftpd', startVsftpd, { splitFxp: true, throttles: true, abortsInTransfer: false });
/** Real servers where they are installed (CI must have them), and the embedded one. */
const sources = [embedded, ...(skipWithout('vsftpd') ? [] : [vsftpd])];

async function server(spec: Parameters<typeof embedded.start>[0], kind: ServerKind = embedded): Promise<TestServer> {
  const started = await kind.start(spec);
  cleanup.push(() => started.stop());
  return started;
}

/** A site on `server`, with the embedded server's test login unless the server has its own. */
function addSite(t: TestApp, server: { host: string; port: number; user?: string; password?: string }, name: string) {
  return addSiteTo(t, { user: 'tester', password: 'secret', ...server }, name);
}

async function copyTree(t: TestApp, sourceId: string, destinationId: string, sourcePath: string): Promise<Transfer> {
  const created = await t.app.inject({
    method: 'POST',
    url: '/api/transfers',
    headers: t.auth,
    payload: { source: { siteId: sourceId, path: sourcePath }, destination: { siteId: destinationId, dir: '/' } },
  });
  expect(created.statusCode).toBe(202);
  const { id } = created.json() as Transfer;
  return eventually(async () => {
    const current = (await t.app.inject({ url: `/api/transfers/${id}`, headers: t.auth })).json() as Transfer;
    return ['done', 'failed', 'cancelled'].includes(current.state) ? current : null;
  }, 60_000);
}

/**
 * A scripted FTP server on `host` whose every folder holds `names` (all folders) and
 * nothing else: LIST without MLSD, over PASV data connections it opens itself.
 */
async function endlessTree(host: string, names: string[]): Promise<ScriptedServer> {
  const listing = names.map((name) => `drwxr-xr-x 2 u g 0 Mar  3 10:14 ${name}\r\n`).join('');
  const listen = (conn: ScriptedConnection) => {
    const data = net.createServer((socket) => {
      socket.end(listing);
      data.close();
    });
    data.listen(0, host, () => {
      const port = (data.address() as net.AddressInfo).port;
      conn.reply(227, `Entering Passive Mode (${host.replaceAll('.', ',')},${port >> 8},${port & 255}).`);
    });
    // The control connection going away takes the listener with it.
    const closeData = () => data.close();
    conn.socket.once('close', closeData);
    data.once('close', () => conn.socket.off('close', closeData));
    return data;
  };
  let data: net.Server | null = null;
  const started = await startScriptedServer({
    host,
    command: (conn, command) => {
      const answers: Record<string, [number, string]> = {
        USER: [331, 'Password required.'],
        PASS: [230, 'Logged in.'],
        FEAT: [211, 'no features'],
        TYPE: [200, 'Type set.'],
        SIZE: [550, 'Not a plain file.'],
        CWD: [250, 'Directory changed.'],
        NOOP: [200, 'OK.'],
        QUIT: [221, 'Bye.'],
      };
      const answer = answers[command.verb];
      if (answer) conn.reply(...answer);
      else if (command.verb === 'PASV') data = listen(conn);
      else if (command.verb === 'LIST' && data) {
        conn.reply(150, 'Here it comes.');
        data.once('close', () => conn.reply(226, 'Done.'));
      } else conn.reply(502, `${command.verb} not scripted.`);
      return true;
    },
  });
  cleanup.push(() => started.close());
  return started;
}

it.each(sources.map((kind) => [kind.kind, kind] as const))(
  '%s: skips listed names with \\, controls or bidi overrides, names them in a note, and copies the rest',
  async (_kind, kind) => {
    const unsafe = [
      'a\\b',
      '\\..\\x',
      'bell\u0001',
      'del\u007f',
      'next\u0085line',
      'invoice\u202efdp.exe',
      'iso\u2066late\u2069',
    ];
    const files: Record<string, Buffer> = {
      'tree/keep.bin': seededBytes(5_000, 1),
      'tree/sub/also kept é.bin': seededBytes(7_000, 2),
    };
    for (const [i, name] of unsafe.entries()) files[`tree/${i % 2 ? 'sub/' : ''}${name}`] = seededBytes(100, 10 + i);
    const source = await server({ address: '127.0.0.2', files }, kind);
    const destination = await server({ address: '127.0.0.3' });
    const t = await app();
    const sourceId = await addSite(t, source, 'src');
    const listing = await t.app.inject({ url: `/api/sites/${sourceId}/list?path=/tree`, headers: t.auth });
    expect(listing.statusCode).toBe(200);
    const body = listing.json() as Listing;
    expect(body.entries.map((e) => e.name)).toEqual(['keep.bin', 'sub']);
    expect(body.rejected).toBe(4);
    expect([...body.unsafeNames].sort()).toEqual([
      '"a\\\\b"',
      '"bell\\u0001"',
      '"iso\\u2066late\\u2069"',
      '"next\\u0085line"',
    ]);
    const done = await copyTree(t, sourceId, await addSite(t, destination, 'dst'), '/tree');

    expect(done.state).toBe('done');
    expect(done.filesTotal).toBe(2);
    expect(fs.readdirSync(path.join(destination.root, 'tree')).sort()).toEqual(['keep.bin', 'sub']);
    expect(fs.readdirSync(path.join(destination.root, 'tree/sub'))).toEqual(['also kept é.bin']);
    expect(sha256(fs.readFileSync(path.join(destination.root, 'tree/keep.bin')))).toBe(sha256(files['tree/keep.bin']!));
    const note = done.notes.find((n) => n.includes('unsafe name'));
    expect(note, JSON.stringify(done.notes)).toBeDefined();
    for (const shown of [
      '"a\\\\b" in /tree',
      '"\\\\..\\\\x" in /tree/sub',
      '"bell\\u0001"',
      '"del\\u007f"',
      '"next\\u0085line"',
      '"invoice\\u202efdp.exe"',
      '"iso\\u2066late\\u2069"',
    ]) {
      expect(note).toContain(shown);
    }
    expect(note).toMatch(/^7 entries with unsafe names skipped/);
    // eslint-disable-next-line no-control-regex -- what is checked: no control character is left raw
    expect(note).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
  },
);

it('fails a tree that contains itself at the depth cap, naming the limit and the path', async () => {
  const source = await endlessTree('127.0.0.4', ['loop']);
  const destination = await server({ address: '127.0.0.3' });
  const t = await app();
  const failed = await copyTree(t, await addSite(t, source, 'loops'), await addSite(t, destination, 'dst'), '/tree');

  expect(failed.state).toBe('failed');
  expect(failed.error).toMatchObject({ code: 'tree_too_deep' });
  expect(failed.error!.message).toContain('64 levels');
  expect(failed.error!.message).toContain(`/tree${'/loop'.repeat(65)}`);
  expect(source.commandLog().filter((line) => line.endsWith(' LIST')).length).toBe(65);
});

it('fails a tree with more entries than the entry cap, naming the limit and the path', async () => {
  const source = await endlessTree('127.0.0.4', ['d1', 'd2', 'd3']);
  const destination = await server({ address: '127.0.0.3' });
  const t = await app({ runner: { walkLimits: { maxEntries: 20 } } });
  const failed = await copyTree(t, await addSite(t, source, 'wide'), await addSite(t, destination, 'dst'), '/tree');

  expect(failed.state).toBe('failed');
  expect(failed.error).toMatchObject({ code: 'tree_too_large' });
  expect(failed.error!.message).toContain('20 entries');
  expect(failed.error!.message).toMatch(/ in \/tree\/d\d/);
});
