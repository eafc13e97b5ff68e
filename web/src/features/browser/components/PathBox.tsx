import { useEffect, useRef, useState, type MouseEvent } from 'react';
import { normalizeTypedPath } from '../model/entries.js';
import { Breadcrumbs } from './Breadcrumbs.js';

export interface PathBoxProps {
  path: string;
  editing: boolean;
  onEditing: (editing: boolean) => void;
  onNavigate: (path: string) => void;
  /** A typed path that cannot be a path (line breaks…). */
  onInvalid: (message: string) => void;
}

/** Breadcrumbs to click, or (Ctrl+L, or a click beside them) a text box to type or paste a path into. */
export function PathBox({ path, editing, onEditing, onNavigate, onInvalid }: PathBoxProps) {
  if (editing) return <PathInput path={path} onEditing={onEditing} onNavigate={onNavigate} onInvalid={onInvalid} />;

  // A click on the path itself (not on a folder's crumb) turns it into the text box.
  const onClick = (event: MouseEvent<HTMLDivElement>) => {
    if (!(event.target as HTMLElement).closest('button')) onEditing(true);
  };

  return (
    <div className="path-box" onClick={onClick} title="Click or press Ctrl+L to type a path">
      <Breadcrumbs path={path} onNavigate={onNavigate} />
      <button type="button" className="path-edit" aria-label="Edit path" onClick={() => onEditing(true)}>
        ✎
      </button>
    </div>
  );
}

function PathInput({ path, onEditing, onNavigate, onInvalid }: Omit<PathBoxProps, 'editing'>) {
  const inputRef = useRef<HTMLInputElement>(null);
  const [text, setText] = useState(path);

  useEffect(() => {
    inputRef.current?.focus();
    inputRef.current?.select();
  }, []);

  return (
    <input
      ref={inputRef}
      className="path-input mono"
      aria-label="Path"
      spellCheck={false}
      value={text}
      onChange={(event) => setText(event.target.value)}
      onBlur={() => onEditing(false)}
      onKeyDown={(event) => {
        if (event.key === 'Escape') {
          event.preventDefault();
          event.stopPropagation();
          onEditing(false);
        } else if (event.key === 'Enter') {
          event.preventDefault();
          const typed = normalizeTypedPath(text);
          if (typed === null) onInvalid('A path cannot contain line breaks or NUL');
          else onNavigate(typed);
          onEditing(false);
        }
      }}
    />
  );
}
