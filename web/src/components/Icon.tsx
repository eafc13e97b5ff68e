/** A handful of line icons drawn inline, so they look the same on every platform (emoji do not). */
const paths = {
  folder:
    'M2.5 4.5A1.5 1.5 0 0 1 4 3h3l1.5 1.8H12A1.5 1.5 0 0 1 13.5 6.3v5.2A1.5 1.5 0 0 1 12 13H4a1.5 1.5 0 0 1-1.5-1.5z',
  file: 'M4 1.5h5l3 3v9a1 1 0 0 1-1 1H4a1 1 0 0 1-1-1v-11a1 1 0 0 1 1-1zM9 1.5v3h3',
  link: 'M6.5 9.5l3-3M7.2 4.6l1.1-1.1a2.5 2.5 0 0 1 3.5 3.5l-1.1 1.1M8.8 11.4l-1.1 1.1a2.5 2.5 0 0 1-3.5-3.5l1.1-1.1',
  up: 'M8 13V3.5M4 7.5l4-4 4 4',
  refresh: 'M13 3.5v3H10M12.6 6.5A5 5 0 1 0 13 9.5',
  folderPlus:
    'M2.5 4.5A1.5 1.5 0 0 1 4 3h3l1.5 1.8H12A1.5 1.5 0 0 1 13.5 6.3v5.2A1.5 1.5 0 0 1 12 13H4a1.5 1.5 0 0 1-1.5-1.5zM8 6.8v4M6 8.8h4',
  rename: 'M10.5 2.5l3 3L6 13H3v-3zM9 4l3 3',
  trash: 'M2.5 4.5h11M6 4.5V3h4v1.5M4 4.5l.7 9h6.6l.7-9M6.7 7v4.5M9.3 7v4.5',
  close: 'M4 4l8 8M12 4l-8 8',
  retry: 'M3 8a5 5 0 1 0 1.6-3.7M3 2.5v3h3',
  top: 'M3.5 2.5h9M8 14V5.5M4.5 9L8 5.5 11.5 9',
  chevronRight: 'M6 3.5L10.5 8 6 12.5',
  chevronDown: 'M3.5 6L8 10.5 12.5 6',
  sun: 'M8 5a3 3 0 1 1 0 6 3 3 0 0 1 0-6zM8 1v1.6M8 13.4V15M1 8h1.6M13.4 8H15M3 3l1.1 1.1M11.9 11.9L13 13M3 13l1.1-1.1M11.9 4.1L13 3',
  moon: 'M13 9.8A5.5 5.5 0 0 1 6.2 3 5.5 5.5 0 1 0 13 9.8z',
  server: 'M2.5 3.5h11v4h-11zM2.5 8.5h11v4h-11zM5 5.5h.01M5 10.5h.01',
  pause: 'M5.5 3.5v9M10.5 3.5v9',
  play: 'M5 3l8 5-8 5z',
  signOut: 'M6 2.5H3.5v11H6M10 5l3 3-3 3M13 8H6.5',
  arrowRight: 'M2.5 8h10M9 4.5L12.5 8 9 11.5',
  arrowLeft: 'M13.5 8h-10M7 4.5L3.5 8 7 11.5',
  arrowDown: 'M8 2.5v10M4.5 9L8 12.5 11.5 9',
  plus: 'M8 3v10M3 8h10',
  bell: 'M4 11.5V7a4 4 0 0 1 8 0v4.5l1 1H3zM6.5 14h3',
  bellOff: 'M4 11.5V7a4 4 0 0 1 8 0v4.5l1 1H3zM6.5 14h3M2.5 2.5l11 11',
  mirror: 'M2.5 5h9M9 2.5L11.5 5 9 7.5M13.5 11h-9M7 8.5L4.5 11 7 13.5',
  star: 'M8 1.8l1.9 4 4.3.5-3.2 3 .9 4.3L8 11.4l-3.9 2.2.9-4.3-3.2-3 4.3-.5z',
  terminal: 'M2.5 3h11v10h-11zM5 6.5L7 8.5 5 10.5M8.5 10.5h2.5',
  story: 'M3 2.5v11M13 2.5v11M3 5h10M11 3.5L13 5l-2 1.5M13 8.5H3M5 7l-2 1.5L5 10M3 12h10',
} as const;

export type IconName = keyof typeof paths;

export function Icon({ name, className, size = 16 }: { name: IconName; className?: string; size?: number }) {
  return (
    <svg
      className={className ? `icon ${className}` : 'icon'}
      width={size}
      height={size}
      viewBox="0 0 16 16"
      aria-hidden="true"
      focusable="false"
    >
      <path d={paths[name]} />
    </svg>
  );
}
