import type { IfExists } from '../../../../../contract/index.js';
import { Button } from '../../../components/Button.js';
import { Dialog } from '../../../components/Dialog.js';

export interface Conflict {
  existing: string[];
  total: number;
  destination: string;
}

/** Some of what is being sent already exists at the destination: the user decides, once for all. */
export function ConflictDialog({ conflict, onChoose }: { conflict: Conflict | null; onChoose: (choice: IfExists | null) => void }) {
  const shown = conflict?.existing.slice(0, 8) ?? [];
  const more = (conflict?.existing.length ?? 0) - shown.length;
  return (
    <Dialog
      open={conflict !== null}
      title="Already exists"
      onClose={() => onChoose(null)}
      className="dialog-small"
      footer={
        <>
          <Button onClick={() => onChoose(null)}>Cancel</Button>
          <span className="spacer" />
          <Button onClick={() => onChoose('skip')}>Skip existing</Button>
          <Button onClick={() => onChoose('resume')}>Resume</Button>
          <Button variant="danger" onClick={() => onChoose('overwrite')}>
            Overwrite
          </Button>
        </>
      }
    >
      {conflict && (
        <>
          <p>
            {conflict.existing.length === conflict.total ? 'All' : `${conflict.existing.length} of ${conflict.total}`} of the
            items already exist in <strong className="mono">{conflict.destination}</strong>:
          </p>
          <ul className="name-list mono">
            {shown.map((name) => (
              <li key={name}>{name}</li>
            ))}
            {more > 0 && <li className="muted">and {more} more</li>}
          </ul>
          <p className="muted small">Resume continues partial files from their current size (REST); folders are merged.</p>
        </>
      )}
    </Dialog>
  );
}
