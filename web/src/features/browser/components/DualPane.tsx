import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useState } from 'react';
import type { Entry, IfExists, TransferCreate } from '../../../../../contract/index.js';
import { errorText } from '../../../lib/api.js';
import { plural } from '../../../lib/format.js';
import { useOnline, useSites } from '../../../lib/live.js';
import { createTransfers, existingEntries } from '../api/browser.js';
import { usePaneState, type PaneId } from '../hooks/usePaneState.js';
import { usePaneView } from '../hooks/usePaneView.js';
import { useRefreshAfterTransfers } from '../hooks/useRefreshAfterTransfers.js';
import { useTransferOptions } from '../hooks/useTransferOptions.js';
import { joinPath } from '../model/entries.js';
import { selectedInOrder } from '../../../lib/selection.js';
import { ConflictDialog, type Conflict } from './ConflictDialog.js';
import { ShortcutsDialog } from './ShortcutsDialog.js';
import { Pane } from './Pane.js';
import { TransferBar } from './TransferBar.js';

interface Notice {
  tone: 'info' | 'error';
  text: string;
}

/** The grids' element ids: Tab moves focus to the other pane's grid. */
const gridDomId = (id: PaneId) => `pane-grid-${id}`;
const other = (id: PaneId): PaneId => (id === 'left' ? 'right' : 'left');

export interface PanePlace {
  siteId: string;
  dir: string;
}

export interface DualPaneProps {
  onManageSites: () => void;
  /** "New mirror job from these panes": the left folder as the source, the right one as the destination. */
  onNewMirrorJob?: (source: PanePlace, destination: PanePlace) => void;
}

/** The two panes side by side, and everything that moves files between them. */
export function DualPane({ onManageSites, onNewMirrorJob }: DualPaneProps) {
  const client = useQueryClient();
  const sites = useSites();
  const online = useOnline();
  const [left, dispatchLeft] = usePaneState('left');
  const [right, dispatchRight] = usePaneState('right');
  const leftView = usePaneView(left);
  const rightView = usePaneView(right);
  const [options, setOptions] = useTransferOptions();
  const [drag, setDrag] = useState<{ from: PaneId; names: string[] } | null>(null);
  const [conflict, setConflict] = useState<(Conflict & { resolve: (choice: IfExists | null) => void }) | null>(null);
  const [sending, setSending] = useState(false);
  const [notice, setNotice] = useState<Notice | null>(null);
  const [active, setActive] = useState<PaneId>('left');
  const [help, setHelp] = useState(false);
  useRefreshAfterTransfers();

  // `?` anywhere but in a text field opens the shortcuts sheet.
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== '?' || event.ctrlKey || event.metaKey || event.altKey) return;
      const target = event.target as HTMLElement | null;
      if (target?.closest('input, textarea, select, [contenteditable="true"], dialog[open]')) return;
      event.preventDefault();
      setHelp(true);
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);

  const panes = { left, right };
  const views = { left: leftView, right: rightView };

  // A pane whose site is gone, or that never had one, gets a sensible site: the first two sites side by side.
  const sitesLoaded = sites.length > 0;
  useEffect(() => {
    if (!sitesLoaded) return;
    const known = (id: string | null) => id !== null && sites.some((site) => site.id === id);
    if (!known(left.siteId)) dispatchLeft({ type: 'site', siteId: sites[0]!.id });
    if (!known(right.siteId)) dispatchRight({ type: 'site', siteId: (sites[1] ?? sites[0])!.id });
  }, [sites, sitesLoaded, left.siteId, right.siteId, dispatchLeft, dispatchRight]);

  useEffect(() => {
    if (notice?.tone !== 'info') return undefined;
    const timer = setTimeout(() => setNotice(null), 6000);
    return () => clearTimeout(timer);
  }, [notice]);

  const askConflict = (value: Conflict) =>
    new Promise<IfExists | null>((resolve) => setConflict({ ...value, resolve }));

  const send = useCallback(
    async (from: PaneId, names: string[], destDir: string) => {
      const source = from === 'left' ? left : right;
      const target = from === 'left' ? right : left;
      if (!source.siteId || !target.siteId || names.length === 0) return;
      const siteName = sites.find((site) => site.id === target.siteId)?.name ?? 'destination';
      setSending(true);
      setNotice(null);
      try {
        let ifExists: IfExists | undefined = options.ifExists === 'ask' ? undefined : options.ifExists;
        if (options.ifExists === 'ask') {
          let present = new Map<string, Entry>();
          try {
            present = await existingEntries(client, target.siteId, destDir);
          } catch {
            // Cannot look (yet): let the server apply its default.
          }
          const sourceEntries = new Map(
            (from === 'left' ? leftView : rightView).entries.map((entry) => [entry.name, entry]),
          );
          const items = names.flatMap((name) => {
            const existing = present.get(name);
            return existing ? [{ name, existing, source: sourceEntries.get(name) ?? null }] : [];
          });
          if (items.length > 0) {
            const sourceName = sites.find((site) => site.id === source.siteId)?.name ?? 'source';
            const choice = await askConflict({
              items,
              total: names.length,
              source: sourceName,
              destination: `${siteName}:${destDir}`,
            });
            if (choice === null) return;
            ifExists = choice;
          }
        }
        const bodies: TransferCreate[] = names.map((name) => ({
          source: { siteId: source.siteId!, path: joinPath(source.path, name) },
          destination: { siteId: target.siteId!, dir: destDir },
          mode: options.mode,
          ...(ifExists ? { ifExists } : {}),
        }));
        const { created, failed } = await createTransfers(bodies);
        if (failed.length > 0) {
          const first = failed[0]!;
          setNotice({
            tone: 'error',
            text: `${plural(failed.length, 'item')} not queued — ${first.path}: ${errorText(first.error)}`,
          });
        } else {
          setNotice({ tone: 'info', text: `Queued ${plural(created.length, 'transfer')} to ${siteName}:${destDir}` });
        }
      } finally {
        setSending(false);
      }
    },
    [left, right, leftView, rightView, sites, options, client],
  );

  const selectionOf = (id: PaneId) =>
    selectedInOrder(
      panes[id].selection,
      views[id].entries.map((entry) => entry.name),
    );
  const canSendNames = (from: PaneId) => {
    const source = panes[from];
    const target = panes[other(from)];
    if (!online || !source.siteId || !target.siteId) return false;
    return !(source.siteId === target.siteId && source.path === target.path);
  };
  const canSend = (from: PaneId) => canSendNames(from) && panes[from].selection.selected.size > 0;

  const paneProps = (id: PaneId) => ({
    id,
    label: id === 'left' ? 'Left pane' : 'Right pane',
    state: panes[id],
    dispatch: id === 'left' ? dispatchLeft : dispatchRight,
    view: views[id],
    sites,
    online,
    dropFromOther: drag !== null && drag.from !== id,
    onDragNames: (names: string[]) => setDrag({ from: id, names }),
    onDragEnd: () => setDrag(null),
    onDropInto: (dir: string) => {
      setDrag(null);
      if (drag && drag.from !== id) void send(drag.from, drag.names, dir);
    },
    onManageSites,
    active: active === id,
    onActivate: () => setActive(id),
    onSwitchPane: () => {
      setActive(other(id));
      document.getElementById(gridDomId(other(id)))?.focus();
    },
    onCopyToOther: (names: string[]) => {
      if (names.length > 0 && canSendNames(id)) void send(id, names, panes[other(id)].path);
    },
    gridDomId: gridDomId(id),
  });

  return (
    <div className="dual-pane">
      <Pane {...paneProps('left')} />
      <TransferBar
        canSendRight={canSend('left')}
        canSendLeft={canSend('right')}
        onSendRight={() => void send('left', selectionOf('left'), right.path)}
        onSendLeft={() => void send('right', selectionOf('right'), left.path)}
        options={options}
        onOptions={setOptions}
        busy={sending}
        onMirror={
          onNewMirrorJob &&
          (() => onNewMirrorJob({ siteId: left.siteId!, dir: left.path }, { siteId: right.siteId!, dir: right.path }))
        }
        canMirror={
          online &&
          left.siteId !== null &&
          right.siteId !== null &&
          !(left.siteId === right.siteId && left.path === right.path)
        }
      />
      <Pane {...paneProps('right')} />
      {notice && (
        <div className={`notice notice-${notice.tone}`} role={notice.tone === 'error' ? 'alert' : 'status'}>
          <span>{notice.text}</span>
          <button type="button" className="link-button" onClick={() => setNotice(null)}>
            Dismiss
          </button>
        </div>
      )}
      <ShortcutsDialog open={help} onClose={() => setHelp(false)} />
      <ConflictDialog
        conflict={conflict}
        onChoose={(choice) => {
          conflict?.resolve(choice);
          setConflict(null);
        }}
      />
    </div>
  );
}
