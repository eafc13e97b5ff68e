import { describe, it, expect } from 'vitest';
import type { Site } from '../../../../../contract/index.js';
import {
  changesClearingPassword,
  emptySiteForm,
  formToCreate,
  formToPatch,
  siteToForm,
  validateSiteForm,
  withTls,
} from './siteForm.js';

const site: Site = {
  id: 's1',
  name: 'alpha',
  host: '127.0.0.1',
  port: 2121,
  user: 'demo',
  tls: 'none',
  fingerprint256: null,
  maxConnections: 2,
  passive: 'auto',
  relayAllowed: true,
  allowClearData: false,
  pasvAddress: 'control',
  pret: 'auto',
  hasPassword: true,
  createdAt: '2026-11-24T09:00:00.000Z',
  updatedAt: '2026-11-24T09:00:00.000Z',
};

describe('site form', () => {
  it('flags what the server would reject', () => {
    const errors = validateSiteForm({
      ...emptySiteForm(),
      name: '',
      host: 'bad host\r\n',
      port: '70000',
      fingerprint256: 'AB:CD',
      maxConnections: '0',
      user: 'a\nb',
    });
    expect(Object.keys(errors).sort()).toEqual(['fingerprint256', 'host', 'maxConnections', 'name', 'port', 'user']);
    expect(validateSiteForm({ ...emptySiteForm(), name: 'x', host: 'ftp.example.org' })).toEqual({});
  });

  it('accepts a colon-separated SHA-256 fingerprint', () => {
    const fp = Array.from({ length: 32 }, () => 'AB').join(':');
    expect(validateSiteForm({ ...emptySiteForm(), name: 'x', host: '::1', fingerprint256: fp })).toEqual({});
  });

  it('builds a create body with numbers, null fingerprint and no empty password', () => {
    const body = formToCreate({ ...emptySiteForm(), name: ' beta ', host: 'h', port: '2121' });
    expect(body).toMatchObject({ name: 'beta', port: 2121, fingerprint256: null, maxConnections: 2 });
    expect('password' in body).toBe(false);
  });

  it('patches only changed fields, and the password only when typed', () => {
    const values = siteToForm(site);
    expect(formToPatch(site, values)).toEqual({});
    expect(formToPatch(site, { ...values, port: '21', relayAllowed: false })).toEqual({
      port: 21,
      relayAllowed: false,
    });
    expect(formToPatch(site, { ...values, password: 'new' })).toEqual({ password: 'new' });
  });

  it('moves the port between 21 and 990 with implicit TLS, leaving custom ports alone', () => {
    expect(withTls(emptySiteForm(), 'implicit').port).toBe('990');
    expect(withTls({ ...emptySiteForm(), port: '990', tls: 'implicit' }, 'explicit').port).toBe('21');
    expect(withTls({ ...emptySiteForm(), port: '2121' }, 'implicit').port).toBe('2121');
  });

  it('warns that moving the site to another endpoint clears its saved password, unless a new one is typed', () => {
    const values = siteToForm(site);
    expect(changesClearingPassword(site, values)).toEqual([]);
    expect(changesClearingPassword(site, { ...values, name: 'renamed', maxConnections: '4' })).toEqual([]);
    expect(changesClearingPassword(site, { ...values, host: 'ftp.elsewhere.example' })).toEqual(['host']);
    expect(changesClearingPassword(site, { ...values, port: '21', user: 'eve' })).toEqual(['port', 'user']);
    expect(changesClearingPassword(site, withTls(values, 'explicit'))).toEqual(['TLS mode']);
    expect(changesClearingPassword(site, { ...values, fingerprint256: 'AB:'.repeat(31) + 'AB' })).toEqual([
      'pinned fingerprint',
    ]);
    expect(changesClearingPassword(site, { ...values, host: 'ftp.elsewhere.example', password: 'new' })).toEqual([]);
    expect(
      changesClearingPassword({ ...site, hasPassword: false }, { ...values, host: 'ftp.elsewhere.example' }),
    ).toEqual([]);
  });

  it('checks an egress tag and says in words what is wrong with it', () => {
    const valid = { ...emptySiteForm(), name: 'x', host: 'h' };
    const error = (egress: string) => validateSiteForm({ ...valid, egress }).egress;
    expect(error('')).toBeUndefined();
    expect(error('eu-1')).toBeUndefined();
    expect(error(' eu-1 ')).toBeUndefined();
    expect(error('EU 1')).toBe('Lower-case letters only, e.g. eu-1');
    expect(error('a_b')).toBe('Only lower-case letters, digits and -, e.g. eu-1 (no spaces or _)');
    expect(error('eu 1')).toMatch(/no spaces/);
    expect(error('-eu')).toBe('Start with a letter or a digit, e.g. eu-1');
    expect(error('x'.repeat(33))).toBe('At most 32 characters');
  });

  it('sends an egress tag trimmed, empty as null, and a changed one without touching the password', () => {
    expect(formToCreate({ ...emptySiteForm(), name: 'x', host: 'h' }).egress).toBeNull();
    expect(formToCreate({ ...emptySiteForm(), name: 'x', host: 'h', egress: ' eu-1 ' }).egress).toBe('eu-1');
    const tagged: Site = { ...site, egress: 'eu-1' };
    expect(siteToForm(tagged).egress).toBe('eu-1');
    expect(formToPatch(tagged, siteToForm(tagged))).toEqual({});
    expect(formToPatch(tagged, { ...siteToForm(tagged), egress: '' })).toEqual({ egress: null });
    expect(formToPatch(site, { ...siteToForm(site), egress: 'eu-2' })).toEqual({ egress: 'eu-2' });
    expect(changesClearingPassword(site, { ...siteToForm(site), egress: 'eu-2' })).toEqual([]);
    // A Site from a server without the field reads as "any node", and an untouched form sends nothing.
    const older: Site = { ...tagged };
    delete older.egress;
    expect(siteToForm(older).egress).toBe('');
    expect(formToPatch(older, siteToForm(older))).toEqual({});
  });
});
