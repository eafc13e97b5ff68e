import type { Transfer } from '../contract/index.js';
import { test, expect, putFiles, putFolder, shotPath, uniqueName, type Pasv } from './fixtures.js';
import { randomBytes } from './disk.js';
import { StoryDialog } from './pages/story.js';

async function finished(pasv: Pasv, id: string): Promise<void> {
  await expect
    .poll(async () => (await pasv.api<Transfer>('GET', `/api/transfers/${id}`)).state, { timeout: 30_000 })
    .toBe('done');
}

test.describe("the transfer's story", () => {
  test.use({ viewport: { width: 1100, height: 1500 } });

  test('an FXP copy: PASV → 227 on one side, PORT → 200 on the other, STOR/RETR → 150 … 226, PASS masked', async ({
    dashboard,
    pasv,
  }) => {
    // Sites of their own: their sessions log in during this transfer, so the story has PASS in it.
    const origin = await pasv.addServer(uniqueName('origin'), { address: '127.0.0.21' });
    const archive = await pasv.addServer(uniqueName('archive'), { address: '127.0.0.22' });
    const dir = uniqueName('story-src');
    const to = uniqueName('story-dst');
    const name = `${uniqueName('release')}.bin`;
    putFiles(origin, { [`${dir}/${name}`]: randomBytes(300_000) });
    putFolder(archive, to);
    const transfer = await pasv.api<Transfer>('POST', '/api/transfers', {
      source: { siteId: origin.id, path: `/${dir}/${name}` },
      destination: { siteId: archive.id, dir: `/${to}` },
      mode: 'fxp',
    });
    await finished(pasv, transfer.id);

    await dashboard.open();
    const story = new StoryDialog(dashboard.page, name);
    await story.open(dashboard.queue.row(name));
    await story.expectInOrder([
      /^pasv → destination: PASV$/,
      /^destination → pasv: 227 /,
      /^pasv → source: PORT \d+,\d+,\d+,\d+,\d+,\d+$/,
      /^source → pasv: 200 /,
    ]);
    await story.expectInOrder([
      new RegExp(`^pasv → destination: STOR /${to}/${name}$`),
      /^destination → pasv: 150 /,
      /^destination → pasv: 226 /,
    ]);
    await story.expectInOrder([
      new RegExp(`^pasv → source: RETR /${dir}/${name}$`),
      /^source → pasv: 150 /,
      /^source → pasv: 226 /,
    ]);
    await expect(
      story.arrows.filter({
        hasText: /^data: data connection opened between source and destination 127\.0\.0\.22:\d+$/,
      }),
    ).toHaveCount(1);
    await expect(story.arrows.filter({ hasText: /PASS / }).first()).toHaveText(/: PASS \*+$/);
    await expect(story.dialog).not.toContainText('ftp-secret');
    await expect(story.diagram).toHaveAccessibleName(/data connection between source and destination/);
    await expect(story.figure).toHaveAccessibleName(/data connection between the servers/);
    await story.dialog.screenshot({ path: shotPath('sequence-fxp.png'), animations: 'disabled' });
  });

  test('a relay fallback: the refused PORT in red, the flip and the relay where they happened', async ({
    dashboard,
    pasv,
    refusingPair,
  }) => {
    const name = `${uniqueName('strict')}.bin`;
    putFiles(refusingPair.source, { [name]: randomBytes(120_000) });
    // The pair is shared with other specs: a remembered relay would skip the ladder (here and in
    // the next spec), so the copy walks it from the start and leaves nothing remembered.
    const forgetRoute = () => pasv.app.services.routes.forget(refusingPair.source.id, refusingPair.destination.id);
    forgetRoute();
    const transfer = await pasv.api<Transfer>('POST', '/api/transfers', {
      source: { siteId: refusingPair.source.id, path: `/${name}` },
      destination: { siteId: refusingPair.destination.id, dir: '/' },
    });
    await finished(pasv, transfer.id);
    forgetRoute();

    await dashboard.open();
    const story = new StoryDialog(dashboard.page, name);
    await story.open(dashboard.queue.row(name));
    await story.expectInOrder([
      /^pasv → source: PORT /,
      /^source → pasv: 5\d\d /,
      /^note: flipped passive side/,
      /^note: fell back to relay/,
      /^relay: relay through pasv$/,
      new RegExp(`^pasv → source: RETR /${name}$`),
      /^data: data connection opened between pasv and source 127\.0\.0\.4:\d+$/,
      /^source → pasv: 226 /,
    ]);
    await expect(story.diagram).toHaveAccessibleName(/refused, relayed through pasv/);
    await expect(story.figure).toHaveAccessibleName(/through pasv \(relay\)/);
    await story.dialog.screenshot({ path: shotPath('sequence-relay.png'), animations: 'disabled' });
  });

  test('live: the story of a running copy grows while it runs', async ({ dashboard, pasv, throttled }) => {
    test.setTimeout(120_000);
    const name = `${uniqueName('live-story')}.bin`;
    const to = uniqueName('live-story-dst');
    putFiles(throttled, { [name]: randomBytes(20_000_000) });
    putFolder(pasv.beta, to);
    await dashboard.open();
    await pasv.api<Transfer>('POST', '/api/transfers', {
      source: { siteId: throttled.id, path: `/${name}` },
      destination: { siteId: pasv.beta.id, dir: `/${to}` },
    });
    await expect(dashboard.queue.state(name, 'running')).toBeVisible();
    const story = new StoryDialog(dashboard.page, name);
    await story.open(dashboard.queue.row(name));
    await story.expectInOrder([new RegExp(`^pasv → destination: STOR /${to}/${name}$`), /^destination → pasv: 150 /]);
    await expect(story.arrows.filter({ hasText: /^destination → pasv: 226 / })).toHaveCount(0);
    // Without closing or reloading: the final replies arrive over the socket.
    await expect(story.arrows.filter({ hasText: /^destination → pasv: 226 / })).toHaveCount(1, { timeout: 60_000 });
    await expect(story.arrows.filter({ hasText: /^source → pasv: 226 / })).toHaveCount(1);
  });
});
