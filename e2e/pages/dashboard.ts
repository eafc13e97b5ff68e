import { expect, type Locator, type Page } from '@playwright/test';
import { LogTab, QueueTab } from './activity.js';
import { CompareView, JobEditor, JobsTab } from './mirror.js';
import { Pane } from './pane.js';
import { RoutesTab } from './routes.js';
import { SitesDialog } from './sites-dialog.js';

/** The one screen: header, the two panes with the transfer bar between them, the activity tabs. */
export class Dashboard {
  readonly left: Pane;
  readonly right: Pane;
  readonly queue: QueueTab;
  readonly log: LogTab;
  readonly sites: SitesDialog;
  readonly jobs: JobsTab;
  readonly routes: RoutesTab;
  readonly jobEditor: JobEditor;
  readonly compare: CompareView;
  /** "Mirror…" between the panes: a new job from the left folder to the right one. */
  readonly newMirrorJob: Locator;
  /** "● live" / "◌ reconnecting" in the header. */
  readonly connection: Locator;
  readonly copyRight: Locator;
  readonly copyLeft: Locator;
  readonly ifExists: Locator;
  readonly signOut: Locator;

  constructor(
    readonly page: Page,
    private readonly url: string,
  ) {
    this.left = new Pane(page, 'Left pane');
    this.right = new Pane(page, 'Right pane');
    this.queue = new QueueTab(page);
    this.log = new LogTab(page);
    this.sites = new SitesDialog(page);
    this.jobs = new JobsTab(page);
    this.routes = new RoutesTab(page);
    this.jobEditor = new JobEditor(page);
    this.compare = new CompareView(page);
    this.connection = page.getByRole('banner').getByRole('status');
    const bar = page.getByRole('group', { name: 'Transfer' });
    this.copyRight = bar.getByRole('button', { name: 'Copy →' });
    this.copyLeft = bar.getByRole('button', { name: '← Copy' });
    this.ifExists = bar.getByRole('combobox', { name: 'If exists' });
    this.newMirrorJob = bar.getByRole('button', { name: 'Mirror: new job from these panes' });
    this.signOut = page.getByRole('button', { name: 'Sign out' });
  }

  /** The short message under the panes after sending ("Queued 2 transfers to beta:/in"). */
  notice(text: string | RegExp): Locator {
    return this.page.getByRole('main').getByRole('status').filter({ hasText: text });
  }

  /** A toast in the corner ("nightly: scheduled run finished"). */
  toast(text: string | RegExp): Locator {
    return this.page.getByRole('list', { name: 'Notifications' }).getByRole('status').filter({ hasText: text });
  }

  /** Ready for a picture: no toast over the panes, no hover highlight under the pointer. */
  async tidyForScreenshot(): Promise<void> {
    const notices = this.page.getByRole('main').getByRole('button', { name: 'Dismiss' });
    for (const dismiss of await notices.all()) await dismiss.click();
    await expect(notices).toHaveCount(0);
    await this.page.mouse.move(640, 20);
  }

  /** Load the dashboard (already signed in) and wait until the live feed is up. */
  async open(): Promise<void> {
    await this.page.goto(this.url);
    await expect(this.signOut).toBeVisible();
    await expect(this.connection).toHaveText('● live');
  }

  /**
   * Open with the panes already where a returning user left them (the dashboard keeps each
   * pane's place across reloads): for pictures, where clicking down every time adds nothing.
   */
  async openAt(left: { siteId: string; path: string }, right: { siteId: string; path: string }): Promise<void> {
    await this.page.addInitScript(
      (places) => {
        for (const [side, place] of Object.entries(places)) {
          const saved = { siteId: place.siteId, path: place.path, sort: { key: 'name', dir: 'asc' }, lastPaths: {} };
          localStorage.setItem(`pasv.pane.${side}`, JSON.stringify(saved));
        }
      },
      { left, right },
    );
    await this.open();
    await expect(this.left.here).toHaveText(left.path.split('/').filter(Boolean).at(-1) ?? '/');
    await expect(this.right.here).toHaveText(right.path.split('/').filter(Boolean).at(-1) ?? '/');
  }

  /** Both panes on these sites and folders, chosen the way a user would. */
  async show(left: { site: string; path: string }, right: { site: string; path: string }): Promise<void> {
    await this.left.chooseSite(left.site);
    await this.left.goTo(left.path);
    await this.right.chooseSite(right.site);
    await this.right.goTo(right.path);
  }
}
