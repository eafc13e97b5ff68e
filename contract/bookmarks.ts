/** Favourite folders per site (the pane's star). */
import { Type, type Static } from 'typebox';

/** A remote path: absolute, no CR, LF or NUL (it ends up in CWD/LIST). */
const BookmarkPath = Type.String({ pattern: '^/[^\\r\\n\\u0000]*$', minLength: 1, maxLength: 4096 });

export const Bookmark = Type.Object({
  path: BookmarkPath,
  createdAt: Type.String({ format: 'date-time' }),
});
export type Bookmark = Static<typeof Bookmark>;

export const BookmarkBody = Type.Object({ path: BookmarkPath }, { additionalProperties: false });
export type BookmarkBody = Static<typeof BookmarkBody>;

export const BookmarkQuery = Type.Object({ path: BookmarkPath }, { additionalProperties: false });
