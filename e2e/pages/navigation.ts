import type { Locator, Page } from '@playwright/test';
import type { Pane } from './pane.js';

/** What the navigation work adds to a pane: the typed path, the context menu, bookmarks. */
export class PaneNav {
  readonly pathInput: Locator;
  readonly editPath: Locator;
  readonly menu: Locator;
  readonly star: Locator;
  readonly bookmarks: Locator;
  readonly activeMark: Locator;

  constructor(
    readonly page: Page,
    readonly pane: Pane,
  ) {
    this.pathInput = pane.region.getByRole('textbox', { name: 'Path' });
    this.editPath = pane.region.getByRole('button', { name: 'Edit path' });
    this.menu = page.getByRole('menu', { name: `${pane.label} menu` });
    this.star = pane.region.getByRole('button', { name: /^(Bookmark this folder|Remove bookmark)$/ });
    this.bookmarks = pane.region.getByRole('button', { name: 'Bookmarks', exact: true });
    this.activeMark = pane.region.getByLabel('Active pane');
  }

  menuItem(name: string): Locator {
    return this.menu.getByRole('menuitem', { name: new RegExp(`^${name}`) });
  }

  /** The pane's line under the grid saying what went wrong. */
  get problem(): Locator {
    return this.pane.region.locator('.pane-status').getByRole('alert');
  }
}
