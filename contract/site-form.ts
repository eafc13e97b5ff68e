/** The Sites dialog's extras: a test of unsaved values, and clone. */
import { Type } from 'typebox';
// Types only: index.ts re-exports this file, so a value import from it would run before it exists.
import type { SitePatch } from './index.js';

/** The id of the site being edited, next to the form's values in POST /api/sites/test. */
export const SiteTestTarget = { siteId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })) };

/**
 * The form's values as they are (a SiteCreate whose fields may all be missing), optionally with
 * the id of the site being edited: what is missing comes from it, its saved password included
 * while host, port, user, TLS mode and fingerprint are unchanged.
 */
export type SiteTestBody = SitePatch & { siteId?: string };
