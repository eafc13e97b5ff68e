import { useState } from 'react';
import { IconButton } from '../../../components/Button.js';
import { Icon } from '../../../components/Icon.js';
import { errorText } from '../../../lib/api.js';
import { useLive, useOnline } from '../../../lib/live.js';
import { setQueuePaused } from '../api/transfers.js';

/** The header's queue summary and its pause/resume switch. */
export function QueueControl() {
  const queue = useLive((state) => state.queue);
  const online = useOnline();
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);

  const toggle = async () => {
    setBusy(true);
    setProblem(null);
    try {
      await setQueuePaused(!queue.paused);
    } catch (error) {
      setProblem(errorText(error));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="queue-control">
      <span className={queue.paused ? 'queue-state paused' : 'queue-state'}>
        Queue: <Icon name={queue.paused ? 'pause' : 'play'} size={12} className="queue-icon" />
        {queue.paused ? 'paused' : 'running'}{' '}
        <span className="muted">
          ({queue.running} active, {queue.waiting} waiting)
        </span>
      </span>
      <IconButton
        icon={queue.paused ? 'play' : 'pause'}
        label={queue.paused ? 'Resume queue' : 'Pause queue'}
        onClick={() => void toggle()}
        disabled={!online || busy}
      />
      {problem && (
        <span className="error-text small" role="alert" title={problem}>
          {problem}
        </span>
      )}
    </div>
  );
}
