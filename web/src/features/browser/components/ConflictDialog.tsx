import type { Entry, IfExists } from '../../../../../contract/index.js';
import { Button } from '../../../components/Button.js';
import { Dialog } from '../../../components/Dialog.js';
import { formatBytes, formatDateTime } from '../../../lib/format.js';

export interface ConflictItem {
  name: string;
  /** What is being sent (null when the source pane no longer shows it). */
  source: Entry | null;
  /** What the destination already has under that name. */
  existing: Entry;
}

export interface Conflict {
  items: ConflictItem[];
  total: number;
  source: string;
  destination: string;
}

const SHOWN = 8;

function Side({ entry }: { entry: Entry | null }) {
  if (!entry) return <span className="muted">–</span>;
  return (
    <>
      <span className="conflict-size">{entry.type === 'dir' ? 'folder' : formatBytes(entry.size)}</span>
      <span className="conflict-date muted">
        {entry.modifiedAt ? formatDateTime(entry.modifiedAt) : 'date unknown'}
      </span>
    </>
  );
}

/** Some of what is being sent already exists at the destination: the user decides, once for all. */
export function ConflictDialog({
  conflict,
  onChoose,
}: {
  conflict: Conflict | null;
  onChoose: (choice: IfExists | null) => void;
}) {
  const shown = conflict?.items.slice(0, SHOWN) ?? [];
  const more = (conflict?.items.length ?? 0) - shown.length;
  return (
    <Dialog
      open={conflict !== null}
      title="Already exists"
      onClose={() => onChoose(null)}
      className="dialog-conflict"
      footer={
        <>
          <Button onClick={() => onChoose(null)} data-autofocus>
            Cancel
          </Button>
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
            {conflict.items.length === conflict.total ? 'All' : `${conflict.items.length} of ${conflict.total}`} of the
            items already exist in <strong className="mono">{conflict.destination}</strong>:
          </p>
          <table className="conflict-table">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Source ({conflict.source})</th>
                <th scope="col">Destination</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((item) => (
                <tr key={item.name} aria-label={item.name}>
                  <th scope="row" className="mono">
                    {item.name}
                  </th>
                  <td aria-label="Source">
                    <Side entry={item.source} />
                  </td>
                  <td aria-label="Destination">
                    <Side entry={item.existing} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {more > 0 && <p className="muted">and {more} more</p>}
          <p className="muted small">
            Resume continues partial files from their current size (REST); folders are merged.
          </p>
        </>
      )}
    </Dialog>
  );
}
