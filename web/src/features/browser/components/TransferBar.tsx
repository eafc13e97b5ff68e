import type { TransferMode } from '../../../../../contract/index.js';
import { Button } from '../../../components/Button.js';
import type { IfExistsChoice, TransferOptions } from '../hooks/useTransferOptions.js';

export interface TransferBarProps {
  canSendRight: boolean;
  canSendLeft: boolean;
  onSendRight: () => void;
  onSendLeft: () => void;
  options: TransferOptions;
  onOptions: (patch: Partial<TransferOptions>) => void;
  busy: boolean;
  /** Save the two panes' folders as a mirror job, left to right; absent where no one wants it. */
  onMirror?: (() => void) | undefined;
  canMirror: boolean;
}

/** The strip between the panes: the two copy buttons and how to copy. */
export function TransferBar({ canSendRight, canSendLeft, onSendRight, onSendLeft, options, onOptions, busy, onMirror, canMirror }: TransferBarProps) {
  return (
    <div className="transfer-bar" role="group" aria-label="Transfer">
      <Button variant="primary" onClick={onSendRight} disabled={!canSendRight || busy} title="Send the left selection to the right folder">
        Copy →
      </Button>
      <Button variant="primary" onClick={onSendLeft} disabled={!canSendLeft || busy} title="Send the right selection to the left folder">
        ← Copy
      </Button>
      <div className="transfer-options">
        <label>
          <span>Mode</span>
          <select value={options.mode} onChange={(event) => onOptions({ mode: event.target.value as TransferMode })}>
            <option value="auto">Auto</option>
            <option value="fxp">FXP</option>
            <option value="relay">Relay</option>
          </select>
        </label>
        <label>
          <span>If exists</span>
          <select value={options.ifExists} onChange={(event) => onOptions({ ifExists: event.target.value as IfExistsChoice })}>
            <option value="ask">Ask</option>
            <option value="overwrite">Overwrite</option>
            <option value="skip">Skip</option>
            <option value="resume">Resume</option>
          </select>
        </label>
      </div>
      {onMirror && (
        <div className="transfer-options">
          <Button
            icon="mirror"
            onClick={onMirror}
            disabled={!canMirror}
            aria-label="Mirror: new job from these panes"
            title="Keep the right folder in step with the left one: compare, copy what differs, on a schedule"
          >
            Mirror…
          </Button>
        </div>
      )}
    </div>
  );
}
