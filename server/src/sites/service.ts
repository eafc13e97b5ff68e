/**
 * Saved servers. Passwords are sealed at rest and never leave this module except as
 * SessionOptions handed to the FTP layer. A password belongs to the endpoint it was given
 * for: the seal binds site id, host, port and user, and changing where the site points
 * (host, port, user, TLS mode, pinned fingerprint) drops it unless a new one comes along.
 */
import crypto from 'node:crypto';
import {
  EGRESS_TAG_RULE,
  type Site,
  type SiteCreate,
  type SitePatch,
  type SiteTestBody,
  type SiteTestResult,
} from '../../../contract/index.js';
import { EGRESS_TAG } from '../config.js';
import type { EventBus } from '../events.js';
import type { SessionOptions } from '../ftp/session.js';
import type { AddressGuard } from '../ftp/types.js';
import { RESEAL_PASSWORDS, getMeta, type Db } from '../store/db.js';
import { DuplicateNameError, InvalidFieldError, NotFoundError } from '../errors.js';
import { addressGuard, checkHost, type HostPolicy } from './host-policy.js';
import { tryLogin } from './login-test.js';
import type { SecretBox } from './secrets.js';

interface SiteRow {
  id: string;
  name: string;
  host: string;
  port: number;
  user: string;
  password_enc: string | null;
  tls: Site['tls'];
  fingerprint256: string | null;
  max_connections: number;
  passive: Site['passive'];
  relay_allowed: number;
  allow_clear_data: number;
  pasv_address: Site['pasvAddress'];
  pret: Site['pret'];
  egress: string | null;
  created_at: string;
  updated_at: string;
}

const DEFAULTS = {
  port: 21,
  user: 'anonymous',
  tls: 'none',
  fingerprint256: null,
  maxConnections: 4,
  passive: 'auto',
  relayAllowed: true,
  allowClearData: false,
  pasvAddress: 'control',
  pret: 'auto',
  egress: null,
} as const;

/** The columns a stored password is bound to: changing one of them drops it. */
const ENDPOINT_COLUMNS = ['host', 'port', 'user', 'tls', 'fingerprint256'] as const;

/** Additional data of a password's seal: a ciphertext opens only for this site at this endpoint. */
function sealContext(site: Pick<SiteRow, 'id' | 'host' | 'port' | 'user'>): string {
  return JSON.stringify([site.id, site.host, site.port, site.user]);
}

function toSite(row: SiteRow): Site {
  return {
    id: row.id,
    name: row.name,
    host: row.host,
    port: row.port,
    user: row.user,
    tls: row.tls,
    fingerprint256: row.fingerprint256,
    maxConnections: row.max_connections,
    passive: row.passive,
    relayAllowed: row.relay_allowed === 1,
    allowClearData: row.allow_clear_data === 1,
    pasvAddress: row.pasv_address,
    pret: row.pret,
    egress: row.egress,
    hasPassword: row.password_enc !== null,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export class SitesService {
  private readonly addressGuard: AddressGuard;

  constructor(
    private readonly db: Db,
    private readonly secrets: SecretBox,
    private readonly events: EventBus,
    private readonly hostPolicy: HostPolicy,
  ) {
    this.addressGuard = addressGuard(hostPolicy);
    // Before anything reads a password: after this, every seal names its endpoint.
    if (getMeta(db, RESEAL_PASSWORDS) !== undefined) this.resealLegacyPasswords();
  }

  list(): Site[] {
    return (this.db.prepare('SELECT * FROM sites ORDER BY lower(name), name').all() as SiteRow[]).map((row) =>
      this.toPublic(row),
    );
  }

  /**
   * The demo's sample servers show their login (site form, API): they are local throwaway
   * servers with a password made at each start. Kept in memory: the demo marks them again.
   */
  markDemo(id: string, login: { user: string; password: string }): Site {
    this.row(id);
    this.demoLogins.set(id, { ...login });
    return this.publish(id);
  }

  private readonly demoLogins = new Map<string, { user: string; password: string }>();

  private toPublic(row: SiteRow): Site {
    const site = toSite(row);
    const demo = this.demoLogins.get(row.id);
    return demo ? { ...site, demo } : site;
  }

  /** Cached: the scheduler asks for every file it starts. Writes go through this class. */
  get(id: string): Site {
    const site = this.find(id);
    if (!site) throw new NotFoundError(`no site with id ${id}`);
    return site;
  }

  /** The site, or undefined when there is none with this id (cached like get()). */
  find(id: string): Site | undefined {
    let site = this.cache.get(id);
    if (!site) {
      const row = this.findRow(id);
      if (!row) return undefined;
      site = this.toPublic(row);
      this.cache.set(id, site);
    }
    return site;
  }

  private readonly cache = new Map<string, Site>();

  async create(input: SiteCreate): Promise<Site> {
    this.checkNameFree(input.name);
    await checkHost(input.host, this.hostPolicy);
    const id = crypto.randomUUID();
    const now = new Date().toISOString();
    const port = input.port ?? (input.tls === 'implicit' ? 990 : DEFAULTS.port);
    const user = input.user ?? DEFAULTS.user;
    this.db
      .prepare(
        `INSERT INTO sites (id, name, host, port, "user", password_enc, tls, fingerprint256, max_connections, passive,
           relay_allowed, allow_clear_data, pasv_address, pret, egress, created_at, updated_at)
         VALUES (@id, @name, @host, @port, @user, @password_enc, @tls, @fingerprint256, @max_connections, @passive,
           @relay_allowed, @allow_clear_data, @pasv_address, @pret, @egress, @now, @now)`,
      )
      .run({
        id,
        name: input.name,
        host: input.host,
        port,
        user,
        password_enc: input.password
          ? this.secrets.seal(input.password, sealContext({ id, host: input.host, port, user }))
          : null,
        tls: input.tls ?? DEFAULTS.tls,
        fingerprint256: input.fingerprint256 ?? DEFAULTS.fingerprint256,
        max_connections: input.maxConnections ?? DEFAULTS.maxConnections,
        passive: input.passive ?? DEFAULTS.passive,
        relay_allowed: Number(input.relayAllowed ?? DEFAULTS.relayAllowed),
        allow_clear_data: Number(input.allowClearData ?? DEFAULTS.allowClearData),
        pasv_address: input.pasvAddress ?? DEFAULTS.pasvAddress,
        pret: input.pret ?? DEFAULTS.pret,
        egress: checkedEgress(input.egress) ?? DEFAULTS.egress,
        now,
      });
    return this.publish(id);
  }

  /**
   * An empty password removes the stored one; an absent one keeps it, unless the patch moves
   * the site to another endpoint: the password was given for the old one.
   */
  async update(id: string, patch: SitePatch): Promise<Site> {
    const current = this.row(id);
    if (patch.name !== undefined) this.checkNameFree(patch.name, id);
    if (patch.host !== undefined) await checkHost(patch.host, this.hostPolicy);
    const columns = definedOnly<Partial<SiteRow>>({
      name: patch.name,
      host: patch.host,
      port: patch.port,
      user: patch.user,
      tls: patch.tls,
      fingerprint256: patch.fingerprint256,
      max_connections: patch.maxConnections,
      passive: patch.passive,
      relay_allowed: patch.relayAllowed === undefined ? undefined : Number(patch.relayAllowed),
      allow_clear_data: patch.allowClearData === undefined ? undefined : Number(patch.allowClearData),
      pasv_address: patch.pasvAddress,
      pret: patch.pret,
      egress: checkedEgress(patch.egress),
    });
    const next = { ...current, ...columns };
    const moved = ENDPOINT_COLUMNS.some((column) => next[column] !== current[column]);
    if (patch.password) columns.password_enc = this.secrets.seal(patch.password, sealContext(next));
    else if (patch.password === '' || moved) columns.password_enc = null;
    const set = Object.entries(columns);
    // "user" is a reserved word in PostgreSQL: every column quoted.
    const assignments = [...set.map(([column]) => `"${column}" = @${column}`), 'updated_at = @updated_at'].join(', ');
    this.db
      .prepare(`UPDATE sites SET ${assignments} WHERE id = @id`)
      .run({ ...Object.fromEntries(set), updated_at: new Date().toISOString(), id: current.id });
    return this.publish(id);
  }

  remove(id: string): void {
    const site = toSite(this.row(id));
    this.db.prepare('DELETE FROM sites WHERE id = ?').run(id);
    this.cache.delete(id);
    this.demoLogins.delete(id);
    // Before the announcement, so that what depends on the site (mirror jobs) is already
    // updated when a client hears of it, and the DELETE answers only once it is.
    for (const listener of this.removalListeners) listener(site);
    this.events.publish({ type: 'site.removed', id });
  }

  /** Called with each site removed, right after it is gone from the store. */
  onRemoved(listener: (site: Site) => void): void {
    this.removalListeners.push(listener);
  }

  private readonly removalListeners: ((site: Site) => void)[] = [];

  /** How the FTP layer reaches this site, password included. For the pool only. */
  connectionOptions(id: string): SessionOptions {
    const row = this.row(id);
    return {
      host: row.host,
      port: row.port,
      user: row.user,
      password: this.storedPassword(row) ?? defaultPassword(row.user),
      tls: row.tls,
      fingerprint256: row.fingerprint256 ?? undefined,
      pasvAddress: row.pasv_address,
      pret: row.pret,
      addressGuard: this.addressGuard,
      label: row.name,
    };
  }

  /** Log in once with a fresh session and read FEAT ("Test connection"). */
  async test(id: string): Promise<SiteTestResult> {
    return tryLogin(this.connectionOptions(id));
  }

  /**
   * The form's values, before they are saved: nothing is stored. With a site id, what the body
   * leaves out comes from that site, and its stored password is used when the body has none and
   * the endpoint is the one the password was given for (as an update would keep it).
   */
  async testValues(body: SiteTestBody): Promise<SiteTestResult> {
    const base = body.siteId === undefined ? undefined : this.row(body.siteId);
    const tls = body.tls ?? base?.tls ?? DEFAULTS.tls;
    const endpoint = {
      host: body.host ?? base?.host,
      port: body.port ?? base?.port ?? (tls === 'implicit' ? 990 : DEFAULTS.port),
      user: body.user ?? base?.user ?? DEFAULTS.user,
      tls,
      fingerprint256: body.fingerprint256 === undefined ? (base?.fingerprint256 ?? null) : body.fingerprint256,
    };
    if (!endpoint.host) throw new InvalidFieldError('host', 'a host is needed to test');
    const samePlace = base !== undefined && ENDPOINT_COLUMNS.every((column) => endpoint[column] === base[column]);
    const password = body.password || (samePlace && this.storedPassword(base)) || defaultPassword(endpoint.user);
    // No checkHost here: an unresolvable name must answer dns_failed, and the address guard
    // still judges the address the connection really reaches.
    return tryLogin({
      host: endpoint.host,
      port: endpoint.port,
      user: endpoint.user,
      password,
      tls,
      fingerprint256: endpoint.fingerprint256 ?? undefined,
      pasvAddress: body.pasvAddress ?? base?.pasv_address ?? DEFAULTS.pasvAddress,
      pret: body.pret ?? base?.pret ?? DEFAULTS.pret,
      addressGuard: this.addressGuard,
      label: body.name ?? base?.name ?? endpoint.host,
    });
  }

  /** A copy of everything but the name ("<name> copy", then "<name> copy 2" …), password included. */
  async clone(id: string): Promise<Site> {
    const source = this.row(id);
    let name = `${source.name} copy`.slice(0, 100);
    for (let n = 2; this.nameTaken(name); n++) name = `${source.name} copy ${n}`.slice(0, 100);
    const password = this.storedPassword(source);
    return this.create({
      name,
      host: source.host,
      port: source.port,
      user: source.user,
      ...(password === undefined ? {} : { password }),
      tls: source.tls,
      fingerprint256: source.fingerprint256,
      maxConnections: source.max_connections,
      passive: source.passive,
      relayAllowed: source.relay_allowed === 1,
      allowClearData: source.allow_clear_data === 1,
      pasvAddress: source.pasv_address,
      pret: source.pret,
      egress: source.egress,
    });
  }

  private nameTaken(name: string, exceptId?: string): boolean {
    const row = this.db.prepare('SELECT id FROM sites WHERE lower(name) = lower(?)').get(name) as
      { id: string } | undefined;
    return row !== undefined && row.id !== exceptId;
  }

  /** Names pick a site in panes, jobs and imports: two that differ only in case would be told apart by no one. */
  private checkNameFree(name: string, exceptId?: string): void {
    if (this.nameTaken(name, exceptId))
      throw new DuplicateNameError(`a site named "${name}" already exists — choose another name`);
  }

  /** The site's own password, opened; undefined when none is stored. */
  private storedPassword(row: SiteRow): string | undefined {
    return row.password_enc ? this.secrets.open(row.password_enc, sealContext(row)) : undefined;
  }

  /**
   * Passwords sealed before the seal named host, port and user (additional data = the id
   * alone) are opened that way once and sealed again bound to their endpoint, in one
   * transaction. One that will not open (another master key) is left as it was, and so is
   * the mark, so that the next start tries again.
   */
  private resealLegacyPasswords(): void {
    const rows = this.db.prepare('SELECT * FROM sites WHERE password_enc IS NOT NULL').all() as SiteRow[];
    const update = this.db.prepare('UPDATE sites SET password_enc = ? WHERE id = ?');
    this.db.transaction(() => {
      let unreadable = 0;
      for (const row of rows) {
        let password: string;
        try {
          password = this.secrets.open(row.password_enc!, row.id);
        } catch {
          unreadable++;
          continue;
        }
        update.run(this.secrets.seal(password, sealContext(row)), row.id);
      }
      if (unreadable === 0) this.db.prepare('DELETE FROM meta WHERE key = ?').run(RESEAL_PASSWORDS);
    })();
  }

  private row(id: string): SiteRow {
    const row = this.findRow(id);
    if (!row) throw new NotFoundError(`no site with id ${id}`);
    return row;
  }

  private findRow(id: string): SiteRow | undefined {
    return this.db.prepare('SELECT * FROM sites WHERE id = ?').get(id) as SiteRow | undefined;
  }

  private publish(id: string): Site {
    this.cache.delete(id);
    const site = this.get(id);
    this.events.publish({ type: 'site.updated', site });
    return site;
  }
}

/**
 * The schema checks API bodies; this also covers what comes in another way (an imported file),
 * since the tag names the job queue the site's transfers are dispatched to.
 */
/** What a site without a stored password logs in with. */
function defaultPassword(user: string): string {
  return user === 'anonymous' ? 'anonymous@' : '';
}

function checkedEgress(egress: string | null | undefined): string | null | undefined {
  if (typeof egress === 'string' && !EGRESS_TAG.test(egress))
    throw new InvalidFieldError('egress', `"${egress}" is not an egress tag (${EGRESS_TAG_RULE})`);
  return egress;
}

function definedOnly<T extends object>(values: T): Partial<T> {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)) as Partial<T>;
}
