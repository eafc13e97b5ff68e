import { useMemo } from 'react';
import { Dialog } from '../../../components/Dialog.js';
import { ErrorMessage } from '../../../components/ErrorMessage.js';
import { useLive } from '../../../lib/live.js';
import { closeStory, useOpenStory } from '../../../lib/story.js';
import { useTrace } from '../api/trace.js';
import { layoutStory } from '../model/layout.js';
import { Rfc478Figure } from './Rfc478Figure.js';
import { SequenceDiagram } from './SequenceDiagram.js';

function Story({ transferId }: { transferId: string }) {
  const { query, entries } = useTrace(transferId);
  const story = useMemo(() => layoutStory(entries), [entries]);
  const sites = useLive((state) => state.sites);
  const siteName = (id: string) => sites.find((site) => site.id === id)?.name ?? id;
  const trace = query.data;
  if (query.isPending) return <p className="muted">Loading the story…</p>;
  if (query.isError && !trace) return <ErrorMessage error={query.error} />;
  if (!trace) return null;
  return (
    <div className="story">
      <Rfc478Figure
        story={story}
        sourceName={siteName(trace.source.siteId)}
        destinationName={siteName(trace.destination.siteId)}
      />
      {story.rows.length === 0 ? (
        <p className="muted">No control lines yet: the story starts when a session works on this transfer.</p>
      ) : (
        <SequenceDiagram story={story} name={trace.name} />
      )}
      {trace.dropped > 0 && (
        <p className="muted small">… {trace.dropped} lines more, not kept (a story keeps 2000 lines, 200 per file).</p>
      )}
    </div>
  );
}

/** "Story of <name>": opened from a queue row (lib/story.ts), hosted by the dashboard. */
export function StoryDialog() {
  const transferId = useOpenStory();
  const name = useLive((state) => (transferId ? state.transfers[transferId]?.name : undefined));
  return (
    <Dialog
      open={transferId !== null}
      title={`Story of ${name ?? 'the transfer'}`}
      onClose={closeStory}
      className="dialog-story"
    >
      {transferId && <Story transferId={transferId} />}
    </Dialog>
  );
}
