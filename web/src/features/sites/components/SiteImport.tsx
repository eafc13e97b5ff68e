import { useState } from 'react';
import type { ImportFormat } from '../../../../../contract/index.js';
import { Button } from '../../../components/Button.js';
import { ErrorMessage } from '../../../components/ErrorMessage.js';
import { Field } from '../../../components/Field.js';
import { useSites } from '../../../lib/live.js';
import { useImportSites } from '../api/sites.js';
import { PassphraseField } from './PassphraseField.js';
import { clashes, initialRows, toTake, type ImportRow } from '../model/importSelection.js';

const FORMATS: { value: ImportFormat; label: string }[] = [
  { value: 'filezilla', label: 'FileZilla (sitemanager.xml)' },
  { value: 'lftp', label: 'lftp bookmarks' },
  { value: 'pasv', label: 'pasv export (JSON)' },
];

/** Sites from another client's file: a preview to tick and rename, then import. Passwords stay on the server. */
export function SiteImport() {
  const saved = useSites();
  const [format, setFormat] = useState<ImportFormat>('filezilla');
  const [text, setText] = useState('');
  const [passphrase, setPassphrase] = useState('');
  const [rows, setRows] = useState<ImportRow[] | null>(null);
  const preview = useImportSites();
  const run = useImportSites();

  const body = () => ({ format, text, ...(format === 'pasv' && passphrase ? { passphrase } : {}) });
  const clash = rows
    ? clashes(
        rows,
        saved.map((site) => site.name),
      )
    : new Set<number>();
  const take = rows ? toTake(rows) : [];
  const edit = (index: number, change: Partial<ImportRow>) =>
    setRows(
      (current) => current && current.map((row) => (row.candidate.index === index ? { ...row, ...change } : row)),
    );

  return (
    <section className="site-import" aria-label="Import sites">
      <h3 className="site-editor-title">Import sites</h3>
      <div className="form-grid">
        <Field label="Format">
          {(p) => (
            <select
              {...p}
              value={format}
              onChange={(event) => (setFormat(event.target.value as ImportFormat), setRows(null))}
            >
              {FORMATS.map((f) => (
                <option key={f.value} value={f.value}>
                  {f.label}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="File" hint="Read here in the browser, sent to pasv only for the preview and the import">
          {(p) => (
            <input
              {...p}
              type="file"
              onChange={(event) => {
                const file = event.target.files?.[0];
                if (file) void file.text().then((content) => (setText(content), setRows(null)));
              }}
            />
          )}
        </Field>
        {format === 'pasv' && (
          <PassphraseField
            label="Passphrase"
            hint="Only for an export with passwords"
            value={passphrase}
            onChange={setPassphrase}
            autoComplete="off"
          />
        )}
      </div>
      <div className="form-actions">
        <Button
          disabled={!text || preview.isPending}
          onClick={() =>
            preview.mutate(
              { ...body(), dryRun: true },
              { onSuccess: (result) => (setRows(initialRows(result.candidates)), run.reset()) },
            )
          }
        >
          Preview
        </Button>
      </div>
      <ErrorMessage error={preview.error} prefix="Could not read the file" />
      {rows && (
        <>
          <table className="import-table" aria-label="Sites in the file">
            <thead>
              <tr>
                <th scope="col">Import</th>
                <th scope="col">Name</th>
                <th scope="col">Host</th>
                <th scope="col">TLS</th>
                <th scope="col">Password</th>
                <th scope="col">Note</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => {
                const { candidate } = row;
                const clashing = clash.has(candidate.index);
                return (
                  <tr key={candidate.index}>
                    <td>
                      <input
                        type="checkbox"
                        aria-label={`Import ${candidate.name}`}
                        checked={row.take}
                        disabled={Boolean(candidate.unsupported)}
                        onChange={(event) => edit(candidate.index, { take: event.target.checked })}
                      />
                    </td>
                    <td>
                      <input
                        aria-label={`Name for ${candidate.name}`}
                        value={row.name}
                        maxLength={100}
                        aria-invalid={clashing || undefined}
                        onChange={(event) => edit(candidate.index, { name: event.target.value })}
                      />
                    </td>
                    <td className="mono">
                      {candidate.host}:{candidate.port}
                    </td>
                    <td>{candidate.tls === 'none' ? 'plain' : candidate.tls}</td>
                    <td>{candidate.hasPassword ? 'yes' : '—'}</td>
                    <td className={candidate.unsupported || clashing ? 'warn-text' : 'muted'}>
                      {candidate.unsupported ?? (clashing ? 'name already taken — rename it' : '')}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          <div className="form-actions">
            <Button
              variant="primary"
              disabled={take.length === 0 || clash.size > 0 || run.isPending}
              onClick={() => run.mutate({ ...body(), take }, { onSuccess: () => setRows(null) })}
            >
              Import {take.length} {take.length === 1 ? 'site' : 'sites'}
            </Button>
          </div>
        </>
      )}
      <ErrorMessage error={run.error} prefix="Could not import" />
      {run.data && (
        <div role="status" className="import-result">
          <p>
            Imported {run.data.created.length} {run.data.created.length === 1 ? 'site' : 'sites'}
            {run.data.created.length > 0 ? `: ${run.data.created.map((c) => c.name).join(', ')}` : ''}.
          </p>
          {run.data.failed.map((failure) => (
            <p key={`${failure.index}-${failure.name}`} className="warn-text">
              {failure.name}: {failure.error.message}
            </p>
          ))}
        </div>
      )}
    </section>
  );
}
