/** The note under a demo site's form: its login, and how to try it with another client. */
import type { Site } from '../../../../../contract/index.js';

export function demoNote(site: Site): { text: string; command: string } | null {
  if (!site.demo) return null;
  const { user, password } = site.demo;
  const host = site.host.includes(':') ? `[${site.host}]` : site.host;
  return {
    text: `Demo server — user ${user} / password ${password}. Try it with lftp or FlashFXP too:`,
    command: `lftp -u ${user},${password} ftp://${host}:${site.port}`,
  };
}
