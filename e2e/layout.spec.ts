/**
 * The page frame at the widths people use: a 1920 px desk down to a 768 px tablet keeps
 * everything on one screen without sideways scrolling; a 390 px phone shows one area at a
 * time, picked in a switcher.
 */
import type { Locator, Page } from '@playwright/test';
import { test, expect, putFiles, shotPath, uniqueName } from './fixtures.js';
import { SignInPage } from './pages/sign-in.js';

async function expectNoSidewaysScroll(page: Page): Promise<void> {
  await expect
    .poll(() => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth))
    .toBeLessThanOrEqual(0);
}

/** Each control is in the window, fully, and none covers another. */
async function expectSideBySide(page: Page, controls: Locator[]): Promise<void> {
  const width = page.viewportSize()!.width;
  const boxes = [];
  for (const control of controls) {
    await expect(control).toBeVisible();
    const box = (await control.boundingBox())!;
    expect(box.x, `${control} starts in the window`).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width, `${control} ends in the window`).toBeLessThanOrEqual(width + 0.5);
    boxes.push({ control, box });
  }
  for (const [i, a] of boxes.entries()) {
    for (const b of boxes.slice(i + 1)) {
      const apart =
        a.box.x + a.box.width <= b.box.x + 0.5 ||
        b.box.x + b.box.width <= a.box.x + 0.5 ||
        a.box.y + a.box.height <= b.box.y + 0.5 ||
        b.box.y + b.box.height <= a.box.y + 0.5;
      expect(apart, `${a.control} and ${b.control} overlap`).toBe(true);
    }
  }
}

function headerControls(page: Page): Locator[] {
  const banner = page.getByRole('banner');
  return [
    banner.getByRole('status'),
    banner.getByRole('button', { name: 'Sites' }),
    banner.getByRole('button', { name: /theme/ }),
    banner.getByRole('button', { name: 'Sign out' }),
  ];
}

for (const width of [1920, 1280, 900, 768]) {
  test(`at ${width} px everything fits: no sideways scroll, header, panes, copy buttons and tabs in view`, async ({
    page,
    pasv,
    dashboard,
  }) => {
    const folder = uniqueName('layout');
    putFiles(pasv.alpha, { [`${folder}/a-rather-long-file-name-for-a-narrow-window.iso`]: 'x' });
    putFiles(pasv.beta, { [`${folder}/.keep`]: '' });
    await page.setViewportSize({ width, height: width >= 1280 ? 900 : 1000 });
    await dashboard.openAt({ siteId: pasv.alpha.id, path: `/${folder}` }, { siteId: pasv.beta.id, path: `/${folder}` });

    await expectNoSidewaysScroll(page);
    await expectSideBySide(page, headerControls(page));
    await expectSideBySide(page, [dashboard.left.region, dashboard.copyRight, dashboard.right.region]);
    const tabs = page.getByRole('tablist', { name: 'Activity' }).getByRole('tab');
    await expectSideBySide(page, await tabs.all());
    // No phone switcher on a screen with room for both panes.
    await expect(page.getByRole('navigation', { name: 'Show' })).toBeHidden();

    if (width === 768) {
      await dashboard.tidyForScreenshot();
      await page.screenshot({ path: shotPath('tablet.png'), animations: 'disabled' });
    }
  });
}

test('a dialog fits a small window and scrolls inside', async ({ page, dashboard }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await dashboard.open();
  await dashboard.sites.open();
  const dialog = page.getByRole('dialog');
  await expect(dialog).toBeVisible();
  const box = (await dialog.boundingBox())!;
  expect(box.x).toBeGreaterThanOrEqual(0);
  expect(box.x + box.width).toBeLessThanOrEqual(390);
  expect(box.y + box.height).toBeLessThanOrEqual(844);
  await expectNoSidewaysScroll(page);
});

test('on a 390 px phone one area shows at a time: left pane, right pane, queue, log', async ({
  page,
  pasv,
  dashboard,
}) => {
  const folder = uniqueName('phone');
  const file = `${folder}-release.iso`;
  putFiles(pasv.alpha, { [`${folder}/${file}`]: 'phone copy\n'.repeat(100) });
  putFiles(pasv.beta, { [`${folder}/.keep`]: '' });
  // Opened wide, so both panes can be seen arriving at their folders; then the phone.
  await dashboard.openAt({ siteId: pasv.alpha.id, path: `/${folder}` }, { siteId: pasv.beta.id, path: `/${folder}` });
  await page.setViewportSize({ width: 390, height: 844 });

  const switcher = page.getByRole('navigation', { name: 'Show' });
  const show = (name: string) => switcher.getByRole('button', { name, exact: true });
  await expect(show('Left pane')).toHaveAttribute('aria-pressed', 'true');
  await expectNoSidewaysScroll(page);
  await expectSideBySide(page, [...headerControls(page), ...(await switcher.getByRole('button').all())]);

  // The left pane alone, with the copy button that sends from it.
  await expect(dashboard.left.region).toBeVisible();
  await expect(dashboard.right.region).toBeHidden();
  await expect(dashboard.queue.tab).toBeHidden();
  await dashboard.left.select(file);
  await dashboard.tidyForScreenshot();
  await page.screenshot({ path: shotPath('phone.png'), animations: 'disabled' });
  await expectSideBySide(page, [dashboard.copyRight]);
  await expect(dashboard.copyLeft).toBeHidden();
  await dashboard.copyRight.click();

  await show('Queue').click();
  await expect(show('Queue')).toHaveAttribute('aria-pressed', 'true');
  await expect(dashboard.left.region).toBeHidden();
  await expect(dashboard.queue.tab).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByRole('tabpanel').getByText(file).first()).toBeVisible();
  await expectNoSidewaysScroll(page);

  await show('Log').click();
  await expect(dashboard.log.tab).toHaveAttribute('aria-selected', 'true');
  await expect(dashboard.log.log).toBeVisible();
  await expectNoSidewaysScroll(page);

  await show('Right pane').click();
  await expect(dashboard.right.region).toBeVisible();
  await expect(dashboard.left.region).toBeHidden();
  await expect(dashboard.right.grid.getByText(file)).toBeVisible();
  await expect(dashboard.copyLeft).toBeVisible();
  await expectNoSidewaysScroll(page);
});

test('a wrong password reads in words; the code is only a details line', async ({ page, pasv }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  const signIn = new SignInPage(page, pasv.url);
  await signIn.open();
  await signIn.signIn('not the password at all');
  await expect(signIn.error).toHaveText('Wrong password');
  await expect(page.getByText('code: bad_password')).toBeVisible();
  await expectNoSidewaysScroll(page);
});
