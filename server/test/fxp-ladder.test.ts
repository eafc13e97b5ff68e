/**
 * The FXP negotiation ladder (ftp/ladder.ts) against embedded servers switched to behave like
 * the ones we cannot install: drftpd's PRET, glFTPd's CPSV and its TLS-client-only data role,
 * SSCN on either side, clear data, relay, and a remembered route tried first.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { copyFile, SessionSlot, type CopyRequest } from '../src/ftp/copy.js';
import { FtpReplyError } from '../src/ftp/errors.js';
import type { Route } from '../src/ftp/route.js';
import type { LogLine, SessionOptions } from '../src/ftp/types.js';
import { startFtpServer, type FtpServerOptions } from '../src/demo/ftp-server/server.js';
import { seededBytes, sha256 } from './fixtures.js';
import { makeCertificate } from './servers/harness.js';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

type Switches = Pick<FtpServerOptions, 'pret' | 'sscn' | 'cpsv' | 'dataTlsRole' | 'allowFxp'> & { tls?: boolean };

/** An embedded server on `address` with these switches; its log holds every command it got. */
async function server(address: string, switches: Switches, files: Record<string, Buffer> = {}) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pasv-ladder-'));
  cleanup.push(() => fs.rmSync(root, { recursive: true, force: true }));
  for (const [name, content] of Object.entries(files)) fs.writeFileSync(path.join(root, name), content);
  const { tls, ...rest } = switches;
  const cert = tls ? await makeCertificate(root, address) : null;
  if (cert) for (const file of [cert.keyFile, cert.certFile]) fs.rmSync(file);
  const log: string[] = [];
  const running = await startFtpServer({
    host: address,
    root,
    users: [{ user: 'tester', password: 'secret' }],
    dataTimeoutMs: 2_000,
    log: (line) => log.push(line),
    ...rest,
    ...(cert ? { tls: { key: cert.keyPem, cert: cert.pem } } : {}),
  });
  cleanup.push(() => running.close());
  const options: SessionOptions = {
    host: address,
    port: running.port,
    user: 'tester',
    password: 'secret',
    ...(cert ? { tls: 'explicit' as const, fingerprint256: cert.fingerprint256 } : {}),
  };
  /** The verbs this server received, in order. */
  const verbs = () => log.flatMap((line) => /^#\d+ > (\S+)/.exec(line)?.[1]?.toUpperCase() ?? []);
  return { root, options, verbs };
}

function slot(options: SessionOptions, lines: LogLine[] = [], edit?: (features: Map<string, string>) => void) {
  const s = new SessionSlot({ ...options, onLine: (line) => lines.push(line) });
  cleanup.push(() => s.close());
  if (edit) {
    const acquire = s.acquire.bind(s);
    s.acquire = async () => {
      const session = await acquire();
      edit(session.features);
      return session;
    };
  }
  return s;
}

const data = seededBytes(256 * 1024, 11);

async function pairOf(sourceSwitches: Switches, destinationSwitches: Switches) {
  const source = await server('127.0.0.2', sourceSwitches, { 'f.bin': data });
  const destination = await server('127.0.0.3', destinationSwitches);
  return { source, destination };
}

async function copy(
  pair: Awaited<ReturnType<typeof pairOf>>,
  extra: Partial<CopyRequest> = {},
): Promise<Awaited<ReturnType<typeof copyFile>> & { refused: Route[] }> {
  const refused: Route[] = [];
  const result = await copyFile({
    source: slot(pair.source.options),
    destination: slot(pair.destination.options),
    sourcePath: '/f.bin',
    destinationPath: '/f.bin',
    onRefusal: (route) => refused.push(route),
    ...extra,
  });
  if (result.outcome === 'copied') {
    expect(sha256(fs.readFileSync(path.join(pair.destination.root, 'f.bin')))).toBe(sha256(data));
  }
  return { ...result, refused };
}

describe('PRET (drftpd)', () => {
  it('goes before the passive command when FEAT lists it after login, with the real command and path', async () => {
    const pair = await pairOf({ pret: 'required' }, { pret: 'required' });
    const result = await copy(pair);
    expect(result.route).toMatchObject({ mode: 'fxp', passive: 'destination', pret: true });
    const verbs = pair.destination.verbs();
    expect(verbs.slice(verbs.indexOf('PRET'), verbs.indexOf('PRET') + 2)).toEqual(['PRET', 'PASV']);
    expect(result.refused).toEqual([]);
  });

  it('is learned from a "500 … PRET" reply of a server that does not list it, and sent from then on', async () => {
    const pair = await pairOf({}, { pret: 'required' });
    const lines: LogLine[] = [];
    const destination = slot(pair.destination.options, lines, (features) => features.delete('PRET'));
    const first = await copy(pair, { destination });
    expect(first.route).toMatchObject({ mode: 'fxp', pret: true });
    const sent = () => lines.filter((l) => l.direction === 'sent').map((l) => l.line.split(' ')[0]);
    expect(sent().filter((verb) => verb === 'PASV')).toHaveLength(2); // refused once, then after PRET
    await copy(pair, { destination });
    expect(sent().filter((verb) => verb === 'PASV')).toHaveLength(3); // the second copy: PRET first
  });

  it('is never sent when the site says never: the copy fails with the server asking for it', async () => {
    const pair = await pairOf({ pret: 'required' }, { pret: 'required' });
    const never = (options: SessionOptions) => slot({ ...options, pret: 'never' });
    const error = await copy(pair, {
      mode: 'fxp',
      source: never(pair.source.options),
      destination: never(pair.destination.options),
    }).catch((e: unknown) => e);
    expect(String(error)).toMatch(/PRET/);
    expect(pair.destination.verbs()).not.toContain('PRET');
  });

  it('is sent on every passive command when the site says always, listed or not', async () => {
    const pair = await pairOf({}, { pret: 'offered' });
    const destination = slot({ ...pair.destination.options, pret: 'always' }, [], (f) => f.delete('PRET'));
    await copy(pair, { destination });
    expect(pair.destination.verbs()).toContain('PRET');
  });
});

describe('secure FXP: which server is the TLS client', () => {
  it('starts with SSCN on the receiving side', async () => {
    const pair = await pairOf({ tls: true, sscn: true }, { tls: true, sscn: true });
    const result = await copy(pair);
    expect(result.route).toMatchObject({ mode: 'fxp', security: 'sscn-destination' });
    expect(pair.destination.verbs()).toContain('SSCN');
    expect(pair.source.verbs()).not.toContain('SSCN');
    expect(result.refused).toEqual([]);
  });

  it('moves SSCN to the sending side when the receiver as TLS client fails (435), keeping the passive side', async () => {
    // The source only works as TLS client (glFTPd): with the destination as client, it answers 435.
    const pair = await pairOf({ tls: true, sscn: true, dataTlsRole: 'client-only' }, { tls: true, sscn: true });
    const notes: string[] = [];
    const result = await copy(pair, { onNote: (note) => notes.push(note) });
    expect(result.refused).toMatchObject([{ security: 'sscn-destination', passive: 'destination' }]);
    expect(result.route).toMatchObject({ mode: 'fxp', security: 'sscn-source', passive: 'destination' });
    expect(notes.join('\n')).toMatch(/trying FXP, destination passive, the source is the TLS client.*435/);
  });

  it('uses CPSV on the passive side of a server that offers CPSV and refuses SSCN', async () => {
    const pair = await pairOf({ tls: true, sscn: true }, { tls: true, cpsv: true, dataTlsRole: 'client-only' });
    const result = await copy(pair);
    // SSCN on the source makes the destination a TLS server, which it cannot be; CPSV makes it the client.
    expect(result.refused).toMatchObject([{ security: 'sscn-source' }]);
    expect(result.route).toMatchObject({ mode: 'fxp', security: 'cpsv', passive: 'destination' });
    expect(pair.destination.verbs()).toContain('CPSV');
  });

  it('turns to clear data only where both sites allow it, else relays over TLS on both legs', async () => {
    const plain = { tls: true }; // neither SSCN nor CPSV: both would wait as TLS servers
    const pair = await pairOf(plain, plain);
    const relayed = await copy(pair);
    expect(relayed.refused).toMatchObject([{ security: 'cpsv' }, { security: 'cpsv' }]);
    expect(relayed.route).toEqual({ mode: 'relay', pret: false });

    const cleared = await copy(pair, { allowClearData: true });
    expect(cleared.route).toMatchObject({ mode: 'fxp', security: 'clear' });
    expect(pair.destination.verbs()).toContain('PROT');
  });

  it('with FXP forced and no way left, fails with the last refusal in the servers own words', async () => {
    const pair = await pairOf({ tls: true }, { tls: true });
    const error = await copy(pair, { mode: 'fxp' }).catch((e: unknown) => e);
    expect((error as Error).name).toBe('FxpRefusedError');
    expect(((error as Error).cause as FtpReplyError).text).toMatch(/CPSV/);
  });
});

describe('a remembered route', () => {
  it('is tried first: the second copy of a pair that needed a flip sends fewer commands', async () => {
    // The destination refuses a foreign passive connection: the source must listen.
    const pair = await pairOf({}, { allowFxp: { activeToForeign: true, passiveFromForeign: false } });
    const notes: string[] = [];
    const first = await copy(pair, { onNote: (note) => notes.push(note) });
    expect(first.refused).toHaveLength(1);
    // The note names the switch on the refusing server, next to its reply.
    expect(notes).toEqual([expect.stringMatching(/^flipped passive side \(.*425.*; .*allowFxp/)]);
    expect(first.route).toMatchObject({ mode: 'fxp', passive: 'source' });
    const afterFirst = pair.destination.verbs().length + pair.source.verbs().length;

    const second = await copy(pair, { route: first.route });
    expect(second.refused).toEqual([]);
    const secondCount = pair.destination.verbs().length + pair.source.verbs().length - afterFirst;
    expect(secondCount).toBeLessThan(afterFirst);
    expect(pair.destination.verbs().filter((verb) => verb === 'PASV')).toHaveLength(1); // the first copy's only
  });

  it('that is refused is reported and the ladder is walked again from the start', async () => {
    const pair = await pairOf({}, {});
    const stale: Route = { mode: 'fxp', passive: 'source', security: 'sscn-source', pret: false, extended: false };
    // A plain pair cannot use an SSCN route: it does not apply, and the default rung goes first.
    const result = await copy(pair, { route: stale });
    expect(result.route).toMatchObject({ mode: 'fxp', passive: 'destination', security: 'none' });

    const refusing = await pairOf({ allowFxp: { activeToForeign: false, passiveFromForeign: true } }, {});
    const remembered: Route = { mode: 'fxp', passive: 'destination', security: 'none', pret: false, extended: false };
    const walked = await copy(refusing, { route: remembered });
    expect(walked.refused).toEqual([remembered]);
    expect(walked.route).toMatchObject({ mode: 'fxp', passive: 'source' });
  });
});
