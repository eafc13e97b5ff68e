import type { LiveEvent } from '../contract/index.js';
import { test, expect, shotPath } from './fixtures.js';

test.describe('the site console', () => {
  test('sends commands, shows replies coloured by class, keeps a history and refuses PASS unsent', async ({
    dashboard,
    pasv,
    page,
  }) => {
    // Every control line alpha's sessions send, straight from the backend's event bus.
    const sent: string[] = [];
    const events = pasv.app.services.events;
    const unwatch = events.watch();
    const record = (event: LiveEvent) => {
      if (event.type === 'log' && event.siteId === pasv.alpha.id && event.direction === 'sent') sent.push(event.line);
    };
    events.on('event', record);
    try {
      await dashboard.open();
      const { left } = dashboard;
      await left.chooseSite('alpha');
      await left.button('Console').click();
      const dialog = page.getByRole('dialog', { name: 'Console — alpha' });
      const input = dialog.getByRole('textbox', { name: 'Command' });
      const output = dialog.getByRole('log', { name: 'Console output' });
      await expect(input).toBeFocused();
      const send = async (line: string) => {
        await input.fill(line);
        await input.press('Enter');
      };

      await send('SYST');
      await expect(output.locator('.console-reply').last()).toHaveText('← 215 UNIX Type: L8');
      await expect(output.locator('.console-reply').last()).toHaveClass(/reply-ok/);

      await send('noop');
      await expect(output.locator('.console-reply')).toHaveCount(2);
      await expect(output.locator('.console-reply').last()).toContainText('← 200');

      await send('MDTM /no-such-file');
      await expect(output.locator('.console-reply').last()).toContainText('← 550');
      await expect(output.locator('.console-reply').last()).toHaveClass(/reply-permanent/);

      // Up walks back through what was typed, down returns to the draft.
      await input.fill('draft');
      await input.press('ArrowUp');
      await expect(input).toHaveValue('MDTM /no-such-file');
      await input.press('ArrowUp');
      await expect(input).toHaveValue('noop');
      await input.press('ArrowDown');
      await input.press('ArrowDown');
      await expect(input).toHaveValue('draft');

      expect(sent).toEqual(expect.arrayContaining(['SYST', 'NOOP', 'MDTM /no-such-file']));
      const sentBefore = sent.length;
      await send('PASS x');
      const refusal = output.locator('.console-refused');
      await expect(refusal).toContainText('✕ PASS x');
      await expect(refusal).toContainText(
        "not sent: PASS is refused: it would log pasv's own session with this site in or out",
      );
      // Nothing went out for it: no new control line, and no PASS but the login's masked one.
      await send('NOOP');
      await expect(output.locator('.console-reply')).toHaveCount(4);
      expect(sent.slice(sentBefore)).toEqual(['NOOP']);
      expect(sent.filter((line) => line.startsWith('PASS'))).toEqual(sent.includes('PASS ****') ? ['PASS ****'] : []);

      await page.screenshot({ path: shotPath('console.png'), animations: 'disabled' });

      // Closed and opened again, the scrollback is still there.
      await dialog.getByRole('button', { name: 'Close' }).click();
      await left.button('Console').click();
      await expect(output.locator('.console-reply')).toHaveCount(4);
    } finally {
      events.off('event', record);
      unwatch();
    }
  });
});
