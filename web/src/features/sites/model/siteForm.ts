/**
 * The Sites form as plain values (strings for number inputs, so the user can type freely),
 * with validation that mirrors the contract and conversion to the create/patch bodies.
 */
import {
  EGRESS_TAG_PATTERN,
  type PassivePreference,
  type PretMode,
  type Site,
  type SiteCreate,
  type SitePatch,
  type TlsMode,
} from '../../../../../contract/index.js';

export interface SiteFormValues {
  name: string;
  host: string;
  port: string;
  user: string;
  /** Write-only: empty means "keep the saved one". */
  password: string;
  tls: TlsMode;
  fingerprint256: string;
  maxConnections: string;
  passive: PassivePreference;
  relayAllowed: boolean;
  allowClearData: boolean;
  pasvAddress: 'control' | 'reply';
  pret: PretMode;
  /** Empty: any node may connect to the site (outside cluster mode there is only one). */
  egress: string;
}

export type SiteFormErrors = Partial<Record<keyof SiteFormValues, string>>;

export function emptySiteForm(): SiteFormValues {
  return {
    name: '',
    host: '',
    port: '21',
    user: 'anonymous',
    password: '',
    tls: 'explicit',
    fingerprint256: '',
    maxConnections: '2',
    passive: 'auto',
    relayAllowed: true,
    allowClearData: false,
    pasvAddress: 'control',
    pret: 'auto',
    egress: '',
  };
}

export function siteToForm(site: Site): SiteFormValues {
  return {
    name: site.name,
    host: site.host,
    port: String(site.port),
    user: site.user,
    password: '',
    tls: site.tls,
    fingerprint256: site.fingerprint256 ?? '',
    maxConnections: String(site.maxConnections),
    passive: site.passive,
    relayAllowed: site.relayAllowed,
    allowClearData: site.allowClearData,
    pasvAddress: site.pasvAddress,
    pret: site.pret,
    egress: site.egress ?? '',
  };
}

/** Implicit TLS lives on 990 by convention: follow the mode while the port is still a default. */
export function withTls(values: SiteFormValues, tls: TlsMode): SiteFormValues {
  let port = values.port;
  if (tls === 'implicit' && port === '21') port = '990';
  if (tls !== 'implicit' && port === '990') port = '21';
  return { ...values, tls, port };
}

const hostPattern = /^[A-Za-z0-9.:_[\]-]+$/;
const fingerprintPattern = /^([0-9A-Fa-f]{2}:?){32}$/;
const lineBreak = /[\r\n\0]/;
const egressPattern = new RegExp(EGRESS_TAG_PATTERN);

/** Why a typed egress tag is not one, in words; null when it is one or the field is empty. */
function egressProblem(text: string): string | null {
  const tag = text.trim();
  if (!tag || egressPattern.test(tag)) return null;
  if (tag.length > 32) return 'At most 32 characters';
  if (/[A-Z]/.test(tag)) return 'Lower-case letters only, e.g. eu-1';
  if (tag.startsWith('-')) return 'Start with a letter or a digit, e.g. eu-1';
  return 'Only lower-case letters, digits and -, e.g. eu-1 (no spaces or _)';
}

function integerIn(text: string, min: number, max: number): number | null {
  if (!/^\d+$/.test(text.trim())) return null;
  const value = Number(text);
  return value >= min && value <= max ? value : null;
}

export function validateSiteForm(values: SiteFormValues): SiteFormErrors {
  const errors: SiteFormErrors = {};
  if (!values.name.trim()) errors.name = 'Give the site a name';
  else if (values.name.length > 100) errors.name = 'At most 100 characters';
  else if (lineBreak.test(values.name)) errors.name = 'No line breaks';
  if (!values.host.trim()) errors.host = 'Enter a host name or address';
  else if (!hostPattern.test(values.host.trim())) errors.host = 'Letters, digits, dots, colons, dashes only';
  if (integerIn(values.port, 1, 65535) === null) errors.port = '1 to 65535';
  if (lineBreak.test(values.user)) errors.user = 'No line breaks';
  if (lineBreak.test(values.password)) errors.password = 'No line breaks';
  if (values.fingerprint256.trim() && !fingerprintPattern.test(values.fingerprint256.trim()))
    errors.fingerprint256 = 'SHA-256 as 32 hex pairs, e.g. AB:CD:…';
  if (integerIn(values.maxConnections, 1, 32) === null) errors.maxConnections = '1 to 32';
  const egress = egressProblem(values.egress);
  if (egress) errors.egress = egress;
  return errors;
}

export function formToCreate(values: SiteFormValues): SiteCreate {
  const body: SiteCreate = {
    name: values.name.trim(),
    host: values.host.trim(),
    port: Number(values.port),
    user: values.user,
    tls: values.tls,
    fingerprint256: values.fingerprint256.trim() || null,
    maxConnections: Number(values.maxConnections),
    passive: values.passive,
    relayAllowed: values.relayAllowed,
    allowClearData: values.allowClearData,
    pasvAddress: values.pasvAddress,
    pret: values.pret,
    egress: values.egress.trim() || null,
  };
  if (values.password) body.password = values.password;
  return body;
}

/** Only what changed, so a PATCH never overwrites a field the user did not touch. */
export function formToPatch(site: Site, values: SiteFormValues): SitePatch {
  const next = formToCreate(values);
  const patch: SitePatch = {};
  const before = formToCreate(siteToForm(site));
  for (const key of Object.keys(next) as Array<keyof SiteCreate>) {
    if (key === 'password') continue;
    if (next[key] !== before[key]) (patch as Record<string, unknown>)[key] = next[key];
  }
  if (values.password) patch.password = values.password;
  return patch;
}

/** What a saved password is bound to on the server: changing any of these drops it. */
const ENDPOINT_FIELDS = {
  host: 'host',
  port: 'port',
  user: 'user',
  tls: 'TLS mode',
  fingerprint256: 'pinned fingerprint',
} as const;

/**
 * The endpoint settings this edit changes, named for people, when saving it would clear the
 * saved password (it was given for the old endpoint); empty when a new password is typed.
 */
export function changesClearingPassword(site: Site, values: SiteFormValues): string[] {
  if (!site.hasPassword || values.password) return [];
  const patch = formToPatch(site, values);
  return Object.entries(ENDPOINT_FIELDS).flatMap(([key, label]) => (key in patch ? [label] : []));
}
