-- Scale (issue 5): every page the API serves comes from an index at 100,000 clients, a million tasks
-- and two million audit rows, and every figure it shows is either maintained or bounded.
--
-- 1. The list indexes end in the column the API breaks ties with: uuid (ids stay inside the
--    database, so the keyset cursors carry uuids). An index (name, id) cannot serve
--    ORDER BY name, uuid; (name, uuid) serves it, its cursor condition and a LIMIT without a sort.
--    The indexes of 001 that the lists use keep their names and gain the tie-breaker.
-- 2. Client search: a trigram index (pg_trgm) over name, company and e-mail serves
--    ILIKE '%text%' for three characters or more, and ILIKE 'te%' (the API's search for one or two).
-- 3. Maintained figures, kept by statement-level triggers (one update per statement, so a bulk load
--    costs one pass): clients per status (the dashboard), clients per tag (clients.tags), and per
--    credential the audit figures of credential_audit_summary (audit.summary, the stale list).
--    Each counter table starts from the rows already there.
--
-- On a large existing database this migration rebuilds those indexes: writes to clients, tasks and
-- credential_audit_logs wait while it runs (seconds at 100k clients).

-- pg_trgm is a trusted extension from PostgreSQL 13 on: the database owner may create it. On 12, a
-- superuser creates it once (CREATE EXTENSION pg_trgm) before this migration.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- ---------------------------------------------------------------------------
-- Indexes
-- ---------------------------------------------------------------------------

-- clients.list: each order (name, created_at, updated_at; both directions), ties by uuid, overall
-- and per owner ("my clients": a few hundred of a hundred thousand); per status by name. A status
-- by date walks the date index: every status is common enough for a page to come quickly.
DROP INDEX idx_clients_name;
CREATE INDEX idx_clients_name ON clients (name, uuid);
DROP INDEX idx_clients_status;
CREATE INDEX idx_clients_status ON clients (status, name, uuid);
DROP INDEX idx_clients_owner_user_id;
CREATE INDEX idx_clients_owner_user_id ON clients (owner_user_id, name, uuid);
CREATE INDEX idx_clients_owner_created_at ON clients (owner_user_id, created_at, uuid);
CREATE INDEX idx_clients_owner_updated_at ON clients (owner_user_id, updated_at, uuid);
DROP INDEX idx_clients_created_at;
CREATE INDEX idx_clients_created_at ON clients (created_at, uuid);
DROP INDEX idx_clients_updated_at;
CREATE INDEX idx_clients_updated_at ON clients (updated_at, uuid);

-- Search in name, company and e-mail, any letter case. One GIN index over the three columns: the
-- planner combines its scans for `name ILIKE p OR company ILIKE p OR email ILIKE p`.
CREATE INDEX idx_clients_search ON clients USING gin (name gin_trgm_ops, company gin_trgm_ops, email gin_trgm_ops);

-- tasks.list: by due date (NULLs last, as btree keeps them), ties by uuid; overall, open only, per
-- assignee (all tasks, or open ones: the dashboard and the urgency filters), per status and per
-- priority. A page and its capped count both read these in order.
DROP INDEX idx_tasks_due_date;
CREATE INDEX idx_tasks_due_date ON tasks (due_date, uuid);
DROP INDEX idx_tasks_status;
CREATE INDEX idx_tasks_status ON tasks (status, due_date, uuid);
DROP INDEX idx_tasks_priority;
CREATE INDEX idx_tasks_priority ON tasks (priority, due_date, uuid);
DROP INDEX idx_tasks_open_due_date;
CREATE INDEX idx_tasks_open_due_date ON tasks (due_date, uuid)
    WHERE status NOT IN ('completed', 'cancelled');
DROP INDEX idx_tasks_open_assignee_due_date;
CREATE INDEX idx_tasks_open_assignee_due_date ON tasks (assigned_user_id, due_date, uuid)
    WHERE status NOT IN ('completed', 'cancelled');
DROP INDEX idx_tasks_assigned_user_id;
CREATE INDEX idx_tasks_assigned_user_id ON tasks (assigned_user_id, due_date, uuid);

-- audit.list: newest first by (created_at, id), overall and per credential. A user's page is the
-- newest of their credentials' entries: (credential_id, created_at, id), with the action and the
-- user for the list's filters, answers it from the index without reading those rows.
DROP INDEX idx_credential_audit_logs_created_at;
CREATE INDEX idx_credential_audit_logs_created_at ON credential_audit_logs (created_at, id);
DROP INDEX idx_credential_audit_logs_credential_id;
CREATE INDEX idx_credential_audit_logs_credential_id ON credential_audit_logs (credential_id, created_at, id)
    INCLUDE (action, user_id);

-- users.list sorts case-blind: ORDER BY lower(name), uuid.
CREATE INDEX idx_users_name_lower ON users (lower(name), uuid);

-- ---------------------------------------------------------------------------
-- Maintained figures
-- ---------------------------------------------------------------------------
-- Kept by AFTER ... FOR EACH STATEMENT triggers that read the statement's transition tables: a
-- statement that changes a thousand rows updates each figure once. The figure rows are taken in key
-- order (INSERT ... SELECT ... ORDER BY inserts in that order), so two writers never wait for each
-- other's rows in a cycle. The functions run as their owner (search_path fixed below): the API reads
-- the figures and cannot write them.

-- Clients per status (dashboard.summary) and per tag (clients.tags); a client counts once per tag.
CREATE TABLE client_status_counts (
    status       VARCHAR(50) PRIMARY KEY,
    client_count BIGINT NOT NULL
);

CREATE TABLE client_tag_counts (
    tag          TEXT PRIMARY KEY,
    client_count BIGINT NOT NULL
);

-- Adds the clients in `added` and takes away those in `removed` (an update passes both: a row whose
-- status and tags did not change cancels out and writes nothing).
CREATE FUNCTION count_client_changes(added clients[], removed clients[]) RETURNS void
LANGUAGE sql VOLATILE AS $$
    INSERT INTO client_status_counts AS counts (status, client_count)
    SELECT status, sum(delta)
    FROM (SELECT status, 1 AS delta FROM unnest(added)
          UNION ALL
          SELECT status, -1 FROM unnest(removed)) changes
    GROUP BY status HAVING sum(delta) <> 0
    ORDER BY status
    ON CONFLICT (status) DO UPDATE SET client_count = counts.client_count + EXCLUDED.client_count;

    INSERT INTO client_tag_counts AS counts (tag, client_count)
    SELECT tag, sum(delta)
    FROM (SELECT DISTINCT a.id, tag, 1 AS delta FROM unnest(added) a, unnest(a.tags) AS tag
          UNION ALL
          SELECT DISTINCT r.id, tag, -1 FROM unnest(removed) r, unnest(r.tags) AS tag) changes
    GROUP BY tag HAVING sum(delta) <> 0
    ORDER BY tag
    ON CONFLICT (tag) DO UPDATE SET client_count = counts.client_count + EXCLUDED.client_count;
$$;

-- A trigger may only name the transition tables of its own event: one trigger per event. (No
-- TRUNCATE: it would cascade to the audit log, which refuses it.)
CREATE FUNCTION count_clients() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM count_client_changes(ARRAY(SELECT n::clients FROM new_rows n), '{}');
    ELSIF TG_OP = 'UPDATE' THEN
        PERFORM count_client_changes(ARRAY(SELECT n::clients FROM new_rows n), ARRAY(SELECT o::clients FROM old_rows o));
    ELSE
        PERFORM count_client_changes('{}', ARRAY(SELECT o::clients FROM old_rows o));
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER trg_clients_count_insert AFTER INSERT ON clients
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION count_clients();
CREATE TRIGGER trg_clients_count_update AFTER UPDATE ON clients
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION count_clients();
CREATE TRIGGER trg_clients_count_delete AFTER DELETE ON clients
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION count_clients();

-- Per credential, the figures of credential_audit_summary: events, views, decrypts, the newest
-- event, and the distinct users and addresses (counted through the pairs seen so far).
CREATE TABLE credential_audit_stats (
    credential_id     INTEGER PRIMARY KEY,
    access_count      BIGINT NOT NULL,
    view_count        BIGINT NOT NULL,
    decrypt_count     BIGINT NOT NULL,
    last_accessed_at  TIMESTAMP WITH TIME ZONE,
    unique_user_count BIGINT NOT NULL,
    unique_ip_count   BIGINT NOT NULL,
    CONSTRAINT credential_audit_stats_credential_id_fkey FOREIGN KEY (credential_id)
        REFERENCES credentials (id) ON DELETE CASCADE
);

CREATE TABLE credential_audit_users (
    credential_id INTEGER NOT NULL,
    user_id       INTEGER NOT NULL,
    PRIMARY KEY (credential_id, user_id),
    CONSTRAINT credential_audit_users_credential_id_fkey FOREIGN KEY (credential_id)
        REFERENCES credentials (id) ON DELETE CASCADE
);

CREATE TABLE credential_audit_ips (
    credential_id INTEGER NOT NULL,
    ip_address    INET NOT NULL,
    PRIMARY KEY (credential_id, ip_address),
    CONSTRAINT credential_audit_ips_credential_id_fkey FOREIGN KEY (credential_id)
        REFERENCES credentials (id) ON DELETE CASCADE
);

-- Audit rows are only ever inserted (migration 003 refuses the rest); a purge of a credential
-- cascades to its figures.
CREATE FUNCTION count_credential_audit() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    WITH new_users AS (
        INSERT INTO credential_audit_users (credential_id, user_id)
        SELECT DISTINCT credential_id, user_id FROM new_rows WHERE user_id IS NOT NULL
        ORDER BY credential_id, user_id
        ON CONFLICT DO NOTHING
        RETURNING credential_id
    ), new_ips AS (
        INSERT INTO credential_audit_ips (credential_id, ip_address)
        SELECT DISTINCT credential_id, ip_address FROM new_rows WHERE ip_address IS NOT NULL
        ORDER BY credential_id, ip_address
        ON CONFLICT DO NOTHING
        RETURNING credential_id
    ), events AS (
        SELECT credential_id,
               count(*) AS access_count,
               count(*) FILTER (WHERE action = 'view') AS view_count,
               count(*) FILTER (WHERE action = 'decrypt') AS decrypt_count,
               max(created_at) AS last_accessed_at
        FROM new_rows
        GROUP BY credential_id
    )
    INSERT INTO credential_audit_stats AS s (credential_id, access_count, view_count, decrypt_count,
                                             last_accessed_at, unique_user_count, unique_ip_count)
    SELECT e.credential_id, e.access_count, e.view_count, e.decrypt_count, e.last_accessed_at,
           COALESCE(u.n, 0), COALESCE(i.n, 0)
    FROM events e
    LEFT JOIN (SELECT credential_id, count(*) AS n FROM new_users GROUP BY credential_id) u USING (credential_id)
    LEFT JOIN (SELECT credential_id, count(*) AS n FROM new_ips GROUP BY credential_id) i USING (credential_id)
    ORDER BY e.credential_id
    ON CONFLICT (credential_id) DO UPDATE SET
        access_count = s.access_count + EXCLUDED.access_count,
        view_count = s.view_count + EXCLUDED.view_count,
        decrypt_count = s.decrypt_count + EXCLUDED.decrypt_count,
        last_accessed_at = GREATEST(s.last_accessed_at, EXCLUDED.last_accessed_at),
        unique_user_count = s.unique_user_count + EXCLUDED.unique_user_count,
        unique_ip_count = s.unique_ip_count + EXCLUDED.unique_ip_count;
    RETURN NULL;
END;
$$;

CREATE TRIGGER trg_credential_audit_logs_count AFTER INSERT ON credential_audit_logs
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION count_credential_audit();

-- Recomputes every maintained figure from the rows: the initial fill below, and a repair after a
-- bulk load that ran with the triggers off (the scale data does).
CREATE FUNCTION recount_maintained_figures() RETURNS void
LANGUAGE sql VOLATILE AS $$
    TRUNCATE client_status_counts, client_tag_counts, credential_audit_stats, credential_audit_users,
             credential_audit_ips;

    -- Every status has its row, so the dashboard reads four rows and nothing else.
    INSERT INTO client_status_counts (status, client_count)
    SELECT s.status, (SELECT count(*) FROM clients c WHERE c.status = s.status)
    FROM unnest(ARRAY['active', 'inactive', 'prospect', 'archived']) AS s (status);

    INSERT INTO client_tag_counts (tag, client_count)
    SELECT tag, count(DISTINCT c.id) FROM clients c, unnest(c.tags) AS tag GROUP BY tag;

    INSERT INTO credential_audit_users (credential_id, user_id)
    SELECT DISTINCT credential_id, user_id FROM credential_audit_logs WHERE user_id IS NOT NULL;

    INSERT INTO credential_audit_ips (credential_id, ip_address)
    SELECT DISTINCT credential_id, ip_address FROM credential_audit_logs WHERE ip_address IS NOT NULL;

    INSERT INTO credential_audit_stats (credential_id, access_count, view_count, decrypt_count, last_accessed_at,
                                        unique_user_count, unique_ip_count)
    SELECT a.credential_id, a.access_count, a.view_count, a.decrypt_count, a.last_accessed_at,
           (SELECT count(*) FROM credential_audit_users u WHERE u.credential_id = a.credential_id),
           (SELECT count(*) FROM credential_audit_ips i WHERE i.credential_id = a.credential_id)
    FROM (SELECT credential_id, count(*) AS access_count, count(*) FILTER (WHERE action = 'view') AS view_count,
                 count(*) FILTER (WHERE action = 'decrypt') AS decrypt_count, max(created_at) AS last_accessed_at
          FROM credential_audit_logs GROUP BY credential_id) AS a;
$$;

SELECT recount_maintained_figures();
REVOKE EXECUTE ON FUNCTION recount_maintained_figures() FROM PUBLIC;

-- ---------------------------------------------------------------------------
-- Who runs and reads what
-- ---------------------------------------------------------------------------

-- The counting functions run as their owner with a fixed search_path (as migration 003's audit
-- functions do), so the API's role needs no write access to the figures and no object of a
-- caller's can stand in for the schema's.
DO $$
DECLARE
    path text := quote_ident(current_schema()) || ', pg_temp';
BEGIN
    EXECUTE format('ALTER FUNCTION count_clients() SECURITY DEFINER SET search_path = %s', path);
    EXECUTE format('ALTER FUNCTION count_credential_audit() SECURITY DEFINER SET search_path = %s', path);
    EXECUTE format('ALTER FUNCTION count_client_changes(clients[], clients[]) SET search_path = %s', path);
END
$$;
REVOKE EXECUTE ON FUNCTION count_client_changes(clients[], clients[]) FROM PUBLIC;

-- The API reads the figures (migration 003 made its role; 004 guards the same way).
DO $$
BEGIN
    IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'mini_crm_app') THEN
        GRANT SELECT ON client_status_counts, client_tag_counts, credential_audit_stats TO mini_crm_app;
    END IF;
END
$$;

COMMENT ON TABLE client_status_counts IS 'Clients per status, kept by the trg_clients_count_* triggers.';
COMMENT ON TABLE client_tag_counts IS 'Clients per tag, kept by the trg_clients_count_* triggers.';
COMMENT ON TABLE credential_audit_stats IS 'credential_audit_summary''s figures per credential, kept by trg_credential_audit_logs_count.';
