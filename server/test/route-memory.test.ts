/**
 * Route memory through the app: a pair of sites that needed the passive side flipped is
 * remembered after its first transfer, the next transfer starts with that route (no refused
 * PORT in the source server's own log), and after "forget" the ladder is walked again.
 */
import fs from 'node:fs';
import { afterEach, expect, it } from 'vitest';
import { addSite, copied, startTestApp } from './app.js';
import { seededBytes, sha256 } from './fixtures.js';
import { startEmbedded } from './servers/index.js';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

it('a flip learned on the first transfer is used first by the next one, until it is forgotten', async () => {
  const data = seededBytes(128 * 1024, 5);
  // The source refuses to connect out (PORT to a foreign address): it must be the passive side.
  const source = await startEmbedded({
    address: '127.0.0.2',
    allowFxp: { activeToForeign: false, passiveFromForeign: true },
    files: { 'a.bin': data },
  });
  cleanup.push(() => source.stop());
  const destination = await startEmbedded({
    address: '127.0.0.3',
    files: { '1/.keep': '', '2/.keep': '', '3/.keep': '' },
  });
  cleanup.push(() => destination.stop());
  const t = await startTestApp();
  cleanup.push(() => t.close());
  const [a, b] = [await addSite(t, source, 'A'), await addSite(t, destination, 'B')];
  const portsReceived = () => (fs.readFileSync(source.logFile!, 'utf8').match(/> PORT /g) ?? []).length;
  const body = (dir: string) => ({ source: { siteId: a, path: '/a.bin' }, destination: { siteId: b, dir } });

  const first = await copied(t, body('/1'));
  expect(first.notes.join('\n')).toMatch(/flipped passive side/);
  expect(portsReceived()).toBe(1);
  const routes = (await t.app.inject({ url: '/api/routes', headers: t.auth })).json();
  expect(routes).toMatchObject([
    { sourceSiteId: a, destinationSiteId: b, route: { mode: 'fxp', passive: 'source', security: 'none' } },
  ]);
  expect(routes[0].failures).toMatchObject([{ route: { passive: 'destination' } }]);

  const second = await copied(t, body('/2'));
  expect(second.notes).toEqual([]);
  expect(portsReceived()).toBe(1); // no PORT tried on the source this time

  const forget = await t.app.inject({ method: 'DELETE', url: `/api/routes/${a}/${b}`, headers: t.auth });
  expect(forget.statusCode).toBe(204);
  const third = await copied(t, body('/3'));
  expect(third.notes.join('\n')).toMatch(/flipped passive side/);
  expect(portsReceived()).toBe(2);

  for (const dir of ['1', '2', '3']) {
    expect(sha256(fs.readFileSync(`${destination.root}/${dir}/a.bin`))).toBe(sha256(data));
  }
});
