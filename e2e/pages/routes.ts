import { expect, type Locator, type Page } from '@playwright/test';

/** The Routes tab: one row per ordered pair of sites ("alpha → beta"), what worked, what failed. */
export class RoutesTab {
  readonly tab: Locator;
  readonly table: Locator;
  readonly confirm: Locator;

  constructor(readonly page: Page) {
    this.tab = page.getByRole('tab', { name: 'Routes', exact: true });
    this.table = page.getByRole('table', { name: 'Remembered routes' });
    this.confirm = page.getByRole('dialog', { name: 'Forget route' });
  }

  async show(): Promise<void> {
    await this.tab.click();
    await expect(this.tab).toHaveAttribute('aria-selected', 'true');
  }

  /** The row of a pair, named "source → destination". */
  row(source: string, destination: string): Locator {
    return this.page.getByRole('row', { name: `${source} → ${destination}`, exact: true });
  }

  async showFailures(source: string, destination: string): Promise<Locator> {
    await this.row(source, destination)
      .getByRole('button', { name: `Show failures of ${source} → ${destination}` })
      .click();
    const failures = this.page.getByRole('list', { name: `Failures of ${source} → ${destination}` });
    await expect(failures).toBeVisible();
    return failures;
  }

  forget(source: string, destination: string): Locator {
    return this.row(source, destination).getByRole('button', { name: 'Forget', exact: true });
  }
}
