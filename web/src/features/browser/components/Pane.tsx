import { useEffect, useMemo, useRef, useState, type Dispatch, type DragEvent } from 'react';
import type { Entry, Site } from '../../../../../contract/index.js';
import { IconButton } from '../../../components/Button.js';
import { useLive } from '../../../lib/live.js';
import { formatBytes, plural } from '../../../lib/format.js';
import type { PaneAction, PaneId, PaneState } from '../hooks/usePaneState.js';
import type { PaneView } from '../hooks/usePaneView.js';
import { usePaneOperations } from '../hooks/usePaneOperations.js';
import { joinPath, parentPath } from '../model/entries.js';
import { pruneSelection, selectedInOrder } from '../../../lib/selection.js';
import { BookmarkButtons } from './BookmarkButtons.js';
import { ContextMenu } from './ContextMenu.js';
import { PathBox } from './PathBox.js';
import { FileTable } from './FileTable.js';
import { PaneDialogs, type PaneDialog } from './PaneDialogs.js';
import { paneOverlay } from './PaneOverlay.js';

export interface PaneProps {
  id: PaneId;
  label: string;
  state: PaneState;
  dispatch: Dispatch<PaneAction>;
  view: PaneView;
  sites: readonly Site[];
  online: boolean;
  /** A drag that started in the other pane is under way. */
  dropFromOther: boolean;
  onDragNames: (names: string[]) => void;
  onDragEnd: () => void;
  /** Send the other pane's dragged selection into this folder of this pane. */
  onDropInto: (dir: string) => void;
  onManageSites: () => void;
  /** The pane the keyboard works in (marked, and where Tab comes from). */
  active: boolean;
  onActivate: () => void;
  onSwitchPane: () => void;
  /** Copy these names to the other pane's current folder. */
  onCopyToOther: (names: string[]) => void;
  gridDomId: string;
}

const basename = (path: string) => path.replace(/\/+$/, '').split('/').pop() ?? '';

export function Pane(props: PaneProps) {
  const { state, dispatch, view, online } = props;
  const [dialog, setDialog] = useState<PaneDialog>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [dragOver, setDragOver] = useState(false);
  const [editingPath, setEditingPath] = useState(false);
  const [menu, setMenu] = useState<{ x: number; y: number } | null>(null);
  const gridElement = useRef<HTMLDivElement | null>(null);
  const { siteId, path } = state;
  const site = props.sites.find((candidate) => candidate.id === siteId) ?? null;
  const { query, entries } = view;
  const names = useMemo(() => entries.map((entry) => entry.name), [entries]);
  const taken = useMemo(() => new Set(query.data?.entries.map((entry) => entry.name) ?? []), [query.data]);
  const selectedNames = selectedInOrder(state.selection, names);
  const ready = siteId !== null && online;
  // Sites arrive with the socket's first snapshot: until then "no sites" would be a lie.
  const synced = useLive((live) => live.everLive);

  // Never act on rows that are gone or filtered out.
  useEffect(() => {
    if (!query.data) return;
    const pruned = pruneSelection(state.selection, names);
    if (pruned !== state.selection) dispatch({ type: 'select', selection: pruned });
  }, [query.data, names, state.selection, dispatch]);

  // A problem belongs to the folder it happened in, and a drop highlight to the drag under
  // way: both go when those change (adjusted while rendering, not in an effect after it).
  const here = `${siteId ?? ''}:${path}`;
  const [problemAt, setProblemAt] = useState(here);
  if (problemAt !== here) {
    setProblemAt(here);
    setProblem(null);
    setNotice(null);
  }
  if (dragOver && !props.dropFromOther) setDragOver(false);

  const open = (entry: Entry) => dispatch({ type: 'navigate', path: joinPath(path, entry.name) });
  const goUp = () => path !== '/' && dispatch({ type: 'navigate', path: parentPath(path), focus: basename(path) });

  const { busy, createFolder, rename, remove, goTo } = usePaneOperations({
    siteId,
    path,
    dispatch,
    report: setProblem,
    settled: () => setDialog(null),
  });

  const targets = () =>
    selectedNames.length > 0 ? selectedNames : state.selection.cursor ? [state.selection.cursor] : [];
  const copyPath = async () => {
    const names = targets();
    const text = names.length > 0 ? names.map((name) => joinPath(path, name)).join('\n') : path;
    try {
      await navigator.clipboard.writeText(text);
      setNotice(`Copied ${text.includes('\n') ? plural(names.length, 'path') : text}`);
    } catch {
      // No clipboard (plain http, or refused): show the path so it can be copied by hand.
      setProblem(`Copy this path: ${text}`);
    }
  };
  const closeMenu = () => {
    setMenu(null);
    gridElement.current?.focus();
  };

  const askDelete = () => selectedNames.length > 0 && ready && setDialog({ kind: 'delete', names: selectedNames });
  const askRename = () => selectedNames.length === 1 && ready && setDialog({ kind: 'rename', name: selectedNames[0]! });

  const onPaneDragOver = (event: DragEvent) => {
    if (!props.dropFromOther || !ready) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = 'copy';
    if (!dragOver) setDragOver(true);
  };
  const onPaneDragLeave = (event: DragEvent<HTMLElement>) => {
    if (!event.currentTarget.contains(event.relatedTarget as Node | null)) setDragOver(false);
  };
  const onPaneDrop = (event: DragEvent) => {
    if (!props.dropFromOther || !ready) return;
    event.preventDefault();
    setDragOver(false);
    props.onDropInto(path);
  };

  const selectedBytes = entries.reduce(
    (sum, entry) => (entry.type !== 'dir' && state.selection.selected.has(entry.name) ? sum + entry.size : sum),
    0,
  );

  const overlay = paneOverlay({
    synced,
    hasSites: props.sites.length > 0,
    hasSite: site !== null,
    query,
    path,
    filter: state.filter,
    empty: entries.length === 0,
    online,
    onManageSites: props.onManageSites,
    onRoot: () => dispatch({ type: 'navigate', path: '/' }),
  });

  const classes = ['pane'];
  if (dragOver) classes.push('drag-over');
  if (props.active) classes.push('active');
  const selectionTargets = targets();

  return (
    <section
      className={classes.join(' ')}
      aria-label={props.label}
      onDragOver={onPaneDragOver}
      onDragLeave={onPaneDragLeave}
      onDrop={onPaneDrop}
      onFocus={props.onActivate}
      data-active={props.active || undefined}
    >
      <div className="pane-head">
        <select
          aria-label="Site"
          className="site-picker"
          value={siteId ?? ''}
          onChange={(event) => dispatch({ type: 'site', siteId: event.target.value || null })}
        >
          <option value="">{props.sites.length === 0 ? 'No sites' : 'Choose a site…'}</option>
          {props.sites.map((candidate) => (
            <option key={candidate.id} value={candidate.id}>
              {candidate.name}
            </option>
          ))}
        </select>
        {site && (
          <PathBox
            path={path}
            editing={editingPath}
            onEditing={(editing) => {
              setEditingPath(editing);
              if (!editing) gridElement.current?.focus();
            }}
            onNavigate={goTo}
            onInvalid={setProblem}
          />
        )}
        {props.active && (
          <span className="pane-active-mark" aria-label="Active pane">
            active
          </span>
        )}
      </div>

      <div className="pane-toolbar" role="toolbar" aria-label={`${props.label} actions`}>
        <IconButton icon="up" label="Parent folder" onClick={goUp} disabled={!site || path === '/'} />
        <IconButton
          icon="refresh"
          label="Refresh"
          onClick={() => void query.refetch()}
          disabled={!ready}
          className={query.isFetching ? 'spinning' : undefined}
        />
        <span className="toolbar-sep" aria-hidden="true" />
        <IconButton
          icon="folderPlus"
          label="New folder"
          onClick={() => setDialog({ kind: 'mkdir' })}
          disabled={!ready || !query.data}
        />
        <IconButton icon="rename" label="Rename" onClick={askRename} disabled={!ready || selectedNames.length !== 1} />
        <IconButton icon="trash" label="Delete" onClick={askDelete} disabled={!ready || selectedNames.length === 0} />
        {site && (
          <BookmarkButtons
            siteId={site.id}
            siteName={site.name}
            path={path}
            disabled={!online}
            onNavigate={goTo}
            onProblem={setProblem}
          />
        )}
        <IconButton icon="terminal" label="Console" onClick={() => setDialog({ kind: 'console' })} disabled={!ready} />
        <input
          type="search"
          className="filter"
          aria-label="Filter"
          placeholder="Filter…"
          value={state.filter}
          onChange={(event) => dispatch({ type: 'filter', text: event.target.value })}
          disabled={!site}
        />
      </div>

      <FileTable
        label={`${props.label} files`}
        entries={entries}
        selection={state.selection}
        onSelect={(selection) => dispatch({ type: 'select', selection })}
        onOpen={open}
        onUp={goUp}
        onDeleteKey={askDelete}
        onRenameKey={askRename}
        sort={state.sort}
        onSort={(key) => dispatch({ type: 'sort', key })}
        onDragNames={ready ? props.onDragNames : null}
        onDragEnd={props.onDragEnd}
        acceptsDrop={props.dropFromOther && ready}
        onDropInto={(folder) => props.onDropInto(joinPath(path, folder))}
        overlay={overlay}
        onCopyKey={() => props.onCopyToOther(targets())}
        onSwitchPane={props.onSwitchPane}
        onEditPath={() => site && setEditingPath(true)}
        onNewFolderKey={() => ready && query.data && setDialog({ kind: 'mkdir' })}
        onContextMenu={(x, y) => site && setMenu({ x, y })}
        domId={props.gridDomId}
        gridRef={(element) => {
          gridElement.current = element;
        }}
      />
      {menu && (
        <ContextMenu
          label={`${props.label} menu`}
          x={menu.x}
          y={menu.y}
          onClose={closeMenu}
          items={[
            {
              label: 'Copy to other side',
              shortcut: 'F5',
              disabled: !ready || selectionTargets.length === 0,
              onSelect: () => props.onCopyToOther(selectionTargets),
            },
            {
              label: 'Rename',
              shortcut: 'F2',
              disabled: !ready || selectionTargets.length !== 1,
              onSelect: () => setDialog({ kind: 'rename', name: selectionTargets[0]! }),
            },
            {
              label: 'Delete',
              shortcut: 'Del',
              disabled: !ready || selectionTargets.length === 0,
              onSelect: () => setDialog({ kind: 'delete', names: selectionTargets }),
            },
            {
              label: 'New folder',
              shortcut: 'F7',
              disabled: !ready || !query.data,
              onSelect: () => setDialog({ kind: 'mkdir' }),
            },
            { label: 'Refresh', disabled: !ready, onSelect: () => void query.refetch() },
            { label: 'Copy path', onSelect: () => void copyPath() },
          ]}
        />
      )}

      <div className="pane-status">
        {problem ? (
          <span className="error-text" role="alert">
            {problem}
            <button type="button" className="link-button" onClick={() => setProblem(null)}>
              Dismiss
            </button>
          </span>
        ) : notice ? (
          <span role="status">{notice}</span>
        ) : (
          <>
            <span>
              {view.total !== entries.length
                ? `${entries.length} of ${plural(view.total, 'item')}`
                : plural(entries.length, 'item')}
              {selectedNames.length > 0 &&
                ` · ${selectedNames.length} selected${selectedBytes > 0 ? ` (${formatBytes(selectedBytes)})` : ''}`}
            </span>
            <span className="spacer" />
            {query.data && query.data.unsafeNames.length > 0 && (
              // The names come escaped from the server: controls and bidi overrides show as \u…
              <span
                className="warn-text"
                title={`Names with \\, control or bidi characters: ${query.data.unsafeNames.join(', ')}`}
              >
                {plural(query.data.unsafeNames.length, 'entry', 'entries')} with unsafe names hidden
              </span>
            )}
            {query.data && query.data.rejected > query.data.unsafeNames.length && (
              <span className="warn-text" title="Lines of the LIST reply that pasv could not parse">
                {plural(query.data.rejected - query.data.unsafeNames.length, 'line')} not understood
              </span>
            )}
            {site && (
              <span className="muted">
                {site.host}:{site.port}
              </span>
            )}
          </>
        )}
      </div>

      <PaneDialogs
        dialog={dialog}
        onClose={() => setDialog(null)}
        taken={taken}
        busy={busy}
        siteId={siteId}
        siteName={site?.name ?? ''}
        path={path}
        onCreate={createFolder}
        onRename={rename}
        onRemove={remove}
      />
    </section>
  );
}
