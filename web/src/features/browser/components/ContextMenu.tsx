import { useEffect, useLayoutEffect, useRef, useState, type KeyboardEvent } from 'react';
import { createPortal } from 'react-dom';

export interface MenuItem {
  label: string;
  /** The key that does the same outside the menu, shown on the right. */
  shortcut?: string;
  disabled?: boolean;
  onSelect: () => void;
}

export interface ContextMenuProps {
  label: string;
  x: number;
  y: number;
  items: readonly MenuItem[];
  onClose: () => void;
}

const MARGIN = 4;

/** A menu at a point, kept inside the viewport; arrows move, Enter picks, Esc or a click outside closes. */
export function ContextMenu({ label, x, y, items, onClose }: ContextMenuProps) {
  const ref = useRef<HTMLDivElement>(null);
  const [place, setPlace] = useState({ left: x, top: y });
  const enabled = items.map((item, index) => (item.disabled ? -1 : index)).filter((index) => index >= 0);
  const [active, setActive] = useState(enabled[0] ?? -1);

  useLayoutEffect(() => {
    const menu = ref.current;
    if (!menu) return;
    const { width, height } = menu.getBoundingClientRect();
    const left = Math.max(MARGIN, Math.min(x, window.innerWidth - width - MARGIN));
    const top = Math.max(MARGIN, y + height > window.innerHeight - MARGIN ? y - height : y);
    setPlace({ left, top: Math.min(top, Math.max(MARGIN, window.innerHeight - height - MARGIN)) });
  }, [x, y]);

  useEffect(() => {
    // Nothing to pick (all disabled): focus the menu itself, so Esc still closes it.
    (ref.current?.querySelector<HTMLElement>(`[data-index="${active}"]`) ?? ref.current)?.focus();
  }, [active]);

  useEffect(() => {
    const onPointer = (event: PointerEvent) => {
      if (!ref.current?.contains(event.target as Node)) onClose();
    };
    const onBlur = () => onClose();
    document.addEventListener('pointerdown', onPointer, true);
    window.addEventListener('blur', onBlur);
    window.addEventListener('resize', onBlur);
    return () => {
      document.removeEventListener('pointerdown', onPointer, true);
      window.removeEventListener('blur', onBlur);
      window.removeEventListener('resize', onBlur);
    };
  }, [onClose]);

  const step = (by: number) => {
    if (enabled.length === 0) return;
    const at = enabled.indexOf(active);
    setActive(enabled[(at + by + enabled.length) % enabled.length]!);
  };

  const onKeyDown = (event: KeyboardEvent) => {
    event.stopPropagation();
    switch (event.key) {
      case 'ArrowDown':
        event.preventDefault();
        return step(1);
      case 'ArrowUp':
        event.preventDefault();
        return step(-1);
      case 'Home':
        event.preventDefault();
        return setActive(enabled[0] ?? -1);
      case 'End':
        event.preventDefault();
        return setActive(enabled[enabled.length - 1] ?? -1);
      case 'Escape':
      case 'Tab':
        event.preventDefault();
        return onClose();
    }
  };

  return createPortal(
    <div
      ref={ref}
      className="context-menu"
      role="menu"
      aria-label={label}
      tabIndex={-1}
      style={{ left: place.left, top: place.top }}
      onKeyDown={onKeyDown}
      onContextMenu={(event) => event.preventDefault()}
    >
      {items.map((item, index) => (
        <button
          key={item.label}
          type="button"
          role="menuitem"
          data-index={index}
          tabIndex={index === active ? 0 : -1}
          disabled={item.disabled}
          aria-disabled={item.disabled}
          className="context-item"
          onMouseEnter={() => !item.disabled && setActive(index)}
          onClick={() => {
            onClose();
            item.onSelect();
          }}
        >
          <span>{item.label}</span>
          {item.shortcut && <kbd>{item.shortcut}</kbd>}
        </button>
      ))}
    </div>,
    document.body,
  );
}
