/** The tab title counts what ended or failed while the user looked elsewhere: "(2) pasv". */
export function titleWithCount(base: string, unseen: number): string {
  return unseen > 0 ? `(${unseen}) ${base}` : base;
}

/** Notices count as unseen only while the tab is not focused; focusing it reads them all. */
export function nextUnseen(unseen: number, arrived: number, focused: boolean): number {
  return focused ? 0 : unseen + arrived;
}
