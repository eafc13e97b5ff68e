import { IconButton } from '../../../components/Button.js';
import { useBrowserNotificationsChoice } from '../hooks/useNotices.js';

/** The header's bell: browser notifications while the tab is hidden, on request. */
export function NotifyToggle() {
  const { enabled, supported, denied, toggle } = useBrowserNotificationsChoice();
  if (!supported) return null;
  const title = denied
    ? 'Browser notifications are blocked for this site'
    : enabled
      ? 'Stop browser notifications'
      : 'Notify me when a run or a transfer ends while this tab is hidden';
  return (
    <IconButton
      icon={enabled ? 'bell' : 'bellOff'}
      label="Browser notifications"
      title={title}
      aria-pressed={enabled}
      onClick={() => void toggle()}
      disabled={denied}
    />
  );
}
