import type { Locator, Page } from '@playwright/test';

export class SignInPage {
  readonly heading: Locator;
  readonly password: Locator;
  readonly submit: Locator;
  readonly error: Locator;

  constructor(
    readonly page: Page,
    private readonly url: string,
  ) {
    this.heading = page.getByRole('heading', { name: 'Sign in' });
    this.password = page.getByLabel('Password');
    this.submit = page.getByRole('button', { name: 'Sign in' });
    this.error = page.getByRole('alert');
  }

  async open(): Promise<void> {
    await this.page.goto(this.url);
  }

  async signIn(password: string): Promise<void> {
    await this.password.fill(password);
    await this.submit.click();
  }
}
