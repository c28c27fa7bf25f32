#include "store/migrations.hpp"

namespace cpshare {

const std::vector<Migration>& migrations() {
  static const std::vector<Migration> list = {
      {1, "accounts, sessions, activation, audit", R"SQL(
CREATE TABLE accounts (
  id INTEGER PRIMARY KEY,
  username TEXT NOT NULL UNIQUE,
  role TEXT NOT NULL,
  user_type TEXT,
  supplier_kind TEXT,
  status TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  email TEXT UNIQUE,
  phone_idx BLOB UNIQUE,
  phone_enc BLOB,
  real_name TEXT,
  id_number_idx BLOB,
  id_number_enc BLOB,
  region TEXT,
  organization TEXT,
  credit_code_idx BLOB,
  credit_code_enc BLOB,
  company_name TEXT,
  legal_rep_name TEXT,
  legal_rep_id_idx BLOB,
  legal_rep_id_enc BLOB,
  registered_capital_fen INTEGER,
  contact_name TEXT,
  address TEXT,
  affiliation TEXT,
  bank_name TEXT,
  bank_account_name TEXT,
  bank_account_idx BLOB,
  bank_account_enc BLOB,
  licence_filename TEXT,
  licence_type TEXT,
  licence_size INTEGER,
  licence_enc BLOB,
  mfa_secret_enc BLOB,
  mfa_enabled INTEGER NOT NULL DEFAULT 0,
  mfa_last_step INTEGER NOT NULL DEFAULT 0,
  mfa_pending_enc BLOB,
  review_note TEXT,
  terms_version TEXT,
  created_at INTEGER NOT NULL,
  activated_at INTEGER,
  reviewed_at INTEGER,
  deregistered_at INTEGER
);
CREATE INDEX accounts_status ON accounts(status);
CREATE INDEX accounts_id_number ON accounts(id_number_idx);
CREATE INDEX accounts_credit_code ON accounts(credit_code_idx);

CREATE TABLE activation_codes (
  account_id INTEGER PRIMARY KEY REFERENCES accounts(id),
  code_hash BLOB NOT NULL,
  code_expires_at INTEGER NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  link_hash BLOB NOT NULL UNIQUE,
  link_expires_at INTEGER NOT NULL,
  sent_at INTEGER NOT NULL
);

CREATE TABLE sessions (
  id TEXT PRIMARY KEY,
  token_hash BLOB NOT NULL UNIQUE,
  account_id INTEGER NOT NULL REFERENCES accounts(id),
  created_at INTEGER NOT NULL,
  last_seen_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  client TEXT NOT NULL DEFAULT '',
  ip TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_account ON sessions(account_id);

CREATE TABLE recovery_codes (
  account_id INTEGER NOT NULL REFERENCES accounts(id),
  code_hash BLOB NOT NULL,
  used_at INTEGER,
  PRIMARY KEY (account_id, code_hash)
);

CREATE TABLE audit_log (
  id INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  event TEXT NOT NULL,
  account_id INTEGER,
  username TEXT NOT NULL DEFAULT '',
  ip TEXT NOT NULL DEFAULT '',
  detail TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_event ON audit_log(event, id);
CREATE INDEX audit_username ON audit_log(username, id);
)SQL"},
      {2, "clusters and their units", R"SQL(
CREATE TABLE clusters (
  id INTEGER PRIMARY KEY,
  cpc_id TEXT NOT NULL UNIQUE,
  owner_id INTEGER NOT NULL REFERENCES accounts(id),
  class TEXT NOT NULL,
  resource_type TEXT NOT NULL,
  model TEXT NOT NULL,
  units INTEGER NOT NULL,
  units_free INTEGER NOT NULL,
  unit_memory INTEGER NOT NULL,
  memory INTEGER NOT NULL,
  vcpus INTEGER NOT NULL,
  price_hourly INTEGER,
  price_daily INTEGER,
  price_monthly INTEGER,
  price_yearly INTEGER,
  vendor TEXT NOT NULL,
  location TEXT NOT NULL,
  region TEXT NOT NULL,
  storage INTEGER NOT NULL,
  storage_desc TEXT NOT NULL,
  cuda TEXT,
  cuda_key TEXT,
  cudnn TEXT,
  python TEXT,
  frameworks TEXT NOT NULL DEFAULT '',
  description TEXT NOT NULL DEFAULT '',
  usage TEXT NOT NULL DEFAULT '',
  ssh_host TEXT,
  ssh_port INTEGER,
  ssh_user TEXT,
  ssh_key_enc BLOB,
  ssh_public_key TEXT,
  ssh_host_key TEXT,
  platform_url TEXT,
  agent_token_hash BLOB UNIQUE,
  environments TEXT NOT NULL DEFAULT '[]',
  status TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX clusters_available ON clusters(status, units_free);
CREATE INDEX clusters_owner ON clusters(owner_id);

CREATE TABLE cluster_units (
  cluster_id INTEGER NOT NULL REFERENCES clusters(id),
  idx INTEGER NOT NULL,
  status TEXT NOT NULL,
  PRIMARY KEY (cluster_id, idx)
);
)SQL"},
      // The catalogue is scanned by every list and filter: keep its rows narrow
      // by moving the secrets (sealed key, ~550 bytes a row) to their own
      // table, and index what the filters and sorts use (docs/PERFORMANCE.md).
      // SQLite cannot drop a UNIQUE column, so clusters is rebuilt the
      // documented way (new table, copy, drop, rename) with foreign keys off.
      {3, "cluster secrets apart; catalogue indexes", R"SQL(
CREATE TABLE cluster_secrets (
  cluster_id INTEGER PRIMARY KEY REFERENCES clusters(id),
  ssh_key_enc BLOB,
  ssh_public_key TEXT,
  ssh_host_key TEXT,
  agent_token_hash BLOB UNIQUE
);
INSERT INTO cluster_secrets (cluster_id, ssh_key_enc, ssh_public_key, ssh_host_key, agent_token_hash)
  SELECT id, ssh_key_enc, ssh_public_key, ssh_host_key, agent_token_hash FROM clusters;

CREATE TABLE clusters_v3 (
  id INTEGER PRIMARY KEY,
  cpc_id TEXT NOT NULL UNIQUE,
  owner_id INTEGER NOT NULL REFERENCES accounts(id),
  class TEXT NOT NULL,
  resource_type TEXT NOT NULL,
  model TEXT NOT NULL,
  units INTEGER NOT NULL,
  units_free INTEGER NOT NULL,
  unit_memory INTEGER NOT NULL,
  memory INTEGER NOT NULL,
  vcpus INTEGER NOT NULL,
  price_hourly INTEGER,
  price_daily INTEGER,
  price_monthly INTEGER,
  price_yearly INTEGER,
  vendor TEXT NOT NULL,
  location TEXT NOT NULL,
  region TEXT NOT NULL,
  storage INTEGER NOT NULL,
  storage_desc TEXT NOT NULL,
  cuda TEXT,
  cuda_key TEXT,
  cudnn TEXT,
  python TEXT,
  frameworks TEXT NOT NULL DEFAULT '',
  description TEXT NOT NULL DEFAULT '',
  usage TEXT NOT NULL DEFAULT '',
  ssh_host TEXT,
  ssh_port INTEGER,
  ssh_user TEXT,
  platform_url TEXT,
  environments TEXT NOT NULL DEFAULT '[]',
  status TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
INSERT INTO clusters_v3 (id, cpc_id, owner_id, class, resource_type, model, units, units_free, unit_memory, memory, vcpus, price_hourly, price_daily, price_monthly, price_yearly, vendor, location, region, storage, storage_desc, cuda, cuda_key, cudnn, python, frameworks, description, usage, ssh_host, ssh_port, ssh_user, platform_url, environments, status, created_at, updated_at)
  SELECT id, cpc_id, owner_id, class, resource_type, model, units, units_free, unit_memory, memory, vcpus, price_hourly, price_daily, price_monthly, price_yearly, vendor, location, region, storage, storage_desc, cuda, cuda_key, cudnn, python, frameworks, description, usage, ssh_host, ssh_port, ssh_user, platform_url, environments, status, created_at, updated_at FROM clusters;
DROP TABLE clusters;
ALTER TABLE clusters_v3 RENAME TO clusters;

CREATE INDEX clusters_owner ON clusters(owner_id);
CREATE INDEX clusters_region ON clusters(status, region COLLATE NOCASE);
CREATE INDEX clusters_location ON clusters(status, location COLLATE NOCASE);
CREATE INDEX clusters_price_hourly ON clusters(status, price_hourly, id, class, units_free, unit_memory,
  location COLLATE NOCASE, region COLLATE NOCASE, model);
CREATE INDEX clusters_price_daily ON clusters(status, price_daily, id, class, units_free, unit_memory,
  location COLLATE NOCASE, region COLLATE NOCASE, model);
CREATE INDEX clusters_price_monthly ON clusters(status, price_monthly, id, class, units_free, unit_memory,
  location COLLATE NOCASE, region COLLATE NOCASE, model);
CREATE INDEX clusters_price_yearly ON clusters(status, price_yearly, id, class, units_free, unit_memory,
  location COLLATE NOCASE, region COLLATE NOCASE, model);
)SQL",
       true},
      // Leases (issue 4): the task record, the units it holds, the ledger,
      // authorization codes, and SSH account removals still to do.
      {4, "leases, ledger, authorization codes, revocations", R"SQL(
CREATE TABLE leases (
  id INTEGER PRIMARY KEY,
  lease_id TEXT NOT NULL UNIQUE,
  user_id INTEGER NOT NULL REFERENCES accounts(id),
  cluster_id INTEGER NOT NULL REFERENCES clusters(id),
  supplier_id INTEGER NOT NULL REFERENCES accounts(id),
  class TEXT NOT NULL,
  cluster_snapshot TEXT NOT NULL,
  mode TEXT NOT NULL,
  unit_price INTEGER NOT NULL,
  units INTEGER NOT NULL,
  periods INTEGER NOT NULL,
  estimate INTEGER NOT NULL,
  state TEXT NOT NULL,
  unit_list TEXT NOT NULL,
  ssh_public_key TEXT,
  created_at INTEGER NOT NULL,
  decide_by INTEGER,
  started_at INTEGER,
  planned_end INTEGER,
  ended_at INTEGER,
  end_reason TEXT NOT NULL DEFAULT '',
  note TEXT NOT NULL DEFAULT '',
  charged INTEGER,
  refunded INTEGER,
  access_enc BLOB
);
CREATE INDEX leases_user ON leases(user_id, id);
CREATE INDEX leases_supplier ON leases(supplier_id, id);
CREATE INDEX leases_due ON leases(state, decide_by);
CREATE INDEX leases_end ON leases(state, planned_end);

-- A unit is held by at most one lease at a time (R-LEASE-3): the database
-- refuses a second holder even if the code above it were wrong.
CREATE TABLE lease_units (
  lease_id INTEGER NOT NULL REFERENCES leases(id),
  cluster_id INTEGER NOT NULL REFERENCES clusters(id),
  idx INTEGER NOT NULL,
  held INTEGER NOT NULL DEFAULT 1,
  PRIMARY KEY (lease_id, idx)
);
CREATE UNIQUE INDEX lease_units_held ON lease_units(cluster_id, idx) WHERE held = 1;

CREATE TABLE ledger (
  id INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  lease_id INTEGER NOT NULL REFERENCES leases(id),
  account_id INTEGER NOT NULL REFERENCES accounts(id),
  kind TEXT NOT NULL,
  amount INTEGER NOT NULL
);
CREATE INDEX ledger_account ON ledger(account_id, at);
CREATE INDEX ledger_lease ON ledger(lease_id);

CREATE TABLE auth_codes (
  lease_id INTEGER PRIMARY KEY REFERENCES leases(id),
  code_hash BLOB NOT NULL UNIQUE,
  expires_at INTEGER NOT NULL,
  used_at INTEGER
);

CREATE TABLE revocations (
  lease_id INTEGER PRIMARY KEY REFERENCES leases(id),
  username TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_at INTEGER NOT NULL,
  last_error TEXT NOT NULL DEFAULT '',
  done_at INTEGER
);
CREATE INDEX revocations_due ON revocations(done_at, next_at);
)SQL"},
      // Usernames are one name whatever their case or width (issue 8): each
      // account gets username_key = NFKC_Casefold(username), computed by the
      // store (cpshare_username_key is that function, registered on the
      // writer connection; a PostgreSQL store defines the same). Accounts
      // that collide under the rule were both registered before it and are
      // both kept: the oldest of each group keeps the key (and answers to any
      // spelling), the later ones are marked username_collision = 1 and answer
      // only to their exact spelling. The UNIQUE index covers every row but
      // those, so a new name that collides with any account is refused by the
      // database, also when two registrations race. Each colliding account is
      // reported to the admin as a username_collision audit event (cpshare
      // admin audit --event username_collision).
      {5, "case-insensitive usernames; legacy collisions kept and reported", R"SQL(
ALTER TABLE accounts ADD COLUMN username_key TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN username_collision INTEGER NOT NULL DEFAULT 0;
UPDATE accounts SET username_key = cpshare_username_key(username);
UPDATE accounts SET username_collision = 1
  WHERE EXISTS (SELECT 1 FROM accounts older
                WHERE older.username_key = accounts.username_key AND older.id < accounts.id);
CREATE UNIQUE INDEX accounts_username_key ON accounts(username_key) WHERE username_collision = 0;
INSERT INTO audit_log (at, event, account_id, username, ip, detail)
  SELECT CAST(strftime('%s', 'now') AS INTEGER), 'username_collision', a.id, a.username, '',
         json_object('username_key', a.username_key,
                     'accounts', json((SELECT json_group_array(g.username)
                                       FROM (SELECT username FROM accounts WHERE username_key = a.username_key
                                             ORDER BY id) g)),
                     'answers_to', CASE a.username_collision WHEN 0 THEN 'any spelling'
                                                             ELSE 'its exact spelling only' END)
  FROM accounts a
  WHERE a.username_key IN (SELECT username_key FROM accounts WHERE username_collision = 1)
  ORDER BY a.id;
)SQL"},
      // 6: a lease can always end (issue 8):
      // when its bill cannot be computed it ends anyway, flagged for the admin.
      {6, "leases: bill_failed flag", R"SQL(
ALTER TABLE leases ADD COLUMN bill_failed INTEGER NOT NULL DEFAULT 0;
)SQL"},
      // 7: erased means erased (issue 9). Deregistration now also erases the
      // password hash (kept as '': no password verifies against it), the
      // names of people, the region and the review note; this applies that to
      // accounts deregistered before, and drops anything of theirs that
      // should have gone with them. The store then rewrites the file (VACUUM)
      // so what earlier erasures freed, before secure_delete was on, is gone.
      {7, "deregistered accounts: erase the password hash and remaining personal data", R"SQL(
UPDATE accounts SET
  password_hash = '', email = NULL, phone_idx = NULL, phone_enc = NULL, real_name = NULL,
  id_number_idx = NULL, id_number_enc = NULL, legal_rep_name = NULL, legal_rep_id_idx = NULL,
  legal_rep_id_enc = NULL, region = NULL, contact_name = NULL, address = NULL, affiliation = NULL,
  bank_name = NULL, bank_account_name = NULL, bank_account_idx = NULL, bank_account_enc = NULL,
  licence_filename = NULL, licence_type = NULL, licence_size = NULL, licence_enc = NULL,
  mfa_secret_enc = NULL, mfa_enabled = 0, mfa_last_step = 0, mfa_pending_enc = NULL, review_note = NULL
WHERE status = 'deregistered';
DELETE FROM sessions WHERE account_id IN (SELECT id FROM accounts WHERE status = 'deregistered');
DELETE FROM recovery_codes WHERE account_id IN (SELECT id FROM accounts WHERE status = 'deregistered');
DELETE FROM activation_codes WHERE account_id IN (SELECT id FROM accounts WHERE status = 'deregistered');
)SQL",
       false, true},
      // 8: Irmds storage (issue 11, docs/design/monitoring.md "Storage"): one
      // row per host sample (its compact JSON) keyed by (cluster, time), one
      // row per cluster per minute of rollups, and each unit's GPU UUID (units
      // are bound to GPUs by UUID, not by the driver's index).
      {8, "metrics samples and rollups; units bound to GPU UUIDs", R"SQL(
ALTER TABLE cluster_units ADD COLUMN gpu_uuid TEXT;
CREATE TABLE metrics_samples (
  cluster_id INTEGER NOT NULL REFERENCES clusters(id),
  at INTEGER NOT NULL,
  sample TEXT NOT NULL,
  PRIMARY KEY (cluster_id, at)
);
CREATE INDEX metrics_samples_at ON metrics_samples (at);
CREATE TABLE metrics_rollups (
  cluster_id INTEGER NOT NULL REFERENCES clusters(id),
  minute INTEGER NOT NULL,
  samples INTEGER NOT NULL,
  readings TEXT NOT NULL,
  PRIMARY KEY (cluster_id, minute)
);
CREATE INDEX metrics_rollups_minute ON metrics_rollups (minute);
)SQL"},
      // 9: automatic status (issue 11 point 3, docs/design/monitoring.md):
      // a B-class cluster's health (online | offline; NULL for A-class, which
      // is not monitored) and when the daemon last received its agent's report;
      // every B-class cluster starts offline until its next report. A unit
      // whose GPU is lost has lost_since (its status is kept if a lease holds
      // it); lost_offline = 1 when the loss, not the owner, took it offline,
      // so the GPU's return makes it idle again. Each transition is a row of
      // cluster_events, read by cluster and time.
      {9, "cluster health, lost GPUs, cluster events", R"SQL(
ALTER TABLE clusters ADD COLUMN health TEXT;
ALTER TABLE clusters ADD COLUMN last_report_at INTEGER;
UPDATE clusters SET health = 'offline' WHERE class = 'B';
CREATE INDEX clusters_health ON clusters (health, last_report_at);
ALTER TABLE cluster_units ADD COLUMN lost_since INTEGER;
ALTER TABLE cluster_units ADD COLUMN lost_offline INTEGER NOT NULL DEFAULT 0;
CREATE TABLE cluster_events (
  id INTEGER PRIMARY KEY,
  cluster_id INTEGER NOT NULL REFERENCES clusters(id),
  unit INTEGER,
  kind TEXT NOT NULL,
  gpu_uuid TEXT,
  at INTEGER NOT NULL,
  detail TEXT NOT NULL
);
CREATE INDEX cluster_events_cluster_at ON cluster_events (cluster_id, at);
)SQL"},
      // 10: the B-class lease lifecycle (issue 11, Build point 2; R-LEASE-6;
      // docs/design/leases.md "B-class"). The environment the user chose; the
      // agent's provision and deprovision reports (attempts, last error and
      // when, kept for the supplier); and when the agent confirmed the units
      // freed. Until then an ended B-class lease keeps its units held and busy.
      // B-class leases that ended before this migration had their units freed
      // at the end: they count as confirmed then.
      {10, "B-class lease lifecycle: environment, agent reports, units freed", R"SQL(
ALTER TABLE leases ADD COLUMN environment TEXT;
ALTER TABLE leases ADD COLUMN agent_attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE leases ADD COLUMN agent_error TEXT;
ALTER TABLE leases ADD COLUMN agent_error_at INTEGER;
ALTER TABLE leases ADD COLUMN units_freed_at INTEGER;
UPDATE leases SET units_freed_at = ended_at WHERE class = 'B' AND ended_at IS NOT NULL;
CREATE INDEX leases_agent_work ON leases(cluster_id, state) WHERE class = 'B' AND units_freed_at IS NULL;
)SQL"},
      // 11: evaluation and reliability (issue 11, Build point 6; R-LEASE-8,
      // R-REL-2; docs/design/monitoring.md "Evaluation"). Rollups are merged
      // sample by sample at ingest (each reading keeps its count n in the
      // readings JSON; rows before this migration count every sample of the
      // minute); gpu_lost = 1 when some sample of the minute had a GPU of the
      // cluster lost. metrics_days counts, per cluster and UTC day (its first
      // second), the minutes with a report and those of them with a GPU lost:
      // reliability over 30 days reads 30 rows, not 43,200 rollups. A
      // cluster's first report and its reliability in millionths (written by
      // the scheduler; NULL until its first report; an integer so that the
      // filter compares exactly). lease_reports holds the service report of
      // a B-class lease, made once after it ends (JSON of api::ServiceReport).
      {11, "rollup counts, GPU-lost minutes, uptime per day, reliability, lease service reports", R"SQL(
ALTER TABLE metrics_rollups ADD COLUMN gpu_lost INTEGER NOT NULL DEFAULT 0;
CREATE TABLE metrics_days (
  cluster_id INTEGER NOT NULL REFERENCES clusters(id),
  day INTEGER NOT NULL,
  minutes_reported INTEGER NOT NULL,
  minutes_gpu_lost INTEGER NOT NULL,
  PRIMARY KEY (cluster_id, day)
);
INSERT INTO metrics_days (cluster_id, day, minutes_reported, minutes_gpu_lost)
  SELECT cluster_id, minute - (minute % 86400), COUNT(*), 0 FROM metrics_rollups GROUP BY cluster_id, minute - (minute % 86400);
ALTER TABLE clusters ADD COLUMN first_report_at INTEGER;
UPDATE clusters SET first_report_at = (SELECT MIN(minute) FROM metrics_rollups WHERE cluster_id = clusters.id)
  WHERE class = 'B';
ALTER TABLE clusters ADD COLUMN reliability_ppm INTEGER;
CREATE INDEX clusters_reliability ON clusters (reliability_ppm, id);
CREATE TABLE lease_reports (
  lease_id INTEGER PRIMARY KEY REFERENCES leases(id),
  made_at INTEGER NOT NULL,
  report TEXT NOT NULL
);
)SQL"},
      // 12: hour rollups (issue 11, Performance: a week of one cluster read
      // in 168 rows, not 10,080). One row per cluster per complete hour,
      // merged from its minute rollups by the scheduler (readings packed as
      // the minutes' are, samples and minutes with reports counted); ingest
      // marks each hour it writes a minute of, so that a late sample has its
      // hour rolled up again. And the ended B-class leases whose service
      // report the scheduler looks for, by end.
      {12, "hour rollups and the hours to roll up; leases by end for service reports", R"SQL(
CREATE TABLE metrics_hours (
  cluster_id INTEGER NOT NULL REFERENCES clusters(id),
  hour INTEGER NOT NULL,
  samples INTEGER NOT NULL,
  minutes INTEGER NOT NULL,
  readings BLOB NOT NULL,
  PRIMARY KEY (cluster_id, hour)
);
CREATE INDEX metrics_hours_hour ON metrics_hours (hour);
CREATE TABLE metrics_hours_dirty (
  cluster_id INTEGER NOT NULL REFERENCES clusters(id),
  hour INTEGER NOT NULL,
  PRIMARY KEY (hour, cluster_id)
);
INSERT INTO metrics_hours_dirty (cluster_id, hour)
  SELECT DISTINCT cluster_id, minute - (minute % 3600) FROM metrics_rollups;
CREATE INDEX leases_report_due ON leases (ended_at, id) WHERE class = 'B' AND started_at IS NOT NULL;
)SQL"},
      // 13: an A-class cluster is one or more nodes (issue 12, §3.1, §3.6),
      // each an SSH endpoint with its own pinned host key and its units;
      // units are numbered across the nodes in order. A cluster of schema 12
      // becomes a cluster of one node: its ssh_* columns and its pin move to
      // node 0, which holds all its units. nodes_free counts the nodes with an
      // idle unit and none held by a lease (an A-class lease takes whole
      // nodes); a node some unit of which an older per-GPU lease still holds
      // is not free until that lease ends.
      {13, "A-class nodes", R"SQL(
CREATE TABLE cluster_nodes (
  cluster_id INTEGER NOT NULL REFERENCES clusters(id),
  node INTEGER NOT NULL,
  host TEXT NOT NULL,
  port INTEGER NOT NULL,
  admin_user TEXT NOT NULL,
  units INTEGER NOT NULL,
  device_ids TEXT NOT NULL DEFAULT '',
  host_key TEXT,
  PRIMARY KEY (cluster_id, node)
);
INSERT INTO cluster_nodes (cluster_id, node, host, port, admin_user, units, host_key)
  SELECT c.id, 0, COALESCE(c.ssh_host, ''), COALESCE(c.ssh_port, 22), COALESCE(c.ssh_user, ''), c.units,
         (SELECT s.ssh_host_key FROM cluster_secrets s WHERE s.cluster_id = c.id)
  FROM clusters c WHERE c.class = 'A';
ALTER TABLE cluster_units ADD COLUMN node INTEGER NOT NULL DEFAULT 0;
ALTER TABLE clusters ADD COLUMN nodes INTEGER NOT NULL DEFAULT 0;
ALTER TABLE clusters ADD COLUMN nodes_free INTEGER NOT NULL DEFAULT 0;
UPDATE clusters SET nodes = 1,
  nodes_free = CASE WHEN EXISTS (SELECT 1 FROM cluster_units u WHERE u.cluster_id = clusters.id AND u.status = 'idle')
                     AND NOT EXISTS (SELECT 1 FROM lease_units h WHERE h.cluster_id = clusters.id AND h.held = 1)
                    THEN 1 ELSE 0 END
  WHERE class = 'A';
ALTER TABLE clusters DROP COLUMN ssh_host;
ALTER TABLE clusters DROP COLUMN ssh_port;
ALTER TABLE clusters DROP COLUMN ssh_user;
ALTER TABLE cluster_secrets DROP COLUMN ssh_host_key;
)SQL"},
      // 14: one machine is offered in one cluster only (issue 12): a host key
      // pinned to a node is looked up in the other clusters when a node is
      // verified and when a cluster is relisted.
      {14, "host keys looked up across clusters", R"SQL(
CREATE INDEX cluster_nodes_host_key ON cluster_nodes (host_key) WHERE host_key IS NOT NULL;
)SQL"},
      // 15: a redeem in progress (issue 12): until when it holds the lease, so
      // that a second redeem of the same code waits for it, and a daemon that
      // dies mid-redeem leaves a removal queued for that moment (the accounts
      // it made on some nodes are not left behind).
      {15, "redeem in progress", R"SQL(
ALTER TABLE leases ADD COLUMN redeem_until INTEGER;
)SQL"},
      // 16: what makes a cluster offered (CatalogStore::query, available_only)
      // grew health (issue 11: a B-class agent online) and nodes_free (issue
      // 12: an A-class free node). Outside the price indexes, every entry a
      // sorted filter walked read its row to test them (filter 4 of
      // bench/catalog.sh: p99 1.4 ms after issue 10, 75 ms before this). They
      // join the indexes, which again answer the offer test alone.
      {16, "price indexes hold health and nodes_free", R"SQL(
DROP INDEX clusters_price_hourly;
CREATE INDEX clusters_price_hourly ON clusters(status, price_hourly, id, class, units_free, unit_memory,
  location COLLATE NOCASE, region COLLATE NOCASE, model, nodes_free, health);
DROP INDEX clusters_price_daily;
CREATE INDEX clusters_price_daily ON clusters(status, price_daily, id, class, units_free, unit_memory,
  location COLLATE NOCASE, region COLLATE NOCASE, model, nodes_free, health);
DROP INDEX clusters_price_monthly;
CREATE INDEX clusters_price_monthly ON clusters(status, price_monthly, id, class, units_free, unit_memory,
  location COLLATE NOCASE, region COLLATE NOCASE, model, nodes_free, health);
DROP INDEX clusters_price_yearly;
CREATE INDEX clusters_price_yearly ON clusters(status, price_yearly, id, class, units_free, unit_memory,
  location COLLATE NOCASE, region COLLATE NOCASE, model, nodes_free, health);
)SQL"},
  };
  return list;
}

}  // namespace cpshare
