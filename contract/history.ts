import { Type, type Static } from 'typebox';

/** GET /api/history: finished transfers, newest first, kept after "Clear finished". */
export const HistoryQuery = Type.Object({
  /** A substring of the name, the source path or the destination dir (case-insensitive). */
  q: Type.Optional(Type.String({ maxLength: 200 })),
  /** The `nextCursor` of the previous page. */
  cursor: Type.Optional(Type.String({ pattern: '^[0-9TZ:.-]+\\|[0-9a-f-]+$', maxLength: 80 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
});
export type HistoryQuery = Static<typeof HistoryQuery>;
