import { useState } from 'react';
import { Button } from '../../../components/Button.js';
import { Dialog } from '../../../components/Dialog.js';
import { useSites } from '../../../lib/live.js';
import { SiteEditor } from './SiteEditor.js';
import { SiteExport } from './SiteExport.js';
import { SiteImport } from './SiteImport.js';

type Selection =
  { kind: 'site'; id: string } | { kind: 'new' } | { kind: 'default' } | { kind: 'import' } | { kind: 'export' };

export function SitesDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const sites = useSites();
  const [selection, setSelection] = useState<Selection>({ kind: 'default' });

  const selectedSite =
    selection.kind === 'site'
      ? (sites.find((site) => site.id === selection.id) ?? null)
      : selection.kind === 'default'
        ? (sites[0] ?? null)
        : null;
  const editorKey = selectedSite ? selectedSite.id : 'new';

  const close = () => {
    setSelection({ kind: 'default' });
    onClose();
  };

  return (
    <Dialog open={open} title="Sites" onClose={close} className="dialog-sites">
      <div className="sites-layout">
        <nav className="sites-list" aria-label="Saved sites">
          <ul>
            {sites.map((site) => (
              <li key={site.id}>
                <button
                  type="button"
                  className="sites-item"
                  aria-current={selectedSite?.id === site.id ? 'true' : undefined}
                  onClick={() => setSelection({ kind: 'site', id: site.id })}
                >
                  <span className="sites-item-name">{site.name}</span>
                  <span className="sites-item-host">
                    {site.host}:{site.port}
                    {site.tls !== 'none' ? ' · TLS' : ''}
                  </span>
                </button>
              </li>
            ))}
          </ul>
          {sites.length === 0 && <p className="muted small">No sites yet.</p>}
          <Button icon="plus" onClick={() => setSelection({ kind: 'new' })} className="sites-new">
            New site
          </Button>
          <div className="sites-moving">
            <Button onClick={() => setSelection({ kind: 'import' })}>Import…</Button>
            <Button onClick={() => setSelection({ kind: 'export' })}>Export…</Button>
          </div>
        </nav>
        {selection.kind === 'import' ? (
          <SiteImport />
        ) : selection.kind === 'export' ? (
          <SiteExport />
        ) : (
          <SiteEditor
            key={editorKey}
            site={selectedSite}
            onSaved={(site) => setSelection({ kind: 'site', id: site.id })}
            onCloned={(site) => setSelection({ kind: 'site', id: site.id })}
            onDeleted={() => setSelection({ kind: 'default' })}
          />
        )}
      </div>
    </Dialog>
  );
}
