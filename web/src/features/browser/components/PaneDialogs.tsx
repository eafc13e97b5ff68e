import type { ReactNode } from 'react';
import { ConfirmDialog } from '../../../components/ConfirmDialog.js';
import { plural } from '../../../lib/format.js';
import { ConsoleDialog } from './ConsoleDialog.js';
import { NameDialog } from './NameDialog.js';

export type PaneDialog =
  | { kind: 'mkdir' }
  | { kind: 'rename'; name: string }
  | { kind: 'delete'; names: string[] }
  | { kind: 'console' }
  | null;

export interface PaneDialogsProps {
  dialog: PaneDialog;
  onClose: () => void;
  taken: ReadonlySet<string>;
  busy: boolean;
  siteId: string | null;
  siteName: string;
  path: string;
  onCreate: (name: string) => void;
  onRename: (from: string, to: string) => void;
  onRemove: (names: string[]) => void;
}

/** The pane's dialogs: new folder, rename, console, and the delete confirm (Cancel focused). */
export function PaneDialogs(props: PaneDialogsProps): ReactNode {
  const { dialog, onClose, taken, busy, siteId, siteName, path, onCreate, onRename, onRemove } = props;
  return (
    <>
      <NameDialog
        open={dialog?.kind === 'mkdir'}
        title="New folder"
        label="Folder name"
        submitLabel="Create"
        taken={taken}
        busy={busy}
        onSubmit={onCreate}
        onCancel={() => onClose()}
      />
      <NameDialog
        key={dialog?.kind === 'rename' ? dialog.name : 'rename'}
        open={dialog?.kind === 'rename'}
        title="Rename"
        label="New name"
        submitLabel="Rename"
        initial={dialog?.kind === 'rename' ? dialog.name : ''}
        taken={taken}
        busy={busy}
        onSubmit={(to) => dialog?.kind === 'rename' && onRename(dialog.name, to)}
        onCancel={() => onClose()}
      />
      <ConsoleDialog
        key={siteId ?? ''}
        open={dialog?.kind === 'console'}
        siteId={siteId}
        siteName={siteName}
        onClose={() => onClose()}
      />
      <ConfirmDialog
        open={dialog?.kind === 'delete'}
        title={dialog?.kind === 'delete' ? `Delete ${plural(dialog.names.length, 'item')}?` : 'Delete'}
        confirmLabel={busy ? 'Deleting…' : 'Delete'}
        danger
        busy={busy}
        onCancel={() => onClose()}
        onConfirm={() => dialog?.kind === 'delete' && onRemove(dialog.names)}
      >
        {dialog?.kind === 'delete' && (
          <>
            <p>
              From <strong>{siteName}</strong> <span className="mono">{path}</span>:
            </p>
            <ul className="name-list mono">
              {dialog.names.slice(0, 8).map((name) => (
                <li key={name}>{name}</li>
              ))}
              {dialog.names.length > 8 && <li className="muted">and {dialog.names.length - 8} more</li>}
            </ul>
            <p className="muted small">Folders are deleted with everything inside. This cannot be undone.</p>
          </>
        )}
      </ConfirmDialog>
    </>
  );
}
