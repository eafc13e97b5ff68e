import { expect, type Locator, type Page } from '@playwright/test';

export type TransferStateName = 'queued' | 'running' | 'done' | 'skipped' | 'failed' | 'cancelled';

/** The Queue tab: one row per transfer, named by what is being sent. */
export class QueueTab {
  readonly tab: Locator;
  readonly table: Locator;
  /** "3 running · 2 waiting · 4 finished" above the table. */
  readonly summary: Locator;
  readonly clearFinished: Locator;
  readonly clearFailedToo: Locator;

  constructor(readonly page: Page) {
    this.tab = page.getByRole('tab', { name: 'Queue', exact: true });
    this.table = page.getByRole('table', { name: 'Transfers' });
    this.summary = page.getByLabel('Queue summary');
    this.clearFinished = page.getByRole('button', { name: 'Clear finished', exact: true });
    this.clearFailedToo = page.getByRole('button', { name: 'Clear failed too…', exact: true });
  }

  async show(): Promise<void> {
    await this.tab.click();
    await expect(this.tab).toHaveAttribute('aria-selected', 'true');
  }

  row(name: string): Locator {
    return this.table.getByRole('row', { name, exact: true });
  }

  progress(name: string): Locator {
    return this.row(name).getByRole('progressbar', { name: `${name} progress` });
  }

  state(name: string, state: TransferStateName): Locator {
    return this.row(name).getByText(state, { exact: true });
  }

  action(name: string, action: 'Cancel' | 'Retry' | 'Move to top'): Locator {
    return this.row(name).getByRole('button', { name: action, exact: true });
  }

  /** The mode the engine used, as its badge reads: "FXP" or "relay". */
  mode(name: string, mode: 'FXP' | 'relay'): Locator {
    return this.row(name).getByText(mode, { exact: true });
  }

  async waitFor(name: string, state: TransferStateName, timeout?: number): Promise<void> {
    await expect(this.state(name, state)).toBeVisible(timeout === undefined ? {} : { timeout });
  }
}

/** The Log tab: the control conversation of every session. */
export class LogTab {
  readonly tab: Locator;
  readonly log: Locator;
  readonly siteFilter: Locator;

  constructor(readonly page: Page) {
    this.tab = page.getByRole('tab', { name: 'Log', exact: true });
    this.log = page.getByRole('log', { name: 'Control connection log' });
    this.siteFilter = page.getByRole('combobox', { name: 'Filter by site' });
  }

  async show(): Promise<void> {
    await this.tab.click();
    await expect(this.tab).toHaveAttribute('aria-selected', 'true');
  }

  async onlySite(name: string): Promise<void> {
    await this.siteFilter.selectOption({ label: name });
  }

  /** A line as FTP people read it: `→ PASV`, `← 227 Entering Passive Mode (…)`. */
  line(text: string | RegExp): Locator {
    return this.log.getByText(text);
  }
}

/** The History tab: every finished transfer, searchable. */
export class HistoryTab {
  readonly tab: Locator;
  readonly table: Locator;
  readonly search: Locator;

  constructor(readonly page: Page) {
    this.tab = page.getByRole('tab', { name: 'History', exact: true });
    this.table = page.getByRole('table', { name: 'Finished transfers' });
    this.search = page.getByRole('searchbox', { name: 'Search history' });
  }

  async show(): Promise<void> {
    await this.tab.click();
    await expect(this.tab).toHaveAttribute('aria-selected', 'true');
  }

  row(name: string): Locator {
    return this.table.getByRole('row', { name, exact: true });
  }
}
