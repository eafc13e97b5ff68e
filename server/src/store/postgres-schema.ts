/**
 * The PostgreSQL schema as SQLite's migrations 1–15 left it (migrations.ts), in PostgreSQL's terms:
 * 64-bit integers where SQLite's INTEGER holds sizes, "user" quoted, the counting triggers in
 * PL/pgSQL, and mirror_runs' rowid (SQLite's insertion order, which its queries tie-break on)
 * as a column. Migrations after 15 are written once for both engines (migrations.ts).
 */
export const POSTGRES_BASELINE_VERSION = 15;

export const POSTGRES_BASELINE = `
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE sites (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  host TEXT NOT NULL,
  port BIGINT NOT NULL,
  "user" TEXT NOT NULL,
  password_enc TEXT,
  tls TEXT NOT NULL,
  fingerprint256 TEXT,
  max_connections BIGINT NOT NULL,
  passive TEXT NOT NULL,
  relay_allowed BIGINT NOT NULL,
  allow_clear_data BIGINT NOT NULL,
  pasv_address TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  pret TEXT NOT NULL DEFAULT 'auto'
);
CREATE TABLE transfers (
  id TEXT PRIMARY KEY,
  state TEXT NOT NULL,
  kind TEXT NOT NULL,
  name TEXT NOT NULL,
  source_site TEXT NOT NULL,
  source_path TEXT NOT NULL,
  dest_site TEXT NOT NULL,
  dest_dir TEXT NOT NULL,
  requested_mode TEXT NOT NULL,
  if_exists TEXT NOT NULL,
  mode TEXT,
  position DOUBLE PRECISION NOT NULL,
  attempts BIGINT NOT NULL DEFAULT 0,
  expanded BIGINT NOT NULL DEFAULT 0,
  notes TEXT NOT NULL DEFAULT '[]',
  error_code TEXT,
  error_message TEXT,
  next_retry_at TEXT,
  created_at TEXT NOT NULL,
  started_at TEXT,
  finished_at TEXT,
  version BIGINT NOT NULL DEFAULT 0,
  planned BIGINT NOT NULL DEFAULT 0,
  cleared BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX transfers_state ON transfers(state, position);
CREATE INDEX transfers_history ON transfers(finished_at DESC, id DESC) WHERE finished_at IS NOT NULL;
CREATE TABLE transfer_files (
  id TEXT PRIMARY KEY,
  transfer_id TEXT NOT NULL REFERENCES transfers(id) ON DELETE CASCADE,
  seq BIGINT NOT NULL,
  source_path TEXT NOT NULL,
  dest_path TEXT NOT NULL,
  size BIGINT NOT NULL,
  bytes_done BIGINT NOT NULL DEFAULT 0,
  state TEXT NOT NULL,
  mode TEXT,
  attempts BIGINT NOT NULL DEFAULT 0,
  started BIGINT NOT NULL DEFAULT 0,
  verified TEXT,
  error_code TEXT,
  error_message TEXT,
  next_retry_at TEXT,
  source_mtime TEXT,
  source_mtime_exact BIGINT NOT NULL DEFAULT 1,
  mtime_set BIGINT,
  UNIQUE (transfer_id, source_path)
);
CREATE INDEX transfer_files_state ON transfer_files(state, transfer_id, seq);
CREATE INDEX transfer_files_retry ON transfer_files(next_retry_at) WHERE state = 'queued' AND next_retry_at IS NOT NULL;
CREATE INDEX transfer_files_seq ON transfer_files(transfer_id, seq);
CREATE TABLE revoked_sessions (id TEXT PRIMARY KEY, expires_at BIGINT NOT NULL);
CREATE TABLE mirror_jobs (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  source_site TEXT NOT NULL,
  source_dir TEXT NOT NULL,
  dest_site TEXT NOT NULL,
  dest_dir TEXT NOT NULL,
  rules TEXT NOT NULL,
  schedule TEXT,
  webhook_url TEXT,
  webhook_secret_enc TEXT,
  enabled BIGINT NOT NULL,
  disabled_reason TEXT,
  next_run_at TEXT,
  dest_keeps_times BIGINT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE TABLE mirror_runs (
  rowid BIGSERIAL,
  id TEXT PRIMARY KEY,
  job_id TEXT NOT NULL REFERENCES mirror_jobs(id) ON DELETE CASCADE,
  state TEXT NOT NULL,
  dry_run BIGINT NOT NULL,
  trigger TEXT NOT NULL,
  slot TEXT,
  counts TEXT NOT NULL,
  bytes TEXT NOT NULL,
  deleted BIGINT NOT NULL DEFAULT 0,
  transfer_id TEXT,
  notes TEXT NOT NULL DEFAULT '[]',
  error_code TEXT,
  error_message TEXT,
  started_at TEXT NOT NULL,
  finished_at TEXT,
  paths TEXT,
  planned_bytes BIGINT,
  UNIQUE (job_id, slot)
);
CREATE INDEX mirror_runs_job ON mirror_runs(job_id, started_at);
CREATE TABLE mirror_entries (
  run_id TEXT NOT NULL REFERENCES mirror_runs(id) ON DELETE CASCADE,
  seq BIGINT NOT NULL,
  path TEXT NOT NULL,
  type TEXT NOT NULL,
  verdict TEXT NOT NULL,
  reason TEXT,
  source TEXT,
  destination TEXT,
  PRIMARY KEY (run_id, seq)
);
CREATE INDEX mirror_entries_verdict ON mirror_entries(run_id, verdict, seq);
CREATE TABLE transfer_counts (
  transfer_id TEXT PRIMARY KEY REFERENCES transfers(id) ON DELETE CASCADE,
  total BIGINT NOT NULL DEFAULT 0,
  done BIGINT NOT NULL DEFAULT 0,
  failed BIGINT NOT NULL DEFAULT 0,
  cancelled BIGINT NOT NULL DEFAULT 0,
  queued BIGINT NOT NULL DEFAULT 0,
  running BIGINT NOT NULL DEFAULT 0,
  bytes_total BIGINT NOT NULL DEFAULT 0,
  bytes_done BIGINT NOT NULL DEFAULT 0,
  skipped BIGINT NOT NULL DEFAULT 0
);
CREATE FUNCTION transfer_files_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE transfers SET version = version + 1 WHERE id = NEW.transfer_id;
  RETURN NULL;
END $$;
CREATE TRIGGER transfer_files_version AFTER UPDATE ON transfer_files
  FOR EACH ROW EXECUTE FUNCTION transfer_files_version();
CREATE FUNCTION transfer_counts_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE transfer_counts SET
    done = done + (NEW.state = 'done')::int - (OLD.state = 'done')::int,
    failed = failed + (NEW.state = 'failed')::int - (OLD.state = 'failed')::int,
    cancelled = cancelled + (NEW.state = 'cancelled')::int - (OLD.state = 'cancelled')::int,
    skipped = skipped + (NEW.state = 'skipped')::int - (OLD.state = 'skipped')::int,
    queued = queued + (NEW.state = 'queued')::int - (OLD.state = 'queued')::int,
    running = running + (NEW.state = 'running')::int - (OLD.state = 'running')::int,
    bytes_total = bytes_total + NEW.size - OLD.size,
    bytes_done = bytes_done + NEW.bytes_done - OLD.bytes_done
  WHERE transfer_id = NEW.transfer_id;
  RETURN NULL;
END $$;
CREATE TRIGGER transfer_counts_update AFTER UPDATE OF state, size, bytes_done ON transfer_files
  FOR EACH ROW EXECUTE FUNCTION transfer_counts_update();
CREATE FUNCTION transfer_counts_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE transfer_counts SET
    total = total - 1,
    done = done - (OLD.state = 'done')::int,
    failed = failed - (OLD.state = 'failed')::int,
    cancelled = cancelled - (OLD.state = 'cancelled')::int,
    skipped = skipped - (OLD.state = 'skipped')::int,
    queued = queued - (OLD.state = 'queued')::int,
    running = running - (OLD.state = 'running')::int,
    bytes_total = bytes_total - OLD.size,
    bytes_done = bytes_done - OLD.bytes_done
  WHERE transfer_id = OLD.transfer_id;
  RETURN NULL;
END $$;
CREATE TRIGGER transfer_counts_delete AFTER DELETE ON transfer_files
  FOR EACH ROW EXECUTE FUNCTION transfer_counts_delete();
CREATE TABLE routes (
  source_site TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
  dest_site TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
  route TEXT,
  worked_at TEXT,
  failures TEXT NOT NULL DEFAULT '[]',
  PRIMARY KEY (source_site, dest_site)
);
CREATE INDEX routes_dest ON routes(dest_site);
CREATE TABLE site_bookmarks (
  site_id TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
  path TEXT NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (site_id, path)
);
CREATE TABLE transfer_trace (
  transfer_id TEXT NOT NULL REFERENCES transfers(id) ON DELETE CASCADE,
  seq BIGINT NOT NULL,
  at TEXT NOT NULL,
  kind TEXT NOT NULL,
  session_id TEXT,
  site_id TEXT,
  role TEXT,
  direction TEXT,
  line TEXT NOT NULL,
  path TEXT,
  PRIMARY KEY (transfer_id, seq)
);
CREATE TABLE transfer_trace_dropped (
  transfer_id TEXT PRIMARY KEY REFERENCES transfers(id) ON DELETE CASCADE,
  dropped BIGINT NOT NULL
);
`;
