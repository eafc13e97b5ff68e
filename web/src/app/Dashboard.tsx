import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useState, type ReactNode } from 'react';
import type { Job, Run } from '../../../contract/index.js';
import { Tabs } from '../components/Tabs.js';
import { useLive } from '../lib/live.js';
import { siteListingsKey } from '../features/browser/api/browser.js';
import { DualPane, type PanePlace } from '../features/browser/components/DualPane.js';
import { useMirrorLiveUpdates } from '../features/mirror/api/jobs.js';
import { CompareView } from '../features/mirror/components/CompareView.js';
import { JobEditor } from '../features/mirror/components/JobEditor.js';
import { JobsView } from '../features/mirror/components/JobsView.js';
import { runResultText } from '../features/mirror/model/verdicts.js';
import { Toaster } from '../features/notifications/components/Toaster.js';
import { useNotices } from '../features/notifications/hooks/useNotices.js';
import { useRoutesLiveUpdates } from '../features/routes/api/routes.js';
import { RoutesView } from '../features/routes/components/RoutesView.js';
import { SitesDialog } from '../features/sites/components/SitesDialog.js';
import { HistoryTab } from '../features/transfers/components/HistoryTab.js';
import { StoryDialog } from '../features/trace/components/StoryDialog.js';
import { QueueTab } from '../features/transfers/components/QueueTab.js';
import { SessionsTab } from '../features/sessions/components/SessionsTab.js';
import { LogTab } from '../features/sessions/components/LogTab.js';
import { Header } from './Header.js';
import { PhoneSwitcher, type PhoneView } from './PhoneSwitcher.js';

type BottomTab = 'queue' | 'history' | 'jobs' | 'routes' | 'sessions' | 'log';

type Editing = { job: Job | null; endpoints?: { source: PanePlace; destination: PanePlace } } | null;

const describeRun = (run: Run) => runResultText(run, Date.now());

function BottomTabs({
  active,
  onChange,
  jobs,
}: {
  active: BottomTab;
  onChange: (tab: BottomTab) => void;
  jobs: ReactNode;
}) {
  const queue = useLive((state) => state.queue);
  const sessionCount = useLive((state) => Object.keys(state.sessions).length);
  const pending = queue.running + queue.waiting;
  return (
    <section className="bottom" aria-label="Activity">
      <Tabs<BottomTab>
        label="Activity"
        active={active}
        onChange={onChange}
        tabs={[
          { id: 'queue', label: 'Queue', badge: pending > 0 ? pending : undefined },
          { id: 'history', label: 'History' },
          { id: 'jobs', label: 'Jobs' },
          { id: 'routes', label: 'Routes' },
          { id: 'sessions', label: 'Sessions', badge: sessionCount > 0 ? sessionCount : undefined },
          { id: 'log', label: 'Log' },
        ]}
      >
        {active === 'queue' && <QueueTab />}
        {active === 'history' && <HistoryTab />}
        {active === 'jobs' && jobs}
        {active === 'routes' && <RoutesView />}
        {active === 'sessions' && <SessionsTab />}
        {active === 'log' && <LogTab />}
      </Tabs>
    </section>
  );
}

export function Dashboard({ onSignOut }: { onSignOut: () => void }) {
  const [sitesOpen, setSitesOpen] = useState(false);
  const [tab, setTab] = useState<BottomTab>('queue');
  const [phoneView, setPhoneView] = useState<PhoneView>('left');
  // On a phone the Queue and Log views are the activity area opened at that tab.
  const showOnPhone = (view: PhoneView) => {
    setPhoneView(view);
    if (view === 'queue' || view === 'log') setTab(view);
  };
  const [editing, setEditing] = useState<Editing>(null);
  const [compareRunId, setCompareRunId] = useState<string | null>(null);
  const client = useQueryClient();
  // A sync copies into, and may delete under, the destination: its listings are stale.
  const refreshDestination = useCallback(
    (destination: { siteId: string }) =>
      void client.invalidateQueries({ queryKey: siteListingsKey(destination.siteId) }),
    [client],
  );
  useMirrorLiveUpdates(refreshDestination);
  useRoutesLiveUpdates();
  const { toasts, dismiss } = useNotices(describeRun);

  const compare = (run: Run) => setCompareRunId(run.id);
  return (
    <div className="app">
      <Header onOpenSites={() => setSitesOpen(true)} onSignOut={onSignOut} />
      <PhoneSwitcher view={phoneView} onChange={showOnPhone} />
      <main className="workspace" data-phone-view={phoneView}>
        {compareRunId ? (
          <CompareView runId={compareRunId} onShowRun={compare} onClose={() => setCompareRunId(null)} />
        ) : (
          <DualPane
            onManageSites={() => setSitesOpen(true)}
            onNewMirrorJob={(source, destination) => setEditing({ job: null, endpoints: { source, destination } })}
          />
        )}
        <BottomTabs
          active={tab}
          onChange={setTab}
          jobs={
            <JobsView
              onNew={() => setEditing({ job: null })}
              onEdit={(job) => setEditing({ job })}
              onCompare={compare}
            />
          }
        />
      </main>
      <SitesDialog open={sitesOpen} onClose={() => setSitesOpen(false)} />
      <JobEditor
        open={editing !== null}
        job={editing?.job ?? null}
        endpoints={editing?.endpoints}
        onClose={() => setEditing(null)}
        onSaved={() => {
          setEditing(null);
          setTab('jobs');
        }}
      />
      <StoryDialog />
      <Toaster toasts={toasts} onDismiss={dismiss} />
    </div>
  );
}
