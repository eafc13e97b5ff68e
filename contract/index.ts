/**
 * What the server and the web app agree on: REST bodies and WebSocket messages, as TypeBox
 * schemas (validated by Fastify, published as OpenAPI) and the static types derived from them.
 * ../shared/design/api.md fixes the required part; the rest is what the dashboard needs.
 */
import { Type, type Static, type TSchema } from 'typebox';

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
/** A string that must not carry CR, LF or NUL: it may end up in an FTP command. */
const SafeText = (options: { minLength?: number; maxLength?: number } = {}) =>
  Type.String({ pattern: '^[^\\r\\n\\u0000]*$', maxLength: 4096, ...options });
const RemotePath = SafeText({ minLength: 1 });

export const ErrorBody = Type.Object({
  error: Type.Object({ code: Type.String(), message: Type.String() }),
});
export type ErrorBody = Static<typeof ErrorBody>;

// ---- auth -------------------------------------------------------------------------------

export const LoginBody = Type.Object({ password: Type.String({ minLength: 1, maxLength: 1024 }) }, { additionalProperties: false });
export type LoginBody = Static<typeof LoginBody>;

// ---- sites ------------------------------------------------------------------------------

export const TlsMode = Type.Union([Type.Literal('none'), Type.Literal('explicit'), Type.Literal('implicit')]);
export type TlsMode = Static<typeof TlsMode>;
/** Which role this site prefers in FXP: listen (PASV), connect (PORT), or whatever works. */
export const PassivePreference = Type.Union([Type.Literal('auto'), Type.Literal('passive'), Type.Literal('active')]);
export type PassivePreference = Static<typeof PassivePreference>;
export const PasvAddress = Type.Union([Type.Literal('control'), Type.Literal('reply')]);

const siteFields = {
  name: SafeText({ minLength: 1, maxLength: 100 }),
  host: Type.String({ minLength: 1, maxLength: 255, pattern: '^[A-Za-z0-9.:_\\[\\]-]+$' }),
  port: Type.Integer({ minimum: 1, maximum: 65535 }),
  user: SafeText({ maxLength: 255 }),
  tls: TlsMode,
  /** Pinned SHA-256 fingerprint of a self-signed certificate ("AB:CD:…"). */
  fingerprint256: Nullable(Type.String({ pattern: '^([0-9A-Fa-f]{2}:?){32}$' })),
  maxConnections: Type.Integer({ minimum: 1, maximum: 32 }),
  passive: PassivePreference,
  relayAllowed: Type.Boolean(),
  /** With TLS on both sites and no SSCN, may FXP fall back to clear data (PROT C)? */
  allowClearData: Type.Boolean(),
  pasvAddress: PasvAddress,
};

export const Site = Type.Object({
  id: Type.String(),
  ...siteFields,
  hasPassword: Type.Boolean(),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});
export type Site = Static<typeof Site>;

export const SiteCreate = Type.Object(
  {
    name: siteFields.name,
    host: siteFields.host,
    port: Type.Optional(siteFields.port),
    user: Type.Optional(siteFields.user),
    password: Type.Optional(SafeText({ maxLength: 1024 })),
    tls: Type.Optional(siteFields.tls),
    fingerprint256: Type.Optional(siteFields.fingerprint256),
    maxConnections: Type.Optional(siteFields.maxConnections),
    passive: Type.Optional(siteFields.passive),
    relayAllowed: Type.Optional(siteFields.relayAllowed),
    allowClearData: Type.Optional(siteFields.allowClearData),
    pasvAddress: Type.Optional(siteFields.pasvAddress),
  },
  { additionalProperties: false },
);
export type SiteCreate = Static<typeof SiteCreate>;
export const SitePatch = Type.Partial(SiteCreate, { additionalProperties: false });
export type SitePatch = Static<typeof SitePatch>;

export const SiteTestResult = Type.Object({
  ok: Type.Boolean(),
  features: Type.Array(Type.String()),
  greeting: Type.Optional(Type.String()),
  loginMs: Type.Optional(Type.Number()),
  error: Type.Optional(Type.Object({ code: Type.String(), message: Type.String() })),
});
export type SiteTestResult = Static<typeof SiteTestResult>;

// ---- browsing ---------------------------------------------------------------------------

export const EntryType = Type.Union([Type.Literal('file'), Type.Literal('dir'), Type.Literal('link')]);
export const Entry = Type.Object({
  name: Type.String(),
  type: EntryType,
  size: Type.Number(),
  modifiedAt: Nullable(Type.String()),
});
export type Entry = Static<typeof Entry>;
export const Listing = Type.Object({
  path: Type.String(),
  entries: Type.Array(Entry),
  /** Lines dropped: malformed, or with an unsafe name. */
  rejected: Type.Integer(),
  /** The unsafe names among them (`\`, controls, bidi overrides), JSON-escaped so they show as text. */
  unsafeNames: Type.Array(Type.String()),
});
export type Listing = Static<typeof Listing>;

export const PathQuery = Type.Object({ path: Type.Optional(RemotePath) });
export const PathBody = Type.Object({ path: RemotePath }, { additionalProperties: false });
export type PathBody = Static<typeof PathBody>;
export const RenameBody = Type.Object({ from: RemotePath, to: RemotePath }, { additionalProperties: false });
export type RenameBody = Static<typeof RenameBody>;

// ---- transfers --------------------------------------------------------------------------

export const TransferMode = Type.Union([Type.Literal('auto'), Type.Literal('fxp'), Type.Literal('relay')]);
export type TransferMode = Static<typeof TransferMode>;
export const IfExists = Type.Union([Type.Literal('overwrite'), Type.Literal('skip'), Type.Literal('resume')]);
export type IfExists = Static<typeof IfExists>;
export const TransferState = Type.Union([
  Type.Literal('queued'),
  Type.Literal('running'),
  Type.Literal('done'),
  Type.Literal('failed'),
  Type.Literal('cancelled'),
]);
export type TransferState = Static<typeof TransferState>;

export const TransferCreate = Type.Object(
  {
    source: Type.Object({ siteId: Type.String({ minLength: 1 }), path: RemotePath }, { additionalProperties: false }),
    destination: Type.Object({ siteId: Type.String({ minLength: 1 }), dir: RemotePath }, { additionalProperties: false }),
    mode: Type.Optional(TransferMode),
    ifExists: Type.Optional(IfExists),
  },
  { additionalProperties: false },
);
export type TransferCreate = Static<typeof TransferCreate>;

export const TransferError = Type.Object({ code: Type.String(), message: Type.String() });

export const Transfer = Type.Object({
  id: Type.String(),
  /**
   * Grows with every change the server stores (state, files, notes, order), never back, across
   * restarts too: a view with a lower version is older. Progress alone does not change it.
   */
  version: Type.Integer({ minimum: 0 }),
  state: TransferState,
  /** The mode actually used (null until a file has started). */
  mode: Nullable(Type.Union([Type.Literal('fxp'), Type.Literal('relay')])),
  requestedMode: TransferMode,
  ifExists: IfExists,
  kind: Type.Union([Type.Literal('file'), Type.Literal('dir')]),
  name: Type.String(),
  source: Type.Object({ siteId: Type.String(), path: Type.String() }),
  destination: Type.Object({ siteId: Type.String(), dir: Type.String() }),
  bytesDone: Type.Number(),
  bytesTotal: Type.Number(),
  /** Smoothed speed over the last seconds, bytes per second. */
  bytesPerSecond: Type.Number(),
  filesDone: Type.Integer(),
  filesFailed: Type.Integer(),
  filesTotal: Type.Integer(),
  /** Queue order: lower runs first. */
  position: Type.Number(),
  attempts: Type.Integer(),
  nextRetryAt: Type.Optional(Type.String()),
  /** What pasv did about refusals ("flipped passive side", "fell back to relay"). */
  notes: Type.Array(Type.String()),
  error: Type.Optional(TransferError),
  createdAt: Type.String(),
  startedAt: Type.Optional(Type.String()),
  finishedAt: Type.Optional(Type.String()),
});
export type Transfer = Static<typeof Transfer>;

export const TransferFile = Type.Object({
  id: Type.String(),
  path: Type.String(),
  state: TransferState,
  mode: Nullable(Type.Union([Type.Literal('fxp'), Type.Literal('relay')])),
  size: Type.Number(),
  bytesDone: Type.Number(),
  verified: Nullable(Type.String()),
  error: Type.Optional(TransferError),
});
export type TransferFile = Static<typeof TransferFile>;

export const QueueState = Type.Object({
  paused: Type.Boolean(),
  running: Type.Integer(),
  waiting: Type.Integer(),
});
export type QueueState = Static<typeof QueueState>;

// ---- live sessions ----------------------------------------------------------------------

export const SessionState = Type.Union([
  Type.Literal('connecting'),
  Type.Literal('idle'),
  Type.Literal('busy'),
  Type.Literal('transferring'),
  Type.Literal('reconnecting'),
  Type.Literal('closed'),
]);
export type SessionState = Static<typeof SessionState>;
export const LiveSession = Type.Object({
  id: Type.String(),
  siteId: Type.String(),
  state: SessionState,
  command: Type.Optional(Type.String()),
  since: Type.String(),
});
export type LiveSession = Static<typeof LiveSession>;

export const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });

// ---- WebSocket --------------------------------------------------------------------------

export interface LogLine {
  sessionId: string;
  siteId: string;
  direction: 'sent' | 'received';
  line: string;
  at: string;
}

/** A change the server announces; the hub numbers them per connection. */
export type LiveEvent =
  | { type: 'transfer.updated'; transfer: Transfer }
  | { type: 'transfer.removed'; id: string }
  | { type: 'session.updated'; session: LiveSession }
  | { type: 'session.removed'; id: string }
  | { type: 'site.updated'; site: Site }
  | { type: 'site.removed'; id: string }
  | { type: 'queue.updated'; queue: QueueState }
  | ({ type: 'log' } & LogLine);

export interface Snapshot {
  type: 'snapshot';
  sites: Site[];
  sessions: LiveSession[];
  transfers: Transfer[];
  queue: QueueState;
}

/** Server → client. Every message carries seq, increasing by one per connection. */
export type ServerMessage = { seq: number } & (Snapshot | LiveEvent);
export type ServerMessageType = ServerMessage['type'];

export const ClientMessage = Type.Union([
  Type.Object({ type: Type.Literal('resync') }, { additionalProperties: false }),
  Type.Object({ type: Type.Literal('ping') }, { additionalProperties: false }),
]);
export type ClientMessage = Static<typeof ClientMessage>;

export function assertNever(value: never): never {
  throw new Error(`unexpected value: ${JSON.stringify(value)}`);
}
