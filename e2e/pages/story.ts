import { expect, type Locator, type Page } from '@playwright/test';

/** The transfer's story dialog, opened from a queue row. */
export class StoryDialog {
  readonly dialog: Locator;
  readonly diagram: Locator;
  readonly figure: Locator;
  /** The text alternative: one item per arrow, "pasv → source: PASV". */
  readonly arrows: Locator;

  constructor(
    readonly page: Page,
    readonly name: string,
  ) {
    this.dialog = page.getByRole('dialog', { name: `Story of ${name}` });
    this.diagram = this.dialog.getByRole('img', { name: /^Sequence diagram of / });
    this.figure = this.dialog.getByRole('img', { name: /^Control connections from pasv/ });
    this.arrows = this.dialog.getByRole('list', { name: 'The story as text' }).getByRole('listitem');
  }

  async open(row: Locator): Promise<void> {
    await row.getByRole('button', { name: "Show the transfer's story" }).click();
    await expect(this.dialog).toBeVisible();
  }

  /** Waits until every pattern has appeared, then checks they came in this order. */
  async expectInOrder(patterns: RegExp[]): Promise<void> {
    for (const pattern of patterns) await expect(this.arrows.filter({ hasText: pattern }).first()).toBeAttached();
    const texts = await this.arrows.allTextContents();
    let from = 0;
    for (const pattern of patterns) {
      const index = texts.findIndex((text, i) => i >= from && pattern.test(text));
      expect(index, `${pattern} after item ${from} of\n${texts.join('\n')}`).toBeGreaterThanOrEqual(0);
      from = index + 1;
    }
  }
}
