import { Button } from '../../../components/Button.js';
import { Dialog } from '../../../components/Dialog.js';

const shortcuts: Array<[keys: string[], what: string]> = [
  [['↑', '↓', 'PgUp', 'PgDn', 'Home', 'End'], 'Move the cursor (Shift extends the selection)'],
  [['Enter'], 'Open the folder under the cursor'],
  [['Backspace'], 'Parent folder'],
  [['Space'], 'Select or unselect the row under the cursor'],
  [['Ctrl+A'], 'Select all'],
  [['a…z'], 'Jump to the first name starting with what you type'],
  [['Tab', 'Shift+Tab'], 'Switch to the other pane'],
  [['F5', 'Ctrl+Enter'], 'Copy the selection to the other pane’s folder'],
  [['Ctrl+L'], 'Type a path'],
  [['Del'], 'Delete the selection (asks first)'],
  [['F2'], 'Rename'],
  [['F7'], 'New folder'],
  [['Shift+F10', 'Menu'], 'Open the context menu'],
  [['Esc'], 'Clear the selection; close a menu or dialog'],
  [['?'], 'This list'],
];

export function ShortcutsDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  return (
    <Dialog
      open={open}
      title="Keyboard shortcuts"
      onClose={onClose}
      className="dialog-shortcuts"
      footer={
        <Button variant="primary" onClick={onClose} data-autofocus>
          Close
        </Button>
      }
    >
      <table className="shortcuts">
        <tbody>
          {shortcuts.map(([keys, what]) => (
            <tr key={what}>
              <th scope="row">
                {keys.map((key) => (
                  <kbd key={key}>{key}</kbd>
                ))}
              </th>
              <td>{what}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Dialog>
  );
}
