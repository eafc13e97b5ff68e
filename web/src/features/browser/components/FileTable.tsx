import { useVirtualizer } from '@tanstack/react-virtual';
import {
  useEffect,
  useId,
  useRef,
  useState,
  type DragEvent,
  type KeyboardEvent,
  type MouseEvent,
  type ReactNode,
} from 'react';
import type { Entry } from '../../../../../contract/index.js';
import { Icon } from '../../../components/Icon.js';
import { formatBytes, formatDate, formatDateTime } from '../../../lib/format.js';
import type { SortKey, SortOrder } from '../model/entries.js';
import { emptyTypeAhead, isTypeAheadKey, typeAheadKey, typeAheadMatch, type TypeAhead } from '../model/typeahead.js';
import {
  clickSelect,
  moveCursor,
  selectAll,
  selectedInOrder,
  toggleCursor,
  type CursorMove,
  type PaneSelection,
} from '../../../lib/selection.js';

const ROW_HEIGHT = 24;
const HEADER_HEIGHT = 26;

export interface FileTableProps {
  label: string;
  entries: readonly Entry[];
  selection: PaneSelection;
  onSelect: (selection: PaneSelection) => void;
  onOpen: (entry: Entry) => void;
  onUp: () => void;
  onDeleteKey: () => void;
  onRenameKey: () => void;
  sort: SortOrder;
  onSort: (key: SortKey) => void;
  /** Rows to drag from this table (the names); null when dragging is not possible. */
  onDragNames: ((names: string[]) => void) | null;
  onDragEnd: () => void;
  /** A drag from the other pane is under way: folder rows accept drops. */
  acceptsDrop: boolean;
  onDropInto: (folder: string) => void;
  /** Shown instead of rows: loading, error, empty folder. */
  overlay?: ReactNode;
  /** F5 / Ctrl+Enter: copy the selection (or the cursor row) to the other pane. */
  onCopyKey: () => void;
  /** Tab / Shift+Tab: focus the other pane. */
  onSwitchPane: () => void;
  /** F7: new folder. */
  onNewFolderKey: () => void;
  /** Ctrl+L: edit the path. */
  onEditPath: () => void;
  /** Right-click, Shift+F10 or the ContextMenu key, at a point in the viewport. */
  onContextMenu: (x: number, y: number) => void;
  /** The grid element (its owner puts focus back on it) and its id (the other pane's Tab does). */
  gridRef?: (element: HTMLDivElement | null) => void;
  domId?: string;
}

const columns: Array<{ key: SortKey; label: string; className: string }> = [
  { key: 'name', label: 'Name', className: 'col-name' },
  { key: 'size', label: 'Size', className: 'col-size' },
  { key: 'modified', label: 'Modified', className: 'col-date' },
];

function EntryIcon({ type }: { type: Entry['type'] }) {
  if (type === 'dir') return <Icon name="folder" className="entry-icon entry-dir" />;
  if (type === 'link') return <Icon name="link" className="entry-icon entry-link" />;
  return <Icon name="file" className="entry-icon entry-file" />;
}

function dragGhost(count: number, first: string): HTMLElement {
  const ghost = document.createElement('div');
  ghost.className = 'drag-ghost';
  ghost.textContent = count === 1 ? first : `${count} items`;
  document.body.appendChild(ghost);
  setTimeout(() => ghost.remove(), 0);
  return ghost;
}

/**
 * The pane's listing as an ARIA grid: only the rows in view are in the DOM (10 000+ entries
 * scroll smoothly), focus stays on the grid and aria-activedescendant points at the cursor.
 */
export function FileTable(props: FileTableProps) {
  const { entries, selection, onSelect, sort } = props;
  const gridId = useId();
  const scrollRef = useRef<HTMLDivElement>(null);
  const [dropFolder, setDropFolder] = useState<string | null>(null);
  const typeAhead = useRef<TypeAhead>(emptyTypeAhead);
  const names = entries.map((entry) => entry.name);
  const now = new Date();

  const virtualizer = useVirtualizer({
    count: entries.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
    scrollMargin: HEADER_HEIGHT,
    scrollPaddingStart: HEADER_HEIGHT,
  });

  const cursorIndex = selection.cursor === null ? -1 : names.indexOf(selection.cursor);
  const activeId = cursorIndex >= 0 ? `${gridId}-r${cursorIndex}` : undefined;

  // Keep the cursor row rendered and visible when the keyboard moves it.
  const lastScrolledCursor = useRef<number>(-1);
  useEffect(() => {
    if (cursorIndex >= 0 && cursorIndex !== lastScrolledCursor.current)
      virtualizer.scrollToIndex(cursorIndex, { align: 'auto' });
    lastScrolledCursor.current = cursorIndex;
  }, [cursorIndex, virtualizer]);

  useEffect(() => {
    if (!props.acceptsDrop) setDropFolder(null);
  }, [props.acceptsDrop]);

  const move = (to: CursorMove, event: KeyboardEvent) => {
    event.preventDefault();
    onSelect(moveCursor(selection, names, to, { shift: event.shiftKey, toggle: event.ctrlKey || event.metaKey }));
  };
  const pageRows = () =>
    Math.max(1, Math.floor(((scrollRef.current?.clientHeight ?? 240) - HEADER_HEIGHT) / ROW_HEIGHT) - 1);

  const menuAtCursor = () => {
    const grid = scrollRef.current;
    const row = activeId ? document.getElementById(activeId) : null;
    const box = (row ?? grid)?.getBoundingClientRect();
    if (box) props.onContextMenu(box.left + 24, row ? box.bottom : box.top + HEADER_HEIGHT);
  };

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (event.target !== event.currentTarget) return;
    const cursorEntry = cursorIndex >= 0 ? entries[cursorIndex] : undefined;
    if (isTypeAheadKey(event)) {
      event.preventDefault();
      typeAhead.current = typeAheadKey(typeAhead.current, event.key, event.timeStamp);
      const index = typeAheadMatch(names, typeAhead.current.prefix, cursorIndex);
      if (index >= 0) onSelect(clickSelect(selection, names, index));
      return;
    }
    switch (event.key) {
      case 'Tab':
        event.preventDefault();
        props.onSwitchPane();
        return;
      case 'F5':
        event.preventDefault();
        props.onCopyKey();
        return;
      case 'F10':
        if (event.shiftKey) {
          event.preventDefault();
          menuAtCursor();
        }
        return;
      case 'ContextMenu':
        event.preventDefault();
        menuAtCursor();
        return;
      case 'ArrowDown':
        return move(1, event);
      case 'ArrowUp':
        return move(-1, event);
      case 'PageDown':
        return move(pageRows(), event);
      case 'PageUp':
        return move(-pageRows(), event);
      case 'Home':
        return move('home', event);
      case 'End':
        return move('end', event);
      case ' ':
        event.preventDefault();
        onSelect(toggleCursor(selection, names));
        return;
      case 'Enter':
        event.preventDefault();
        if (event.ctrlKey || event.metaKey) props.onCopyKey();
        else if (cursorEntry && cursorEntry.type !== 'file') props.onOpen(cursorEntry);
        return;
      case 'Backspace':
        event.preventDefault();
        props.onUp();
        return;
      case 'Delete':
        event.preventDefault();
        props.onDeleteKey();
        return;
      case 'F7':
        event.preventDefault();
        props.onNewFolderKey();
        return;
      case 'F2':
        event.preventDefault();
        props.onRenameKey();
        return;
      case 'Escape':
        if (selection.selected.size > 0) {
          event.preventDefault();
          onSelect({ ...selection, selected: new Set() });
        }
        return;
      default:
        if ((event.key === 'a' || event.key === 'A') && (event.ctrlKey || event.metaKey)) {
          event.preventDefault();
          onSelect(selectAll(selection, names));
        } else if ((event.key === 'l' || event.key === 'L') && (event.ctrlKey || event.metaKey)) {
          event.preventDefault();
          props.onEditPath();
        }
    }
  };

  const onGridContextMenu = (event: MouseEvent<HTMLDivElement>) => {
    event.preventDefault();
    const row = (event.target as HTMLElement).closest<HTMLElement>('.file-row');
    const name = row?.getAttribute('aria-label');
    const index = name ? names.indexOf(name) : -1;
    // As in every file manager: right-click on an unselected row selects it; on empty space, nothing.
    if (index >= 0 && !selection.selected.has(name!)) onSelect(clickSelect(selection, names, index));
    if (index < 0 && selection.selected.size > 0) onSelect({ ...selection, selected: new Set() });
    scrollRef.current?.focus();
    props.onContextMenu(event.clientX, event.clientY);
  };

  const onRowClick = (index: number, event: MouseEvent) => {
    onSelect(clickSelect(selection, names, index, { shift: event.shiftKey, toggle: event.ctrlKey || event.metaKey }));
  };

  const onBackgroundMouseDown = (event: MouseEvent<HTMLDivElement>) => {
    const target = event.target as HTMLElement;
    if (target === event.currentTarget || target.classList.contains('grid-body')) {
      if (selection.selected.size > 0) onSelect({ ...selection, selected: new Set() });
    }
  };

  const onRowDragStart = (index: number, event: DragEvent) => {
    const name = names[index];
    if (!props.onDragNames || name === undefined) {
      event.preventDefault();
      return;
    }
    let current = selection;
    if (!selection.selected.has(name)) {
      current = clickSelect(selection, names, index);
      onSelect(current);
    }
    const dragged = selectedInOrder(current, names);
    event.dataTransfer.effectAllowed = 'copy';
    event.dataTransfer.setData('text/plain', dragged.join('\n'));
    event.dataTransfer.setDragImage(dragGhost(dragged.length, dragged[0] ?? name), -12, -8);
    props.onDragNames(dragged);
  };

  const folderDrop = (entry: Entry) => ({
    onDragOver: (event: DragEvent) => {
      if (!props.acceptsDrop || entry.type === 'file') return;
      event.preventDefault();
      event.stopPropagation();
      event.dataTransfer.dropEffect = 'copy';
      if (dropFolder !== entry.name) setDropFolder(entry.name);
    },
    onDragLeave: () => {
      if (dropFolder === entry.name) setDropFolder(null);
    },
    onDrop: (event: DragEvent) => {
      if (!props.acceptsDrop || entry.type === 'file') return;
      event.preventDefault();
      event.stopPropagation();
      setDropFolder(null);
      props.onDropInto(entry.name);
    },
  });

  return (
    <div
      ref={(element) => {
        scrollRef.current = element;
        props.gridRef?.(element);
      }}
      id={props.domId}
      className="grid"
      role="grid"
      aria-label={props.label}
      aria-rowcount={entries.length + 1}
      aria-colcount={3}
      aria-multiselectable="true"
      aria-activedescendant={activeId}
      tabIndex={0}
      onKeyDown={onKeyDown}
      onMouseDown={onBackgroundMouseDown}
      onContextMenu={onGridContextMenu}
    >
      <div className="grid-head" role="row" aria-rowindex={1}>
        {columns.map((column) => {
          const active = sort.key === column.key;
          return (
            <div
              key={column.key}
              role="columnheader"
              className={column.className}
              aria-sort={active ? (sort.dir === 'asc' ? 'ascending' : 'descending') : 'none'}
            >
              <button type="button" className="sort-button" onClick={() => props.onSort(column.key)}>
                {column.label}
                {active && (
                  <span className="sort-mark" aria-hidden="true">
                    {sort.dir === 'asc' ? '▲' : '▼'}
                  </span>
                )}
              </button>
            </div>
          );
        })}
      </div>
      {props.overlay ? (
        <div className="grid-overlay">{props.overlay}</div>
      ) : (
        <div className="grid-body" style={{ height: virtualizer.getTotalSize() }}>
          {virtualizer.getVirtualItems().map((item) => {
            const entry = entries[item.index]!;
            const selected = selection.selected.has(entry.name);
            const classes = ['file-row'];
            if (selected) classes.push('selected');
            if (item.index === cursorIndex) classes.push('cursor');
            if (dropFolder === entry.name) classes.push('drop-target');
            return (
              <div
                key={entry.name}
                id={`${gridId}-r${item.index}`}
                role="row"
                aria-rowindex={item.index + 2}
                aria-selected={selected}
                aria-label={entry.name}
                className={classes.join(' ')}
                style={{ transform: `translateY(${item.start - HEADER_HEIGHT}px)` }}
                draggable={props.onDragNames !== null}
                onClick={(event) => onRowClick(item.index, event)}
                onDoubleClick={() => entry.type !== 'file' && props.onOpen(entry)}
                onDragStart={(event) => onRowDragStart(item.index, event)}
                onDragEnd={props.onDragEnd}
                {...folderDrop(entry)}
              >
                <div role="gridcell" className="col-name" title={entry.name}>
                  <EntryIcon type={entry.type} />
                  <span className="entry-name">{entry.name}</span>
                </div>
                <div role="gridcell" className="col-size">
                  {entry.type === 'dir' ? '–' : formatBytes(entry.size)}
                </div>
                <div role="gridcell" className="col-date" title={formatDateTime(entry.modifiedAt)}>
                  {formatDate(entry.modifiedAt, now)}
                </div>
              </div>
            );
          })}
        </div>
      )}
    </div>
  );
}
