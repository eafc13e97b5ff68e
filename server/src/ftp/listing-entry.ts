/**
 * One entry of a parsed listing, and what makes a listed name safe to use: shared by the
 * MLSD parser (listing.ts) and the LIST one (listing-ls.ts).
 */

export type EntryType = 'file' | 'dir' | 'link';

export interface ListEntry {
  name: string;
  type: EntryType;
  size: number;
  /** ISO-8601 UTC, or null when the listing has no usable date. */
  modifiedAt: string | null;
  target?: string;
}

/**
 * Characters a listed name may not hold. `/` and `\` are separators (`\` on Windows servers
 * and on some others), so `a\..\..\x` climbs out of the folder there. C0 and C1 controls
 * (CR, LF, NUL, ESC, CSI, NEL …) would break a command line or a terminal. Bidi marks,
 * embeddings, overrides and isolates and the line/paragraph separators let a name show as
 * another (`invoice\u202Efdp.exe` reads "invoiceexe.pdf").
 */
const HIDDEN = '\\u0000-\\u001f\\u007f-\\u009f\\u061c\\u200e\\u200f\\u2028\\u2029\\u202a-\\u202e\\u2066-\\u2069';
const UNSAFE_IN_NAME = new RegExp(`[/\\\\${HIDDEN}]`);
const HIDDEN_CHARACTER = new RegExp(`[${HIDDEN}]`, 'g');

/**
 * A name from a server's listing is untrusted: it later becomes an argument on this or
 * the other server's control connection, so it must not hold a path or a line break.
 */
export function validateListedName(name: string): boolean {
  return name !== '' && name !== '.' && name !== '..' && !UNSAFE_IN_NAME.test(name);
}

/** A name as it can be shown safely: JSON-quoted, controls and bidi characters as escapes (seen, not obeyed). */
export function displayName(name: string): string {
  // JSON.stringify already escapes C0 and lone surrogates; the rest of HIDDEN it leaves raw.
  return JSON.stringify(name).replace(HIDDEN_CHARACTER, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A line naming an entry unsafely (validateListedName): dropped, counted and reported. */
export class UnsafeName {
  constructor(readonly name: string) {}
}

export const unsafe = (name: string) => new UnsafeName(name);

/** An entry that is dropped on purpose and not counted as rejected. */
export const SKIP = Symbol('skip');

/** What a line comes to: an entry, an unsafe name, a deliberate skip, or null for a malformed line. */
export type LineResult = ListEntry | UnsafeName | typeof SKIP | null;

export function entry(
  name: string,
  type: EntryType,
  size: number,
  modifiedAt: string | null,
  target?: string,
): ListEntry {
  // A directory's own size (4096, sizd) says nothing about what it holds.
  const result: ListEntry = { name, type, size: type === 'dir' ? 0 : size, modifiedAt };
  if (target !== undefined) result.target = target;
  return result;
}
