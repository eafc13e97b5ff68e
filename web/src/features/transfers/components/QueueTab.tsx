import { useMemo, useState } from 'react';
import { Button } from '../../../components/Button.js';
import { ConfirmDialog } from '../../../components/ConfirmDialog.js';
import { errorText } from '../../../lib/api.js';
import { useLive, useOnline } from '../../../lib/live.js';
import { useNow } from '../../../lib/useNow.js';
import { clearFinished, transferAction, type TransferAction } from '../api/transfers.js';
import { orderTransfers, summarize } from '../model/order.js';
import { TransferRow } from './TransferRow.js';

export function QueueTab() {
  const transfers = useLive((state) => state.transfers);
  const sites = useLive((state) => state.sites);
  const online = useOnline();
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(new Set());
  const [problem, setProblem] = useState<string | null>(null);
  const [confirmFailed, setConfirmFailed] = useState(false);
  const queue = useLive((state) => state.queue);
  const ordered = useMemo(() => orderTransfers(Object.values(transfers)), [transfers]);
  const counts = useMemo(() => summarize(ordered), [ordered]);
  const waitingRetry = ordered.some((transfer) => transfer.nextRetryAt);
  const now = useNow(1000, waitingRetry);

  const names = useMemo(() => new Map(sites.map((site) => [site.id, site.name])), [sites]);
  const siteName = (id: string) => names.get(id) ?? '(removed site)';

  const act = async (id: string, action: TransferAction) => {
    setProblem(null);
    try {
      await transferAction(id, action);
    } catch (error) {
      setProblem(`Could not ${action === 'top' ? 'move to top' : action}: ${errorText(error)}`);
    }
  };

  const clear = async (withFailed: boolean) => {
    setProblem(null);
    setConfirmFailed(false);
    try {
      await clearFinished(withFailed);
    } catch (error) {
      setProblem(`Could not clear: ${errorText(error)}`);
    }
  };

  const toggle = (id: string) =>
    setExpanded((current) => {
      const next = new Set(current);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });

  return (
    <div className="panel">
      <div className="panel-toolbar">
        <span className="muted" aria-label="Queue summary">
          {queue.paused && <strong className="queue-paused-mark">paused · </strong>}
          {counts.running} running · {counts.queued} waiting · {counts.finished} finished
          {counts.skipped > 0 && <> ({counts.skipped} skipped)</>}
          {counts.failed > 0 && <span className="error-text"> ({counts.failed} failed)</span>}
        </span>
        {problem && (
          <span className="error-text" role="alert">
            {problem}
          </span>
        )}
        <span className="spacer" />
        <Button
          size="sm"
          onClick={() => void clear(false)}
          disabled={!online || counts.clearable === 0}
          title="Done, skipped and cancelled rows leave the queue; History keeps them. Failed rows stay."
        >
          Clear finished
        </Button>
        {counts.failed > 0 && (
          <Button size="sm" onClick={() => setConfirmFailed(true)} disabled={!online}>
            Clear failed too…
          </Button>
        )}
      </div>
      <div className="panel-scroll">
        {ordered.length === 0 ? (
          <p className="empty muted">
            No transfers yet. Drag files from one pane onto the other, or select them and press Copy →.
          </p>
        ) : (
          <table className="queue-table">
            <caption className="sr-only">Transfers</caption>
            <thead>
              <tr>
                <th scope="col" className="col-expand">
                  <span className="sr-only">Expand</span>
                </th>
                <th scope="col">Name</th>
                <th scope="col">Route</th>
                <th scope="col">Mode</th>
                <th scope="col">State</th>
                <th scope="col">Progress</th>
                <th scope="col" className="num">
                  Bytes
                </th>
                <th scope="col" className="num">
                  Speed
                </th>
                <th scope="col" className="num">
                  ETA
                </th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {ordered.map((transfer) => (
                <TransferRow
                  key={transfer.id}
                  transfer={transfer}
                  siteName={siteName}
                  expanded={expanded.has(transfer.id)}
                  onToggle={() => toggle(transfer.id)}
                  onAction={(action) => void act(transfer.id, action)}
                  online={online}
                  now={now}
                />
              ))}
            </tbody>
          </table>
        )}
      </div>
      <ConfirmDialog
        open={confirmFailed}
        title="Clear failed transfers too?"
        confirmLabel="Clear all finished"
        danger
        focusCancel
        onConfirm={() => void clear(true)}
        onCancel={() => setConfirmFailed(false)}
      >
        <p>
          {counts.failed} failed {counts.failed === 1 ? 'transfer leaves' : 'transfers leave'} the queue with the other
          finished ones. History keeps them, but Retry is only offered in the queue.
        </p>
      </ConfirmDialog>
    </div>
  );
}
