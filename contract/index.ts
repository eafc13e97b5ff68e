/**
 * What the server and the web app agree on: REST bodies and WebSocket messages, as TypeBox
 * schemas (validated by Fastify, published as OpenAPI) and the static types derived from them.
 * ../shared/design/api.md fixes the required part; the rest is what the dashboard needs.
 */
import { Type, type Static, type TSchema } from 'typebox';
import type { TraceEntry, TraceRole } from './trace.js';

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

export const LoginBody = Type.Object(
  { password: Type.String({ minLength: 1, maxLength: 1024 }) },
  { additionalProperties: false },
);
export type LoginBody = Static<typeof LoginBody>;

// ---- sites ------------------------------------------------------------------------------

export const TlsMode = Type.Union([Type.Literal('none'), Type.Literal('explicit'), Type.Literal('implicit')]);
export type TlsMode = Static<typeof TlsMode>;
/** Which role this site prefers in FXP: listen (PASV), connect (PORT), or whatever works. */
export const PassivePreference = Type.Union([Type.Literal('auto'), Type.Literal('passive'), Type.Literal('active')]);
export type PassivePreference = Static<typeof PassivePreference>;
export const PasvAddress = Type.Union([Type.Literal('control'), Type.Literal('reply')]);
/** PRET before PASV/EPSV/CPSV: when the server lists it in FEAT or asks for it (auto), always, never. */
export const PretMode = Type.Union([Type.Literal('auto'), Type.Literal('always'), Type.Literal('never')]);
export type PretMode = Static<typeof PretMode>;
/**
 * What an egress tag may be: lower-case letters, digits and -, at most 32, as EGRESS_TAG in
 * server/src/config.ts (the tags workers announce). A tag names job queues, hence so narrow.
 */
export const EGRESS_TAG_PATTERN = '^[a-z0-9][a-z0-9-]{0,31}$';
/** The same rule in words, for the messages that refuse a tag. */
export const EGRESS_TAG_RULE = 'lower-case letters, digits and -, at most 32 and not starting with -, such as "eu-1"';

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
  pret: PretMode,
  egress: Type.Union([Type.String({ pattern: EGRESS_TAG_PATTERN, maxLength: 32 }), Type.Null()], {
    description:
      'The egress tag a node needs to connect to this site (cluster mode: only workers announcing it in ' +
      'PASV_EGRESS_TAGS run its transfers), such as "eu-1"; null: any node.',
  }),
};

export const Site = Type.Object({
  id: Type.String(),
  ...siteFields,
  /** Always sent (null: any node); optional for clients written before egress tags. */
  egress: Type.Optional(siteFields.egress),
  hasPassword: Type.Boolean(),
  /**
   * Only on the demo's own sample servers (`npm run demo`): their login, so they can be tried
   * with lftp or FlashFXP too. No other site's password ever leaves the server.
   */
  demo: Type.Optional(Type.Object({ user: Type.String(), password: Type.String() })),
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
    pret: Type.Optional(siteFields.pret),
    egress: Type.Optional(siteFields.egress),
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

// ---- route memory ---------------------------------------------------------------------

/** How a copy between two sites was made: server/src/ftp/route.ts's Route, as a schema. */
export const Route = Type.Union([
  Type.Object({
    mode: Type.Literal('fxp'),
    /** The server that listens (PASV/EPSV/CPSV). */
    passive: Type.Union([Type.Literal('source'), Type.Literal('destination')]),
    security: Type.Union([
      Type.Literal('none'),
      Type.Literal('sscn-destination'),
      Type.Literal('sscn-source'),
      Type.Literal('cpsv'),
      Type.Literal('clear'),
    ]),
    pret: Type.Boolean(),
    /** EPSV/EPRT rather than PASV/PORT. */
    extended: Type.Boolean(),
  }),
  Type.Object({ mode: Type.Literal('relay'), pret: Type.Boolean() }),
]);
export type Route = Static<typeof Route>;

export const RouteFailure = Type.Object({
  route: Route,
  /** The route in words ("FXP, destination passive, PRET"). */
  description: Type.String(),
  /** The server's own words. */
  reason: Type.String(),
  at: Type.String(),
});
export type RouteFailure = Static<typeof RouteFailure>;

/** What pasv remembers for one ordered pair of sites. */
export const RememberedRoute = Type.Object({
  sourceSiteId: Type.String(),
  destinationSiteId: Type.String(),
  sourceSiteName: Type.String(),
  destinationSiteName: Type.String(),
  /** What worked last; null when it failed since (demoted: the next copy walks the ladder). */
  route: Nullable(Route),
  description: Nullable(Type.String()),
  workedAt: Nullable(Type.String()),
  /** The last ten failures, newest first. */
  failures: Type.Array(RouteFailure),
});
export type RememberedRoute = Static<typeof RememberedRoute>;

export const RoutePairParams = Type.Object({
  sourceSiteId: Type.String({ minLength: 1, maxLength: 64 }),
  destinationSiteId: Type.String({ minLength: 1, maxLength: 64 }),
});
export type RoutePairParams = Static<typeof RoutePairParams>;

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
/** One console line; CR, LF, NUL and refused verbs are answered 400 `command_refused` by the server. */
export const CommandBody = Type.Object(
  { command: Type.String({ minLength: 1, maxLength: 512 }) },
  { additionalProperties: false },
);
export type CommandBody = Static<typeof CommandBody>;
/** The server's final reply to a console line; `lines` as sent when it spans more than one. */
export const CommandReply = Type.Object({
  code: Type.Integer(),
  text: Type.String(),
  lines: Type.Optional(Type.Array(Type.String())),
});
export type CommandReply = Static<typeof CommandReply>;

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
  /** Not copied because the destination had it (if-exists "skip", a dupe refusal). */
  Type.Literal('skipped'),
]);
export type TransferState = Static<typeof TransferState>;

export const TransferCreate = Type.Object(
  {
    source: Type.Object({ siteId: Type.String({ minLength: 1 }), path: RemotePath }, { additionalProperties: false }),
    destination: Type.Object(
      { siteId: Type.String({ minLength: 1 }), dir: RemotePath },
      { additionalProperties: false },
    ),
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
  /** paused: unfinished, but its destination stopped the queue (out of space) until Resume. */
  state: Type.Union([TransferState, Type.Literal('paused')]),
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
  filesSkipped: Type.Integer(),
  filesTotal: Type.Integer(),
  /**
   * How its copied files were checked once finished: "SHA-256", "size", or a mix such as
   * "SHA-256 3 · size 1"; null while unfinished or when nothing was copied.
   */
  verified: Nullable(Type.String()),
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

/** A page of a transfer's files in queue (seq) order; pass `nextCursor` back as `cursor` for the next. */
export const TransferFilesQuery = Type.Object({
  cursor: Type.Optional(Type.String({ pattern: '^[0-9]+$', maxLength: 20 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
});
export type TransferFilesQuery = Static<typeof TransferFilesQuery>;
export const TransferFilesPage = Type.Object({ files: Type.Array(TransferFile), nextCursor: Nullable(Type.String()) });
export type TransferFilesPage = Static<typeof TransferFilesPage>;

/** A page of GET /api/history (finished transfers, newest first); pass `nextCursor` back as `cursor`. */
export const HistoryPage = Type.Object({ transfers: Type.Array(Transfer), nextCursor: Nullable(Type.String()) });
export type HistoryPage = Static<typeof HistoryPage>;

export const QueueState = Type.Object({
  paused: Type.Boolean(),
  running: Type.Integer(),
  waiting: Type.Integer(),
});
export type QueueState = Static<typeof QueueState>;

/** POST /api/transfers/clear: failed transfers stay in the queue unless `failed` is true. */
export const ClearQuery = Type.Object({ failed: Type.Optional(Type.Boolean()) });
export type ClearQuery = Static<typeof ClearQuery>;

// ---- mirror jobs -------------------------------------------------------------------------

export const CompareBy = Type.Union([
  Type.Literal('size+time'),
  Type.Literal('size'),
  Type.Literal('time'),
  Type.Literal('hash'),
  Type.Literal('always'),
]);
export type CompareBy = Static<typeof CompareBy>;

/** Glob patterns (picomatch syntax) and whether they match case-sensitively. */
export const GlobList = Type.Object(
  {
    patterns: Type.Array(SafeText({ minLength: 1, maxLength: 512 }), { maxItems: 200 }),
    caseSensitive: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type GlobList = Static<typeof GlobList>;

/** Patterns on names ("*.tmp") and on paths relative to the job's dir ("**\/sample/**"), for files and folders apart. */
export const EntryFilters = Type.Object(
  {
    fileNames: Type.Optional(GlobList),
    filePaths: Type.Optional(GlobList),
    folderNames: Type.Optional(GlobList),
    folderPaths: Type.Optional(GlobList),
  },
  { additionalProperties: false },
);
export type EntryFilters = Static<typeof EntryFilters>;

const ruleFields = {
  compareBy: CompareBy,
  /** Never overwrite a destination file that is newer than the source's. */
  newerOnly: Type.Boolean(),
  deleteExtras: Type.Boolean(),
  /** A run that would delete more than this aborts before copying anything. */
  maxDeletes: Type.Integer({ minimum: 0, maximum: 1_000_000 }),
  /** Entries matching these are skipped… */
  skip: EntryFilters,
  /** …unless pass lists are set: then only entries matching them are taken (a pass match beats a skip match). */
  pass: EntryFilters,
  minSize: Nullable(Type.Integer({ minimum: 0 })),
  maxSize: Nullable(Type.Integer({ minimum: 0 })),
};
export const MirrorRules = Type.Object(ruleFields, { additionalProperties: false });
export type MirrorRules = Static<typeof MirrorRules>;
export const MirrorRulesInput = Type.Partial(MirrorRules, { additionalProperties: false });
export type MirrorRulesInput = Static<typeof MirrorRulesInput>;

/** A 5-field cron expression (server time), or every N minutes (fractions allowed: 0.5 = 30 s). */
export const MirrorSchedule = Type.Union([
  Type.Object({ cron: Type.String({ minLength: 1, maxLength: 200 }) }, { additionalProperties: false }),
  Type.Object(
    { everyMinutes: Type.Number({ exclusiveMinimum: 0, maximum: 527_040 }) },
    { additionalProperties: false },
  ),
]);
export type MirrorSchedule = Static<typeof MirrorSchedule>;

/** The webhook's secret is write-only: stored sealed, never returned. */
export const WebhookInput = Type.Object(
  {
    url: Type.String({ minLength: 1, maxLength: 2048 }),
    secret: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })),
  },
  { additionalProperties: false },
);
export type WebhookInput = Static<typeof WebhookInput>;

const Endpoint = Type.Object(
  { siteId: Type.String({ minLength: 1 }), dir: RemotePath },
  { additionalProperties: false },
);

export const JobCreate = Type.Object(
  {
    name: SafeText({ minLength: 1, maxLength: 100 }),
    source: Endpoint,
    destination: Endpoint,
    rules: Type.Optional(MirrorRulesInput),
    schedule: Type.Optional(Nullable(MirrorSchedule)),
    webhook: Type.Optional(Nullable(WebhookInput)),
    enabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type JobCreate = Static<typeof JobCreate>;
export const JobPatch = Type.Partial(JobCreate, { additionalProperties: false });
export type JobPatch = Static<typeof JobPatch>;

export const Verdict = Type.Union([
  Type.Literal('new'),
  Type.Literal('changed'),
  Type.Literal('same'),
  Type.Literal('extra'),
  Type.Literal('conflict'),
  Type.Literal('skipped'),
]);
export type Verdict = Static<typeof Verdict>;
const perVerdict = Type.Object({
  new: Type.Integer(),
  changed: Type.Integer(),
  same: Type.Integer(),
  extra: Type.Integer(),
  conflict: Type.Integer(),
  skipped: Type.Integer(),
});
export type VerdictCounts = Static<typeof perVerdict>;

export const RunState = Type.Union([
  Type.Literal('queued'),
  Type.Literal('comparing'),
  Type.Literal('syncing'),
  Type.Literal('done'),
  Type.Literal('failed'),
  Type.Literal('cancelled'),
]);
export type RunState = Static<typeof RunState>;

export const Run = Type.Object({
  id: Type.String(),
  jobId: Type.String(),
  /** The job's name when the run was read (for a toast without a second lookup). */
  jobName: Type.Optional(Type.String()),
  state: RunState,
  dryRun: Type.Boolean(),
  trigger: Type.Union([Type.Literal('manual'), Type.Literal('schedule')]),
  /** The schedule slot a scheduled run is for (ISO). */
  slot: Type.Optional(Type.String()),
  /** A "sync selected" run: the relative paths it was limited to. */
  paths: Type.Optional(Type.Array(Type.String())),
  counts: perVerdict,
  /** Bytes the plan copies (new + changed files). */
  bytes: Type.Number(),
  /** Bytes of the files behind each verdict (source size; the destination's for extras). */
  bytesByVerdict: perVerdict,
  /** Extras deleted at the destination. */
  deleted: Type.Integer(),
  transferId: Type.Optional(Type.String()),
  notes: Type.Array(Type.String()),
  error: Type.Optional(TransferError),
  startedAt: Type.String(),
  finishedAt: Type.Optional(Type.String()),
});
export type Run = Static<typeof Run>;

export const Job = Type.Object({
  id: Type.String(),
  name: Type.String(),
  source: Type.Object({ siteId: Type.String(), dir: Type.String() }),
  destination: Type.Object({ siteId: Type.String(), dir: Type.String() }),
  rules: MirrorRules,
  schedule: Nullable(MirrorSchedule),
  /** The schedule in words ("At 03:00 AM"). */
  schedulePreview: Nullable(Type.String()),
  webhook: Nullable(Type.Object({ url: Type.String(), hasSecret: Type.Boolean() })),
  enabled: Type.Boolean(),
  /** Why pasv disabled the job (a site it uses was removed). */
  disabledReason: Type.Optional(Type.String()),
  nextRunAt: Nullable(Type.String()),
  lastRun: Type.Optional(Run),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});
export type Job = Static<typeof Job>;

const EntrySide = Nullable(Type.Object({ size: Type.Number(), modifiedAt: Nullable(Type.String()) }));
export const RunEntry = Type.Object({
  path: Type.String(),
  type: Type.Union([Type.Literal('file'), Type.Literal('dir')]),
  verdict: Verdict,
  /** Why, in words ("size differs", "skip list: *.tmp", "destination is newer"). */
  reason: Type.Optional(Type.String()),
  source: EntrySide,
  destination: EntrySide,
});
export type RunEntry = Static<typeof RunEntry>;

export const RunEntriesQuery = Type.Object({
  verdict: Type.Optional(Verdict),
  cursor: Type.Optional(Type.String({ pattern: '^[0-9]+$', maxLength: 20 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
});
export type RunEntriesQuery = Static<typeof RunEntriesQuery>;
export const RunEntriesPage = Type.Object({ entries: Type.Array(RunEntry), nextCursor: Nullable(Type.String()) });
export type RunEntriesPage = Static<typeof RunEntriesPage>;

/** A path relative to the job's dir ("a/b.txt"), as entries name them. */
const RelativePath = Type.String({ minLength: 1, maxLength: 4096, pattern: '^(?!/)[^\\r\\n\\u0000]*$' });
export const RunRequest = Type.Object(
  {
    dryRun: Type.Optional(Type.Boolean()),
    /** Sync only these entries of the compare (a folder takes everything below it): "Sync selected". */
    paths: Type.Optional(Type.Array(RelativePath, { minItems: 1, maxItems: 10_000 })),
  },
  { additionalProperties: false },
);
export type RunRequest = Static<typeof RunRequest>;

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
  /** Set while the session works on a transfer's file: the line is in that transfer's trace as `traceSeq`. */
  transferId?: string;
  role?: TraceRole;
  traceSeq?: number;
  /** The transfer's file the session works on. */
  path?: string;
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
  | { type: 'job.updated'; job: Job }
  | { type: 'job.removed'; id: string }
  | { type: 'run.updated'; run: Run }
  | { type: 'route.updated'; route: RememberedRoute }
  | { type: 'route.forgotten'; sourceSiteId: string; destinationSiteId: string }
  | ({ type: 'log' } & LogLine)
  | { type: 'trace.event'; transferId: string; entry: TraceEntry };

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
export * from './history.js';
export * from './trace.js';
export * from './bookmarks.js';
export * from './site-form.js';
export * from './site-import.js';
