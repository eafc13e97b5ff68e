/**
 * On a phone (≤ 480 px, responsive.css) the page shows one area at a time; this bar picks it.
 * Wider screens hide the bar and show everything, whatever is picked.
 */
export type PhoneView = 'left' | 'right' | 'queue' | 'log';

const views: readonly { id: PhoneView; label: string }[] = [
  { id: 'left', label: 'Left pane' },
  { id: 'right', label: 'Right pane' },
  { id: 'queue', label: 'Queue' },
  { id: 'log', label: 'Log' },
];

export function PhoneSwitcher({ view, onChange }: { view: PhoneView; onChange: (view: PhoneView) => void }) {
  return (
    <nav className="phone-switcher" aria-label="Show">
      {views.map(({ id, label }) => (
        <button key={id} type="button" className="phone-switch" aria-pressed={view === id} onClick={() => onChange(id)}>
          {label}
        </button>
      ))}
    </nav>
  );
}
