import { expect, type Locator, type Page } from '@playwright/test';

/** One side of the dual pane: its site picker, breadcrumbs, toolbar and file grid. */
export class Pane {
  readonly region: Locator;
  readonly site: Locator;
  readonly grid: Locator;
  readonly crumbs: Locator;

  constructor(
    readonly page: Page,
    readonly label: 'Left pane' | 'Right pane',
  ) {
    this.region = page.getByRole('region', { name: label });
    this.site = this.region.getByRole('combobox', { name: 'Site' });
    this.grid = this.region.getByRole('grid', { name: `${label} files` });
    this.crumbs = this.region.getByRole('navigation', { name: 'Path' });
  }

  row(name: string): Locator {
    return this.grid.getByRole('row', { name, exact: true });
  }

  button(name: 'Refresh' | 'New folder' | 'Rename' | 'Delete' | 'Console'): Locator {
    return this.region.getByRole('toolbar').getByRole('button', { name, exact: true });
  }

  crumb(name: string): Locator {
    return this.crumbs.getByRole('button', { name, exact: true });
  }

  /** The crumb of the folder shown now. */
  get here(): Locator {
    return this.crumbs.locator('[aria-current="location"]');
  }

  /** The "N items" line under the grid. */
  itemCount(count: number): Locator {
    return this.region.getByText(new RegExp(`^${count} items?\\b`));
  }

  async chooseSite(name: string): Promise<void> {
    await this.site.selectOption({ label: name });
    await expect(this.here).toHaveText('/');
  }

  async openFolder(name: string): Promise<void> {
    await this.row(name).dblclick();
    await expect(this.here).toHaveText(name);
  }

  /** Open each folder of an absolute path, from wherever the pane is, the way a user clicks down. */
  async goTo(path: string): Promise<void> {
    await this.crumb('/').click();
    await expect(this.here).toHaveText('/');
    for (const segment of path.split('/').filter(Boolean)) await this.openFolder(segment);
  }

  async select(name: string): Promise<void> {
    await this.row(name).click();
    await expect(this.row(name)).toHaveAttribute('aria-selected', 'true');
  }
}
