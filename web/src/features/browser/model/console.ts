/** The console's pure parts: how a reply code reads (its colour) and walking the typed history. */

export type ReplyClass = 'preliminary' | 'ok' | 'pending' | 'transient' | 'permanent';

/** RFC 959 §4.2.1: the first digit says how the command went. */
export function replyClass(code: number): ReplyClass {
  if (code < 200) return 'preliminary';
  if (code < 300) return 'ok';
  if (code < 400) return 'pending';
  if (code < 500) return 'transient';
  return 'permanent';
}

/**
 * Up and down through the lines sent, as shells do: `cursor` is the index being shown, or null
 * for the line being typed (kept as the draft). Returns the new cursor, or undefined when the
 * key does nothing (no older line, or already at the draft).
 */
export function stepHistory(
  length: number,
  cursor: number | null,
  direction: 'up' | 'down',
): number | null | undefined {
  if (direction === 'up') {
    if (length === 0 || cursor === 0) return undefined;
    return cursor === null ? length - 1 : cursor - 1;
  }
  if (cursor === null) return undefined;
  return cursor + 1 >= length ? null : cursor + 1;
}
