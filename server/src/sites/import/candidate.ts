/** A site read from another client's file, before it is created (the import's preview row). */
import { EGRESS_TAG_RULE, type SiteCreate, type PassivePreference, type TlsMode } from '../../../../contract/index.js';
import { EGRESS_TAG } from '../../config.js';

export interface ImportCandidate {
  name: string;
  host: string;
  port: number;
  user: string;
  /** Never sent to the browser: the preview says only whether there is one. */
  password?: string;
  tls: TlsMode;
  passive?: PassivePreference;
  /** The rest of a pasv export's settings. */
  settings?: Pick<
    SiteCreate,
    'fingerprint256' | 'maxConnections' | 'relayAllowed' | 'allowClearData' | 'pasvAddress' | 'pret' | 'egress'
  >;
  /** Why it cannot be imported (SFTP, a bad host); the preview shows it unticked. */
  unsupported?: string;
}

const HOST = /^[A-Za-z0-9.:_[\]-]+$/;
const CONTROL = /[\r\n\0]/;

/** Marks what the site schema would refuse, so one odd entry does not sink the whole file. */
export function checked(candidate: ImportCandidate): ImportCandidate {
  const problem =
    !candidate.host || !HOST.test(candidate.host) || candidate.host.length > 255
      ? `host "${candidate.host}" is not a host name or address`
      : !Number.isInteger(candidate.port) || candidate.port < 1 || candidate.port > 65535
        ? `port ${candidate.port} is out of range`
        : [candidate.name, candidate.user, candidate.password ?? ''].some((text) => CONTROL.test(text))
          ? 'a field contains a line break'
          : candidate.name.length < 1 || candidate.name.length > 100
            ? 'the name must be 1 to 100 characters'
            : typeof candidate.settings?.egress === 'string' && !EGRESS_TAG.test(candidate.settings.egress)
              ? `"${candidate.settings.egress}" is not an egress tag (${EGRESS_TAG_RULE})`
              : undefined;
  return problem && !candidate.unsupported ? { ...candidate, unsupported: problem } : candidate;
}
