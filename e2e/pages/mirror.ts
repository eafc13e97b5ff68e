import { expect, type Locator, type Page } from '@playwright/test';

export type VerdictName = 'new' | 'changed' | 'extra' | 'conflict' | 'same' | 'skipped';

/** The Jobs tab: one row per saved mirror job, with its actions and run history. */
export class JobsTab {
  readonly tab: Locator;
  readonly table: Locator;

  constructor(readonly page: Page) {
    this.tab = page.getByRole('tab', { name: 'Jobs', exact: true });
    this.table = page.getByRole('table', { name: 'Mirror jobs' });
  }

  async show(): Promise<void> {
    await this.tab.click();
    await expect(this.tab).toHaveAttribute('aria-selected', 'true');
  }

  row(name: string): Locator {
    return this.table.getByRole('row', { name, exact: true });
  }

  action(name: string, action: 'Run' | 'Dry run' | 'Compare'): Locator {
    return this.row(name).getByRole('button', { name: action, exact: true });
  }

  edit(name: string): Locator {
    return this.row(name).getByRole('button', { name: `Edit ${name}` });
  }

  enabled(name: string): Locator {
    return this.row(name).getByRole('switch', { name: `Enabled: ${name}` });
  }

  async showRuns(name: string): Promise<Locator> {
    await this.row(name).getByRole('button', { name: `Show runs of ${name}` }).click();
    const runs = this.page.getByRole('table', { name: `Runs of ${name}` });
    await expect(runs).toBeVisible();
    return runs;
  }
}

/** The job editor dialog. */
export class JobEditor {
  readonly dialog: Locator;

  constructor(readonly page: Page) {
    this.dialog = page.getByRole('dialog', { name: /^(New mirror job|Edit .+)$/ });
  }

  field(label: string): Locator {
    return this.dialog.getByLabel(label, { exact: true });
  }

  schedule(kind: 'Manual only' | 'Every N minutes' | 'Cron'): Locator {
    return this.dialog.getByRole('radiogroup', { name: 'Schedule' }).getByRole('radio', { name: kind });
  }

  async openFilters(): Promise<void> {
    const summary = this.dialog.getByText('Skip and pass lists', { exact: true });
    if (!(await this.field('Skip file names').isVisible())) await summary.click();
  }

  async save(): Promise<void> {
    await this.dialog.getByRole('button', { name: /^(Create job|Save)$/ }).click();
    await expect(this.dialog).toBeHidden();
  }
}

/** The compare view that takes the panes' place: both trees side by side, a row per path. */
export class CompareView {
  readonly region: Locator;
  readonly grid: Locator;
  readonly rows: Locator;
  readonly filters: Locator;

  constructor(readonly page: Page) {
    this.region = page.getByRole('region', { name: 'Compare' });
    this.grid = this.region.getByRole('grid', { name: 'Compared entries' });
    this.rows = this.grid.locator('[role="row"][data-verdict]');
    this.filters = this.region.getByRole('group', { name: 'Filter by verdict' });
  }

  row(path: string): Locator {
    return this.grid.getByRole('row', { name: path, exact: true });
  }

  rowsOf(verdict: VerdictName): Locator {
    return this.grid.locator(`[role="row"][data-verdict="${verdict}"]`);
  }

  /** The summary bar's chip for a verdict: it carries the run's count, and filters when pressed. */
  chip(verdict: VerdictName): Locator {
    return this.filters.locator(`button[data-verdict="${verdict}"]`);
  }

  button(name: 'Sync all' | 'Dry run again' | 'Close compare' | RegExp): Locator {
    return this.region.getByRole('button', { name });
  }

  /** The run shown: its state badge ("done", "syncing"…) and "dry run" when it is one. */
  get runState(): Locator {
    return this.region.getByRole('status', { name: 'Run state' });
  }

  async waitDone(timeout = 30_000): Promise<void> {
    await expect(this.runState).toContainText('done', { timeout });
  }
}
