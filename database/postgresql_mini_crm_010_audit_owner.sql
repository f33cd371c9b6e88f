-- Mini CRM migration 010: a user's newest audit activity from one index.
--
-- The dashboard's recent activity (and the audit log's first page) for a `user` starts from their
-- credentials ranked by their newest entry (credential_audit_stats.last_accessed_at). It found those
-- credentials through the clients they own: at 100,000 clients, 501 clients, 234 credentials and as
-- many figure rows, 1,400 buffers and more PostgreSQL time than the rest of the dashboard together.
-- The figures now carry the owner of the credential's client, so that an index on (owner, newest
-- entry) gives the ranking. The triggers below keep it equal to clients.owner_user_id; the API
-- still checks the owner of every row it returns (apps/api/src/audit/queries.ts), so a figure that
-- lags (a credential created while its client changed hands) hides entries, never shows another
-- user's. The next audit row of that credential corrects it.
ALTER TABLE credential_audit_stats ADD COLUMN owner_user_id INTEGER;

UPDATE credential_audit_stats s SET owner_user_id = cl.owner_user_id
FROM credentials cd JOIN clients cl ON cl.id = cd.client_id
WHERE cd.id = s.credential_id;

CREATE INDEX idx_credential_audit_stats_owner
    ON credential_audit_stats (owner_user_id, last_accessed_at DESC) INCLUDE (credential_id);

-- Migration 005's counter, with the owner read at every audit statement (the figures of each
-- credential it writes are one row, whose owner is two index lookups away).
CREATE OR REPLACE FUNCTION count_credential_audit() RETURNS trigger
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
                                             last_accessed_at, unique_user_count, unique_ip_count,
                                             owner_user_id)
    SELECT e.credential_id, e.access_count, e.view_count, e.decrypt_count, e.last_accessed_at,
           COALESCE(u.n, 0), COALESCE(i.n, 0),
           (SELECT cl.owner_user_id FROM credentials cd JOIN clients cl ON cl.id = cd.client_id
            WHERE cd.id = e.credential_id)
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
        unique_ip_count = s.unique_ip_count + EXCLUDED.unique_ip_count,
        owner_user_id = EXCLUDED.owner_user_id;
    RETURN NULL;
END;
$$;

-- A client changes hands (also when its owner is deleted: ON DELETE SET NULL is an UPDATE of it).
CREATE FUNCTION follow_client_owner() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE credential_audit_stats s SET owner_user_id = NEW.owner_user_id
    FROM credentials cd
    WHERE cd.client_id = NEW.id AND s.credential_id = cd.id;
    RETURN NULL;
END;
$$;

CREATE TRIGGER trg_clients_audit_owner
    AFTER UPDATE OF owner_user_id ON clients
    FOR EACH ROW WHEN (OLD.owner_user_id IS DISTINCT FROM NEW.owner_user_id)
    EXECUTE FUNCTION follow_client_owner();

-- The app never moves a credential to another client; the database owner may.
CREATE FUNCTION follow_credential_client() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE credential_audit_stats s
    SET owner_user_id = (SELECT cl.owner_user_id FROM clients cl WHERE cl.id = NEW.client_id)
    WHERE s.credential_id = NEW.id;
    RETURN NULL;
END;
$$;

CREATE TRIGGER trg_credentials_audit_owner
    AFTER UPDATE OF client_id ON credentials
    FOR EACH ROW WHEN (OLD.client_id IS DISTINCT FROM NEW.client_id)
    EXECUTE FUNCTION follow_credential_client();

-- Migration 005's repair, filling the owner too.
CREATE OR REPLACE FUNCTION recount_maintained_figures() RETURNS void
LANGUAGE sql VOLATILE AS $$
    TRUNCATE client_status_counts, client_tag_counts, credential_audit_stats, credential_audit_users,
             credential_audit_ips;

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
                                        unique_user_count, unique_ip_count, owner_user_id)
    SELECT a.credential_id, a.access_count, a.view_count, a.decrypt_count, a.last_accessed_at,
           (SELECT count(*) FROM credential_audit_users u WHERE u.credential_id = a.credential_id),
           (SELECT count(*) FROM credential_audit_ips i WHERE i.credential_id = a.credential_id),
           (SELECT cl.owner_user_id FROM credentials cd JOIN clients cl ON cl.id = cd.client_id
            WHERE cd.id = a.credential_id)
    FROM (SELECT credential_id, count(*) AS access_count, count(*) FILTER (WHERE action = 'view') AS view_count,
                 count(*) FILTER (WHERE action = 'decrypt') AS decrypt_count, max(created_at) AS last_accessed_at
          FROM credential_audit_logs GROUP BY credential_id) AS a;
$$;

-- As migration 005's counters: run as their owner (the API's role cannot write the figures), with a
-- fixed search_path. CREATE OR REPLACE reset count_credential_audit's.
DO $$
DECLARE
    path text := quote_ident(current_schema()) || ', pg_temp';
BEGIN
    EXECUTE format('ALTER FUNCTION count_credential_audit() SECURITY DEFINER SET search_path = %s', path);
    EXECUTE format('ALTER FUNCTION follow_client_owner() SECURITY DEFINER SET search_path = %s', path);
    EXECUTE format('ALTER FUNCTION follow_credential_client() SECURITY DEFINER SET search_path = %s', path);
END
$$;
