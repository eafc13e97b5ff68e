import { useEffect, useRef } from 'react';
import { pathCrumbs } from '../model/entries.js';

export function Breadcrumbs({ path, onNavigate, disabled }: { path: string; onNavigate: (path: string) => void; disabled?: boolean }) {
  const crumbs = pathCrumbs(path);
  const listRef = useRef<HTMLOListElement>(null);

  // Deep paths overflow to the left: keep the current folder in view.
  useEffect(() => {
    const list = listRef.current;
    if (list) list.scrollLeft = list.scrollWidth;
  }, [path]);

  return (
    <nav className="crumbs" aria-label="Path">
      <ol ref={listRef}>
        {crumbs.map((crumb, index) => {
          const last = index === crumbs.length - 1;
          return (
            <li key={crumb.path}>
              {index > 1 && (
                <span className="crumb-sep" aria-hidden="true">
                  /
                </span>
              )}
              <button
                type="button"
                className="crumb"
                aria-current={last ? 'location' : undefined}
                title={crumb.path}
                disabled={disabled}
                onClick={() => onNavigate(crumb.path)}
              >
                {crumb.name}
              </button>
            </li>
          );
        })}
      </ol>
    </nav>
  );
}
