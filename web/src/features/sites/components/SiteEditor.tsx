import { useState, type FormEvent } from 'react';
import type { Site } from '../../../../../contract/index.js';
import { Button } from '../../../components/Button.js';
import { ConfirmDialog } from '../../../components/ConfirmDialog.js';
import { ErrorMessage } from '../../../components/ErrorMessage.js';
import { useOnline } from '../../../lib/live.js';
import { useCloneSite, useDeleteSite, useSaveSite, useTestSiteValues } from '../api/sites.js';
import {
  changesClearingPassword,
  emptySiteForm,
  formToCreate,
  formToPatch,
  siteToForm,
  validateSiteForm,
  withTls,
  type SiteFormValues,
} from '../model/siteForm.js';
import { CheckField, Field } from '../../../components/Field.js';
import { SiteTestPanel } from './SiteTestPanel.js';
import { demoNote } from '../model/demoNote.js';
import { parseSiteUrl } from '../model/siteUrl.js';
import { testHint, type HintAction } from '../model/testHints.js';
import { assertNever } from '../../../../../contract/index.js';

export function SiteEditor({
  site,
  onSaved,
  onDeleted,
  onCloned,
}: {
  site: Site | null;
  onSaved: (site: Site) => void;
  onDeleted: () => void;
  onCloned: (site: Site) => void;
}) {
  const online = useOnline();
  const [values, setValues] = useState<SiteFormValues>(() => (site ? siteToForm(site) : emptySiteForm()));
  const [showErrors, setShowErrors] = useState(false);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [savedAt, setSavedAt] = useState<number | null>(null);
  const save = useSaveSite();
  const remove = useDeleteSite();
  const test = useTestSiteValues();
  const clone = useCloneSite();
  const [pastedPath, setPastedPath] = useState<string | null>(null);

  const errors = validateSiteForm(values);
  const shown = showErrors ? errors : {};
  const dirty = site ? Object.keys(formToPatch(site, values)).length > 0 : true;
  const clearing = site ? changesClearingPassword(site, values) : [];
  const note = site ? demoNote(site) : null;
  const set = <K extends keyof SiteFormValues>(key: K, value: SiteFormValues[K]) => {
    setValues((current) => ({ ...current, [key]: value }));
    setSavedAt(null);
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setShowErrors(true);
    if (Object.keys(errors).length > 0) return;
    const body = site ? formToPatch(site, values) : formToCreate(values);
    save.mutate(
      { id: site?.id ?? null, body },
      {
        onSuccess: (saved) => {
          setValues(siteToForm(saved));
          setShowErrors(false);
          setSavedAt(Date.now());
          onSaved(saved);
        },
      },
    );
  };

  // The form as it is: a new site's values, or the edited site's changes (its saved password
  // is used by the server while the endpoint is unchanged).
  const runTest = () => {
    if (errors.host || errors.port || errors.user || errors.password || errors.fingerprint256) {
      setShowErrors(true);
      return;
    }
    const { name, ...body } = site ? formToPatch(site, values) : formToCreate(values);
    test.mutate({ ...body, ...(name ? { name } : {}), ...(site ? { siteId: site.id } : {}) });
  };

  const applyHint = (action: HintAction) => {
    switch (action) {
      case 'use-plain-ftp':
        setValues((current) => withTls(current, 'none'));
        setSavedAt(null);
        test.reset();
        return;
      default:
        return assertNever(action);
    }
  };

  /** A pasted ftp:// or ftps:// URL fills host, port, TLS, user and password. */
  const setHost = (text: string) => {
    const parsed = parseSiteUrl(text);
    if (!parsed) {
      set('host', text);
      return;
    }
    setValues((current) => ({
      ...current,
      host: parsed.host,
      port: parsed.port,
      tls: parsed.tls,
      ...(parsed.user !== undefined ? { user: parsed.user } : {}),
      ...(parsed.password !== undefined ? { password: parsed.password } : {}),
    }));
    setPastedPath(parsed.path ?? null);
    setSavedAt(null);
  };

  const bind = (
    key: 'name' | 'host' | 'port' | 'user' | 'password' | 'fingerprint256' | 'maxConnections' | 'egress',
  ) => ({
    value: values[key],
    onChange: (event: { target: { value: string } }) => set(key, event.target.value),
  });

  return (
    <form className="site-editor" onSubmit={submit} noValidate aria-label={site ? `Edit ${site.name}` : 'New site'}>
      <h3 className="site-editor-title">{site ? site.name : 'New site'}</h3>
      {note && (
        <p className="demo-note">
          {note.text} <code className="mono">{note.command}</code>
        </p>
      )}
      <div className="form-grid">
        <Field label="Name" error={shown.name}>
          {(p) => <input {...p} {...bind('name')} autoComplete="off" maxLength={100} data-autofocus />}
        </Field>
        <Field label="Host" error={shown.host}>
          {(p) => (
            <input
              {...p}
              value={values.host}
              onChange={(event) => setHost(event.target.value)}
              autoComplete="off"
              spellCheck={false}
              placeholder="ftp.example.org or ftp://user:pass@host:port"
            />
          )}
        </Field>
        <Field label="Port" error={shown.port}>
          {(p) => <input {...p} {...bind('port')} inputMode="numeric" />}
        </Field>
        <Field label="User" error={shown.user}>
          {(p) => <input {...p} {...bind('user')} autoComplete="off" spellCheck={false} />}
        </Field>
        <Field
          label="Password"
          error={shown.password}
          hint={
            clearing.length > 0 ? (
              <span className="warn-text" role="status">
                Changing the {listed(clearing)} clears the saved password — type it again to keep one
              </span>
            ) : site?.hasPassword ? (
              'saved — leave empty to keep it'
            ) : (
              'not set'
            )
          }
        >
          {(p) => (
            <input
              {...p}
              {...bind('password')}
              type="password"
              autoComplete="new-password"
              placeholder={site?.hasPassword ? 'saved' : ''}
            />
          )}
        </Field>
        <Field label="TLS">
          {(p) => (
            <select
              {...p}
              value={values.tls}
              onChange={(event) => setValues((v) => withTls(v, event.target.value as SiteFormValues['tls']))}
            >
              <option value="explicit">Explicit (AUTH TLS)</option>
              <option value="implicit">Implicit (port 990)</option>
              <option value="none">None (plain FTP)</option>
            </select>
          )}
        </Field>
        <Field
          label="Pinned fingerprint"
          hint="SHA-256 of a self-signed certificate; empty to use the system CAs"
          error={shown.fingerprint256}
          wide
        >
          {(p) => (
            <input {...p} {...bind('fingerprint256')} className="mono" spellCheck={false} placeholder="AB:CD:EF:…" />
          )}
        </Field>
        <Field label="Max connections" error={shown.maxConnections}>
          {(p) => <input {...p} {...bind('maxConnections')} inputMode="numeric" />}
        </Field>
        <Field label="Passive preference" hint="Which side listens in FXP">
          {(p) => (
            <select
              {...p}
              value={values.passive}
              onChange={(event) => set('passive', event.target.value as SiteFormValues['passive'])}
            >
              <option value="auto">Auto</option>
              <option value="passive">Passive (this site listens)</option>
              <option value="active">Active (this site connects)</option>
            </select>
          )}
        </Field>
        <Field
          label="PASV address"
          hint="Where data connections go. A 227 address is used only when it is of the control address's kind (loopback, private, public) or on the server's PASV allow-list"
        >
          {(p) => (
            <select
              {...p}
              value={values.pasvAddress}
              onChange={(event) => set('pasvAddress', event.target.value as SiteFormValues['pasvAddress'])}
            >
              <option value="control">Control connection</option>
              <option value="reply">From the 227 reply</option>
            </select>
          )}
        </Field>
        <Field label="PRET" hint="Sent before PASV/EPSV: distributed servers (drftpd) need it">
          {(p) => (
            <select
              {...p}
              value={values.pret}
              onChange={(event) => set('pret', event.target.value as SiteFormValues['pret'])}
            >
              <option value="auto">Auto — when the server lists it or asks for it</option>
              <option value="always">Always</option>
              <option value="never">Never</option>
            </select>
          )}
        </Field>
        <Field
          label="Egress tag"
          hint="Only workers announcing this tag connect to this site (cluster mode). Leave empty for any."
          error={shown.egress}
        >
          {(p) => (
            <input
              {...p}
              {...bind('egress')}
              className="mono"
              autoComplete="off"
              spellCheck={false}
              placeholder="eu-1"
            />
          )}
        </Field>
        <CheckField
          label="Relay allowed"
          hint="Copy through pasv when FXP is refused"
          checked={values.relayAllowed}
          onChange={(v) => set('relayAllowed', v)}
        />
        <CheckField
          label="Allow clear data"
          hint="With TLS on both sides and no SSCN, FXP may fall back to PROT C"
          checked={values.allowClearData}
          onChange={(v) => set('allowClearData', v)}
        />
      </div>

      <ErrorMessage error={save.error} prefix="Could not save" />
      <ErrorMessage error={remove.error} prefix="Could not delete" />
      <ErrorMessage error={clone.error} prefix="Could not clone" />
      {pastedPath && (
        <p className="muted small" role="status">
          The URL's folder {pastedPath} is not kept: open it in a pane after connecting.
        </p>
      )}

      <div className="form-actions">
        <Button
          onClick={runTest}
          disabled={!online || test.isPending}
          title="Logs in with the values in the form (nothing is saved) and reads FEAT"
        >
          Test connection
        </Button>
        {site && (
          <Button
            onClick={() => clone.mutate(site.id, { onSuccess: onCloned })}
            disabled={!online || clone.isPending}
            title="A new site with the same settings and password, named “copy”"
          >
            Clone
          </Button>
        )}
        {site && (
          <Button variant="danger" icon="trash" onClick={() => setConfirmDelete(true)} disabled={!online}>
            Delete
          </Button>
        )}
        <span className="spacer" />
        {site && dirty && <span className="muted small">Unsaved changes</span>}
        {savedAt !== null && !dirty && (
          <span className="muted small" role="status">
            Saved
          </span>
        )}
        <Button type="submit" variant="primary" disabled={!online || save.isPending || (site !== null && !dirty)}>
          {save.isPending ? 'Saving…' : 'Save'}
        </Button>
      </div>

      <SiteTestPanel
        result={test.data}
        error={test.error}
        pending={test.isPending}
        hint={test.data ? testHint(test.data, { host: values.host, port: values.port }) : null}
        onHintAction={applyHint}
      />

      {site && (
        <ConfirmDialog
          open={confirmDelete}
          title="Delete site"
          confirmLabel="Delete"
          danger
          busy={remove.isPending}
          onCancel={() => setConfirmDelete(false)}
          onConfirm={() =>
            remove.mutate(site.id, {
              onSuccess: () => {
                setConfirmDelete(false);
                onDeleted();
              },
              onError: () => setConfirmDelete(false),
            })
          }
        >
          <p>
            Delete <strong>{site.name}</strong> ({site.host}:{site.port})? Its saved password goes with it; files on the
            server are not touched.
          </p>
        </ConfirmDialog>
      )}
    </form>
  );
}

/** ["host", "port", "user"] → "host, port and user". */
function listed(names: string[]): string {
  return names.length < 2 ? names.join('') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}
