import { expect, type Locator, type Page } from '@playwright/test';

export interface NewSite {
  name: string;
  host: string;
  port: number;
  user: string;
  password: string;
  tls: 'None (plain FTP)' | 'Explicit (AUTH TLS)' | 'Implicit (port 990)';
}

/** The Sites dialog: the saved sites on the left, the form and its connection test on the right. */
export class SitesDialog {
  readonly dialog: Locator;
  readonly testResult: Locator;

  constructor(readonly page: Page) {
    this.dialog = page.getByRole('dialog', { name: 'Sites' });
    this.testResult = this.dialog.getByRole('region', { name: 'Connection test' });
  }

  async open(): Promise<void> {
    await this.page.getByRole('banner').getByRole('button', { name: 'Sites', exact: true }).click();
    await expect(this.dialog).toBeVisible();
  }

  field(label: string): Locator {
    return this.dialog.getByLabel(label, { exact: true });
  }

  button(name: 'New site' | 'Save' | 'Test connection' | 'Clone' | 'Close' | 'Delete'): Locator {
    return this.dialog.getByRole('button', { name, exact: true });
  }

  /** A saved site in the list (its button reads "name host:port"). */
  saved(name: string): Locator {
    return this.dialog
      .getByRole('navigation', { name: 'Saved sites' })
      .getByRole('button', { name: new RegExp(`^${name}\\b`) });
  }

  async add(site: NewSite): Promise<void> {
    await this.button('New site').click();
    await expect(this.dialog.getByRole('form', { name: 'New site' })).toBeVisible();
    await this.field('Name').fill(site.name);
    await this.field('Host').fill(site.host);
    await this.field('Port').fill(String(site.port));
    await this.field('User').fill(site.user);
    await this.field('Password').fill(site.password);
    await this.field('TLS').selectOption({ label: site.tls });
    await this.button('Save').click();
    await expect(this.dialog.getByRole('form', { name: `Edit ${site.name}` })).toBeVisible();
  }

  async testConnection(): Promise<void> {
    await this.button('Test connection').click();
  }

  async close(): Promise<void> {
    await this.button('Close').click();
    await expect(this.dialog).toBeHidden();
  }
}
