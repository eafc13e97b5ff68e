/** Moving in: sites from FileZilla, lftp or another pasv (POST /api/sites/import), and pasv's own export. */
import { Type, type Static } from 'typebox';

export const ImportFormat = Type.Union([Type.Literal('filezilla'), Type.Literal('lftp'), Type.Literal('pasv')]);
export type ImportFormat = Static<typeof ImportFormat>;

const Name = Type.String({ minLength: 1, maxLength: 100, pattern: '^[^\\r\\n\\u0000]*$' });

export const SiteImportBody = Type.Object(
  {
    format: ImportFormat,
    /** The file as text: sitemanager.xml, the bookmarks file, or a pasv export. */
    text: Type.String({ minLength: 1, maxLength: 2_000_000 }),
    /** Opens the passwords of a pasv export that has them. */
    passphrase: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })),
    /** Only read the file: the preview. */
    dryRun: Type.Optional(Type.Boolean()),
    /** Which preview rows to create, under which name; absent: every importable row without a clash. */
    take: Type.Optional(
      Type.Array(Type.Object({ index: Type.Integer({ minimum: 0 }), name: Name }, { additionalProperties: false }), {
        maxItems: 5000,
      }),
    ),
  },
  { additionalProperties: false },
);
export type SiteImportBody = Static<typeof SiteImportBody>;

/** A preview row: never a password, only whether the file has one for it. */
export const ImportCandidateView = Type.Object({
  index: Type.Integer(),
  name: Type.String(),
  host: Type.String(),
  port: Type.Integer(),
  user: Type.String(),
  tls: Type.Union([Type.Literal('none'), Type.Literal('explicit'), Type.Literal('implicit')]),
  hasPassword: Type.Boolean(),
  /** A saved site (or an earlier row) already has this name, without regard to case. */
  duplicate: Type.Boolean(),
  /** Why it cannot be imported (SFTP, a bad host). */
  unsupported: Type.Optional(Type.String()),
});
export type ImportCandidateView = Static<typeof ImportCandidateView>;

export const SiteImportResult = Type.Object({
  candidates: Type.Array(ImportCandidateView),
  created: Type.Array(Type.Object({ index: Type.Integer(), id: Type.String(), name: Type.String() })),
  failed: Type.Array(
    Type.Object({
      index: Type.Integer(),
      name: Type.String(),
      error: Type.Object({ code: Type.String(), message: Type.String() }),
    }),
  ),
});
export type SiteImportResult = Static<typeof SiteImportResult>;

export const SiteExportBody = Type.Object(
  {
    withPasswords: Type.Boolean(),
    /** Required with passwords: they are sealed with it (AES-256-GCM, scrypt key). */
    passphrase: Type.Optional(Type.String({ minLength: 8, maxLength: 1024 })),
  },
  { additionalProperties: false },
);
export type SiteExportBody = Static<typeof SiteExportBody>;

/** The sealed passwords of an export: AES-256-GCM over JSON {"<site index>": "<password>"}. */
export const SealedPasswords = Type.Object({
  cipher: Type.Literal('aes-256-gcm'),
  kdf: Type.Literal('scrypt'),
  N: Type.Integer(),
  r: Type.Integer(),
  p: Type.Integer(),
  salt: Type.String(),
  iv: Type.String(),
  tag: Type.String(),
  data: Type.String(),
});
export type SealedPasswords = Static<typeof SealedPasswords>;

export const ExportedSite = Type.Object({
  name: Type.String(),
  host: Type.String(),
  port: Type.Integer(),
  user: Type.String(),
  tls: Type.Union([Type.Literal('none'), Type.Literal('explicit'), Type.Literal('implicit')]),
  fingerprint256: Type.Union([Type.String(), Type.Null()]),
  maxConnections: Type.Integer(),
  passive: Type.Union([Type.Literal('auto'), Type.Literal('passive'), Type.Literal('active')]),
  relayAllowed: Type.Boolean(),
  allowClearData: Type.Boolean(),
  pasvAddress: Type.Union([Type.Literal('control'), Type.Literal('reply')]),
  pret: Type.Union([Type.Literal('auto'), Type.Literal('always'), Type.Literal('never')]),
  /**
   * Absent in files from before egress tags. Any text here: a tag the site schema refuses
   * marks that one row as not importable instead of refusing the file.
   */
  egress: Type.Optional(Type.Union([Type.String(), Type.Null()])),
});

/** pasv's own export, version 1 (docs/site-export.md). */
export const SiteExport = Type.Object({
  format: Type.Literal('pasv-sites'),
  version: Type.Literal(1),
  exportedAt: Type.String(),
  sites: Type.Array(ExportedSite),
  passwords: Type.Optional(SealedPasswords),
});
export type SiteExport = Static<typeof SiteExport>;
