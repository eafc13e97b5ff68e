/**
 * A transfer's story through the app, against real embedded servers: an FXP copy's trace holds
 * PASV → 227 on the passive side, PORT → 200 on the other, RETR and STOR → 150 … 226, the
 * data connection between the two servers, and PASS masked; a pair that refuses FXP shows the
 * refusal, the relay fallback and pasv's own data connections; the route needs auth and
 * answers 404 for an unknown transfer; the trace goes with its transfer.
 */
import { afterEach, expect, it } from 'vitest';
import type { TransferTrace } from '../../contract/index.js';
import { addSite, copied, startTestApp, type TestApp } from './app.js';
import { seededBytes } from './fixtures.js';
import { startEmbedded } from './servers/index.js';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function trace(t: TestApp, id: string): Promise<TransferTrace> {
  const response = await t.app.inject({ url: `/api/transfers/${id}/trace`, headers: t.auth });
  expect(response.statusCode).toBe(200);
  return response.json() as TransferTrace;
}

/** The trace as "role direction text" lines, events as "kind text". */
function story(traced: TransferTrace): string[] {
  return traced.entries.map((e) => (e.kind === 'line' ? `${e.role} ${e.direction} ${e.text}` : `${e.kind} ${e.text}`));
}

/** The index of the first line matching each pattern, in order, or a failing expectation. */
function inOrder(lines: string[], patterns: RegExp[]): void {
  let from = 0;
  for (const pattern of patterns) {
    const index = lines.findIndex((line, i) => i >= from && pattern.test(line));
    expect(index, `${pattern} after line ${from} in\n${lines.join('\n')}`).toBeGreaterThanOrEqual(0);
    from = index + 1;
  }
}

it("an FXP copy's trace: PASV → 227 on one side, PORT → 200 on the other, RETR/STOR → 150 … 226, PASS masked", async () => {
  const source = await startEmbedded({ address: '127.0.0.2', files: { 'story.bin': seededBytes(64 * 1024, 3) } });
  cleanup.push(() => source.stop());
  const destination = await startEmbedded({ address: '127.0.0.3' });
  cleanup.push(() => destination.stop());
  const t = await startTestApp();
  cleanup.push(() => t.close());
  const [a, b] = [await addSite(t, source, 'A'), await addSite(t, destination, 'B')];

  const done = await copied(t, { source: { siteId: a, path: '/story.bin' }, destination: { siteId: b, dir: '/' } });
  expect(done.mode).toBe('fxp');
  const traced = await trace(t, done.id);
  expect(traced).toMatchObject({ transferId: done.id, name: 'story.bin', dropped: 0 });
  const lines = story(traced);
  // The destination listens (the default passive side), the source connects to it.
  inOrder(lines, [
    /^destination sent PASV$/,
    /^destination received 227 /,
    /^source sent PORT \d+,\d+,\d+,\d+,\d+,\d+$/,
    /^source received 200 /,
  ]);
  inOrder(lines, [/^destination sent STOR \/story\.bin$/, /^destination received 150 /, /^destination received 226 /]);
  inOrder(lines, [/^source sent RETR \/story\.bin$/, /^source received 150 /, /^source received 226 /]);
  expect(lines).toContainEqual(
    expect.stringMatching(/^data data connection opened between source and destination 127\.0\.0\.3:\d+$/),
  );
  const passes = lines.filter((line) => / sent PASS /.test(line));
  expect(passes.length).toBeGreaterThan(0);
  for (const line of passes) expect(line).toMatch(/ sent PASS \*+$/);
  expect(lines.join('\n')).not.toContain(source.password);
  expect(traced.entries.every((e) => e.path === '/story.bin')).toBe(true);
  // seq increases by one from 1: a live view dedupes by it.
  expect(traced.entries.map((e) => e.seq)).toEqual(traced.entries.map((_, i) => i + 1));

  // Clear finished hides the row from the queue; History still opens its story.
  const cleared = await t.app.inject({ method: 'POST', url: '/api/transfers/clear', headers: t.auth });
  expect(cleared.statusCode).toBeLessThan(300);
  const kept = await t.app.inject({ url: `/api/transfers/${done.id}/trace`, headers: t.auth });
  expect(kept.statusCode).toBe(200);
  expect((kept.json() as TransferTrace).entries).toHaveLength(traced.entries.length);
});

it('a pair that refuses FXP: the refusal, the relay fallback and pasv as the data connection’s other end', async () => {
  const source = await startEmbedded({
    address: '127.0.0.2',
    allowFxp: false,
    files: { 'strict.bin': seededBytes(32 * 1024, 4) },
  });
  cleanup.push(() => source.stop());
  const destination = await startEmbedded({ address: '127.0.0.3', allowFxp: false });
  cleanup.push(() => destination.stop());
  const t = await startTestApp();
  cleanup.push(() => t.close());
  const [a, b] = [await addSite(t, source, 'A'), await addSite(t, destination, 'B')];

  const done = await copied(t, { source: { siteId: a, path: '/strict.bin' }, destination: { siteId: b, dir: '/' } });
  expect(done.mode).toBe('relay');
  const lines = story(await trace(t, done.id));
  inOrder(lines, [
    /^source sent PORT /,
    /^source received 5\d\d /,
    /^note flipped passive side/,
    /^note fell back to relay/,
    /^relay relay through pasv$/,
    /^source sent RETR \/strict\.bin$/,
  ]);
  expect(lines).toContainEqual(
    expect.stringMatching(/^data data connection opened between pasv and source 127\.0\.0\.2:\d+$/),
  );
  expect(lines).toContainEqual(
    expect.stringMatching(/^data data connection opened between pasv and destination 127\.0\.0\.3:\d+$/),
  );
});

it('the trace route needs auth and answers 404 for an unknown transfer', async () => {
  const t = await startTestApp();
  cleanup.push(() => t.close());
  const anonymous = await t.app.inject({ url: '/api/transfers/nope/trace' });
  expect(anonymous.statusCode).toBe(401);
  const unknown = await t.app.inject({ url: '/api/transfers/nope/trace', headers: t.auth });
  expect(unknown.statusCode).toBe(404);
  expect(unknown.json()).toMatchObject({ error: { code: expect.any(String), message: expect.any(String) } });
});
