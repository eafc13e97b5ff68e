import { useEffect, useState } from 'react';
import { IconButton } from '../../../components/Button.js';
import type { Toast } from '../model/toasts.js';

const SHOWN_MS = { success: 8000, info: 8000, error: 15000 } as const;

function ToastItem({ toast, onDismiss }: { toast: Toast; onDismiss: (id: number) => void }) {
  const [held, setHeld] = useState(false);
  useEffect(() => {
    if (held) return undefined;
    const timer = setTimeout(() => onDismiss(toast.id), SHOWN_MS[toast.tone]);
    return () => clearTimeout(timer);
  }, [held, toast.id, toast.tone, onDismiss]);
  return (
    <li
      className={`toast toast-${toast.tone}`}
      role="status"
      aria-live="polite"
      onMouseEnter={() => setHeld(true)}
      onMouseLeave={() => setHeld(false)}
      onFocus={() => setHeld(true)}
      onBlur={() => setHeld(false)}
    >
      <div className="toast-text">
        <strong>{toast.title}</strong>
        <span>{toast.body}</span>
      </div>
      <IconButton icon="close" label="Dismiss notification" onClick={() => onDismiss(toast.id)} />
    </li>
  );
}

/** The stack of toasts in the corner; each goes by itself, later while hovered or focused. */
export function Toaster({ toasts, onDismiss }: { toasts: readonly Toast[]; onDismiss: (id: number) => void }) {
  return (
    <ol className="toasts" aria-label="Notifications">
      {toasts.map((toast) => (
        <ToastItem key={toast.id} toast={toast} onDismiss={onDismiss} />
      ))}
    </ol>
  );
}
