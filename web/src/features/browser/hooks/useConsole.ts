import { useRef, useState } from 'react';
import { ApiError, errorText } from '../../../lib/api.js';
import { sendCommand } from '../api/browser.js';

/** What the console shows: each line sent and how it ended. */
type ConsoleLine =
  | { kind: 'sent'; line: string }
  | { kind: 'reply'; code: number; lines: string[] }
  | { kind: 'refused'; line: string; message: string }
  | { kind: 'failed'; message: string };
export type ConsoleEntry = ConsoleLine & { id: number };

/** Enough to scroll back through a session's worth of SITE commands; older entries go. */
const SCROLLBACK = 500;

/** A site's console: the scrollback and the lines typed, kept while the pane shows that site. */
export function useConsole(siteId: string | null) {
  const [entries, setEntries] = useState<ConsoleEntry[]>([]);
  const [history, setHistory] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const nextId = useRef(0);

  const add = (...added: ConsoleLine[]) =>
    setEntries((current) =>
      [...current, ...added.map((entry) => ({ ...entry, id: nextId.current++ }))].slice(-SCROLLBACK),
    );

  const send = async (line: string) => {
    if (!siteId || busy) return;
    setHistory((current) => (current.at(-1) === line ? current : [...current, line]));
    setBusy(true);
    try {
      const reply = await sendCommand(siteId, line);
      add(
        { kind: 'sent', line },
        { kind: 'reply', code: reply.code, lines: reply.lines ?? [`${reply.code} ${reply.text}`] },
      );
    } catch (error) {
      // A refused line never left pasv: it shows as typed, with the reason, and not as sent.
      if (error instanceof ApiError && error.status === 400) add({ kind: 'refused', line, message: error.message });
      else add({ kind: 'sent', line }, { kind: 'failed', message: errorText(error) });
    } finally {
      setBusy(false);
    }
  };

  return { entries, history, busy, send, clear: () => setEntries([]) };
}
