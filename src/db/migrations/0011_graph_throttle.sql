-- Microsoft Graph throttling shared by every Trellis process (src/graph/tenant-throttle-state-postgres.ts),
-- used when there are several processes and no Redis. Graph's budget is the app's in a Microsoft 365
-- tenant, whichever process sends: when one process is answered 429, all of them pause until its
-- Retry-After and halve their concurrency once.
--
-- Platform-level tables, like pg-boss's: keyed by the Entra tenant id (the Graph client knows no Trellis
-- tenant, and a tenant being onboarded has none yet) and holding nothing of a tenant's data, only timers
-- and counters; so no tenant_id, no row-level security, and the application role reads and writes them
-- outside any tenant.

CREATE TABLE graph_throttle (
  entra_tenant_id text PRIMARY KEY CHECK (length(entra_tenant_id) BETWEEN 1 AND 256),
  -- Every process holds its Graph requests to the tenant until then (only ever moved later).
  paused_until timestamptz NOT NULL DEFAULT now(),
  -- Incremented once per burst of 429s: a process that sees it grow halves its concurrency once.
  decrease_epoch integer NOT NULL DEFAULT 0,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- The processes sending to a tenant (a heartbeat every 2 s while they do): additive increase is shared
-- out among them. Rows older than a minute are removed by the next heartbeat of another process.
CREATE TABLE graph_throttle_peers (
  entra_tenant_id text NOT NULL CHECK (length(entra_tenant_id) BETWEEN 1 AND 256),
  process_id uuid NOT NULL,
  seen_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (entra_tenant_id, process_id)
);

GRANT SELECT, INSERT, UPDATE ON graph_throttle TO trellis_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON graph_throttle_peers TO trellis_app;
