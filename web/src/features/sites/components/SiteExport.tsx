import { useState } from 'react';
import { Button } from '../../../components/Button.js';
import { ErrorMessage } from '../../../components/ErrorMessage.js';
import { CheckField } from '../../../components/Field.js';
import { useExportSites } from '../api/sites.js';
import { PassphraseField } from './PassphraseField.js';

/** pasv's own sites as a JSON file; passwords only when asked, sealed with a passphrase on the server. */
export function SiteExport() {
  const [withPasswords, setWithPasswords] = useState(false);
  const [passphrase, setPassphrase] = useState('');
  const exporter = useExportSites();
  const tooShort = withPasswords && passphrase.length < 8;

  const download = () =>
    exporter.mutate(
      { withPasswords, ...(withPasswords ? { passphrase } : {}) },
      {
        onSuccess: (document) => {
          const url = URL.createObjectURL(new Blob([JSON.stringify(document, null, 2)], { type: 'application/json' }));
          const link = Object.assign(window.document.createElement('a'), { href: url, download: 'pasv-sites.json' });
          link.click();
          URL.revokeObjectURL(url);
        },
      },
    );

  return (
    <section className="site-export" aria-label="Export sites">
      <h3 className="site-editor-title">Export sites</h3>
      <div className="form-grid">
        <CheckField
          label="Include passwords"
          hint="Sealed with the passphrase (AES-256-GCM, scrypt); without it the file opens nowhere"
          checked={withPasswords}
          onChange={setWithPasswords}
        />
        {withPasswords && (
          <PassphraseField
            label="Export passphrase"
            hint="At least 8 characters"
            error={tooShort && passphrase ? 'At least 8 characters' : undefined}
            value={passphrase}
            onChange={setPassphrase}
            autoComplete="new-password"
          />
        )}
      </div>
      <div className="form-actions">
        <Button variant="primary" onClick={download} disabled={tooShort || exporter.isPending}>
          Download pasv-sites.json
        </Button>
      </div>
      <ErrorMessage error={exporter.error} prefix="Could not export" />
    </section>
  );
}
