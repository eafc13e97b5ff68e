import { useState } from 'react';
import { Tabs } from '../components/Tabs.js';
import { useLive } from '../lib/live.js';
import { DualPane } from '../features/browser/components/DualPane.js';
import { SitesDialog } from '../features/sites/components/SitesDialog.js';
import { QueueTab } from '../features/transfers/components/QueueTab.js';
import { SessionsTab } from '../features/sessions/components/SessionsTab.js';
import { LogTab } from '../features/sessions/components/LogTab.js';
import { Header } from './Header.js';

type BottomTab = 'queue' | 'sessions' | 'log';

function BottomTabs() {
  const [active, setActive] = useState<BottomTab>('queue');
  const queue = useLive((state) => state.queue);
  const sessionCount = useLive((state) => Object.keys(state.sessions).length);
  const pending = queue.running + queue.waiting;
  return (
    <section className="bottom" aria-label="Activity">
      <Tabs<BottomTab>
        label="Activity"
        active={active}
        onChange={setActive}
        tabs={[
          { id: 'queue', label: 'Queue', badge: pending > 0 ? pending : undefined },
          { id: 'sessions', label: 'Sessions', badge: sessionCount > 0 ? sessionCount : undefined },
          { id: 'log', label: 'Log' },
        ]}
      >
        {active === 'queue' && <QueueTab />}
        {active === 'sessions' && <SessionsTab />}
        {active === 'log' && <LogTab />}
      </Tabs>
    </section>
  );
}

export function Dashboard({ onSignOut }: { onSignOut: () => void }) {
  const [sitesOpen, setSitesOpen] = useState(false);
  return (
    <div className="app">
      <Header onOpenSites={() => setSitesOpen(true)} onSignOut={onSignOut} />
      <main className="workspace">
        <DualPane onManageSites={() => setSitesOpen(true)} />
        <BottomTabs />
      </main>
      <SitesDialog open={sitesOpen} onClose={() => setSitesOpen(false)} />
    </div>
  );
}
