/** Type-ahead in a listing (as Explorer and FlashFXP do): letters typed quickly build a prefix to jump to. */

/** Keys typed further apart than this start a new prefix. */
export const TYPEAHEAD_RESET_MS = 700;

export interface TypeAhead {
  prefix: string;
  at: number;
}

export const emptyTypeAhead: TypeAhead = { prefix: '', at: 0 };

/** The prefix after typing `key` at time `now`. */
export function typeAheadKey(state: TypeAhead, key: string, now: number): TypeAhead {
  const fresh = now - state.at > TYPEAHEAD_RESET_MS;
  return { prefix: (fresh ? '' : state.prefix) + key.toLowerCase(), at: now };
}

/**
 * The index of the entry to jump to, or -1. A repeated single letter ("ddd") cycles through the
 * names starting with that letter, from the one after the cursor; otherwise the first name
 * (from the cursor on, wrapping) that starts with the prefix.
 */
export function typeAheadMatch(names: readonly string[], prefix: string, cursor: number): number {
  if (!prefix || names.length === 0) return -1;
  const repeated = prefix.length > 1 && [...prefix].every((char) => char === prefix[0]);
  const wanted = repeated ? prefix[0]! : prefix;
  const start = repeated || prefix.length === 1 ? cursor + 1 : Math.max(cursor, 0);
  for (let step = 0; step < names.length; step++) {
    const index = (((start + step) % names.length) + names.length) % names.length;
    if (names[index]!.toLowerCase().startsWith(wanted)) return index;
  }
  return -1;
}

/** A key that extends the prefix: one printable character, no Ctrl/Alt/Meta. */
export function isTypeAheadKey(event: { key: string; ctrlKey: boolean; altKey: boolean; metaKey: boolean }): boolean {
  return (
    event.key.length === 1 &&
    event.key !== ' ' &&
    event.key !== '?' &&
    !event.ctrlKey &&
    !event.altKey &&
    !event.metaKey
  );
}
