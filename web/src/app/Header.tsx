import { Button, IconButton } from '../components/Button.js';
import { useLive } from '../lib/live.js';
import { NotifyToggle } from '../features/notifications/components/NotifyToggle.js';
import { QueueControl } from '../features/transfers/components/QueueControl.js';
import { useTheme } from './theme.js';

function ConnectionStatus() {
  const status = useLive((state) => state.status);
  const everLive = useLive((state) => state.everLive);
  const text =
    status === 'live' ? '● live' : status === 'reconnecting' ? (everLive ? '◌ reconnecting' : '◌ connecting') : '○ offline';
  return (
    <span className={`conn conn-${status}`} role="status" aria-live="polite" title="Live updates from the server">
      {text}
    </span>
  );
}

export function Header({ onOpenSites, onSignOut }: { onOpenSites: () => void; onSignOut: () => void }) {
  const { theme, toggle } = useTheme();
  return (
    <header className="app-header">
      <span className="brand">pasv</span>
      <ConnectionStatus />
      <QueueControl />
      <span className="spacer" />
      <Button icon="server" onClick={onOpenSites}>
        Sites
      </Button>
      <NotifyToggle />
      <IconButton
        icon={theme === 'dark' ? 'sun' : 'moon'}
        label={theme === 'dark' ? 'Switch to light theme' : 'Switch to dark theme'}
        onClick={toggle}
      />
      <Button icon="signOut" variant="ghost" onClick={onSignOut}>
        Sign out
      </Button>
    </header>
  );
}
