import { useLayoutEffect, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { Button } from '../../../components/Button.js';
import { Dialog } from '../../../components/Dialog.js';
import { useConsole, type ConsoleEntry } from '../hooks/useConsole.js';
import { replyClass, stepHistory } from '../model/console.js';

export interface ConsoleDialogProps {
  open: boolean;
  siteId: string | null;
  siteName: string;
  onClose: () => void;
}

/**
 * A site's raw-command console (SITE, STAT, MDTM …). It stays mounted while closed, so the
 * scrollback and the history survive closing and reopening it for the same site.
 */
export function ConsoleDialog({ open, siteId, siteName, onClose }: ConsoleDialogProps) {
  const state = useConsole(siteId);
  return (
    <Dialog open={open} title={`Console — ${siteName}`} onClose={onClose} className="dialog-console">
      <ConsoleBody {...state} />
    </Dialog>
  );
}

function ConsoleBody({ entries, history, busy, send, clear }: ReturnType<typeof useConsole>) {
  const [input, setInput] = useState('');
  const [cursor, setCursor] = useState<number | null>(null);
  const [draft, setDraft] = useState('');
  const scrollRef = useRef<HTMLDivElement>(null);

  useLayoutEffect(() => {
    const element = scrollRef.current;
    if (element) element.scrollTop = element.scrollHeight;
  }, [entries]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const line = input.trim();
    if (!line || busy) return;
    setInput('');
    setCursor(null);
    void send(line);
  };

  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key !== 'ArrowUp' && event.key !== 'ArrowDown') return;
    const next = stepHistory(history.length, cursor, event.key === 'ArrowUp' ? 'up' : 'down');
    if (next === undefined) return;
    event.preventDefault();
    if (cursor === null) setDraft(input);
    setCursor(next);
    setInput(next === null ? draft : history[next]!);
  };

  return (
    <div className="console">
      <div ref={scrollRef} className="console-scroll" role="log" aria-label="Console output" tabIndex={0}>
        {entries.length === 0 ? (
          <p className="muted">
            Type a command the server understands (<span className="mono">SITE HELP</span>,{' '}
            <span className="mono">STAT</span>, <span className="mono">MDTM /path</span>) and press Enter. It goes out
            as typed on pasv&apos;s session with this site; the reply shows here and in the log.
          </p>
        ) : (
          entries.map((entry) => <Line key={entry.id} entry={entry} />)
        )}
      </div>
      <form className="console-input" onSubmit={submit}>
        <span className="console-prompt mono" aria-hidden="true">
          ftp&gt;
        </span>
        <input
          aria-label="Command"
          className="mono"
          value={input}
          data-autofocus
          spellCheck={false}
          autoComplete="off"
          maxLength={512}
          onChange={(event) => {
            setInput(event.target.value);
            setCursor(null);
          }}
          onKeyDown={onKeyDown}
        />
        <Button type="submit" variant="primary" size="sm" disabled={busy || input.trim() === ''}>
          {busy ? 'Waiting…' : 'Send'}
        </Button>
        <Button size="sm" onClick={clear} disabled={entries.length === 0}>
          Clear
        </Button>
      </form>
    </div>
  );
}

function Line({ entry }: { entry: ConsoleEntry }) {
  switch (entry.kind) {
    case 'sent':
      return <div className="console-line console-sent">→ {entry.line}</div>;
    case 'reply':
      return (
        <div className={`console-line console-reply reply-${replyClass(entry.code)}`} data-code={entry.code}>
          {entry.lines.map((line, index) => (
            <div key={index}>← {line}</div>
          ))}
        </div>
      );
    case 'refused':
      return (
        <div className="console-line console-refused" role="alert">
          <div className="console-not-sent">✕ {entry.line}</div>
          <div>not sent: {entry.message}</div>
        </div>
      );
    case 'failed':
      return (
        <div className="console-line console-failed" role="alert">
          {entry.message}
        </div>
      );
  }
}
