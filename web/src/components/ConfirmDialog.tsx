import type { ReactNode } from 'react';
import { Button } from './Button.js';
import { Dialog } from './Dialog.js';

export interface ConfirmDialogProps {
  open: boolean;
  title: string;
  children: ReactNode;
  confirmLabel: string;
  danger?: boolean;
  busy?: boolean;
  /**
   * Focus Cancel rather than the confirm button when it opens: for what a stray Enter must not
   * do. Defaults to `danger`, so Del then Enter never deletes.
   */
  focusCancel?: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}

export function ConfirmDialog({
  open,
  title,
  children,
  confirmLabel,
  danger,
  busy,
  focusCancel,
  onConfirm,
  onCancel,
}: ConfirmDialogProps) {
  const safe = focusCancel ?? danger ?? false;
  return (
    <Dialog
      open={open}
      title={title}
      onClose={onCancel}
      className="dialog-confirm"
      footer={
        <>
          <Button onClick={onCancel} data-autofocus={safe ? true : undefined}>
            Cancel
          </Button>
          <Button
            variant={danger ? 'danger' : 'primary'}
            onClick={onConfirm}
            disabled={busy}
            data-autofocus={safe ? undefined : true}
          >
            {confirmLabel}
          </Button>
        </>
      }
    >
      {children}
    </Dialog>
  );
}
