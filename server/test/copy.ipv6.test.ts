/** IPv6: PASV cannot express an IPv6 address, so the engine must use EPSV and EPRT. */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { copyFile } from '../src/ftp/copy.js';
import type { LogLine } from '../src/ftp/session.js';
import { embedded, recordingSlot, seededBytes, sha256, type TestServer } from './fixtures.js';

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

it('copies by FXP over IPv6 with EPSV and EPRT, identical', async () => {
  const data = seededBytes(2 * 1024 * 1024, 11);
  const servers: TestServer[] = [];
  for (const files of [{ 'v6.bin': data }, {}] as Record<string, Buffer>[]) {
    const server = await embedded.start({ address: '::1', files });
    stops.push(() => server.stop());
    servers.push(server);
  }
  const [a, b] = servers as [TestServer, TestServer];
  const log: LogLine[] = [];
  const source = recordingSlot(a, log);
  const destination = recordingSlot(b, log);
  stops.push(() => source.close(), () => destination.close());
  const result = await copyFile({ source, destination, sourcePath: '/v6.bin', destinationPath: '/v6.bin', mode: 'fxp' });
  expect(result.mode).toBe('fxp');
  expect(log.some((l) => l.line === 'EPSV')).toBe(true);
  expect(log.some((l) => /^EPRT \|2\|::1\|\d+\|$/.test(l.line))).toBe(true);
  expect(log.some((l) => /^(PASV|PORT)\b/.test(l.line))).toBe(false);
  expect(sha256(fs.readFileSync(path.join(b.root, 'v6.bin')))).toBe(sha256(data));
});
