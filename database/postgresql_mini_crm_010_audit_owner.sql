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
-- user's. The credential's next audit row corrects it.
ALTER TABLE credential_audit_stats ADD COLUMN owner_user_id INTEGER;

UPDATE credential_audit_stats s SET owner_user_id = cl.owner_user_id
FROM credentials cd JOIN clients cl ON cl.id = cd.client_id
WHERE cd.id = s.credential_id;

CREATE INDEX idx_credential_audit_stats_owner
    ON credential_audit_stats (owner_user_id, last_accessed_at DESC) INCLUDE (credential_id);

-- Whoever writes a credential's figures (the audit counter of migration 005, its recount, the
-- triggers below), the row takes the owner its credential's client has now.
CREATE FUNCTION audit_stats_owner() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.owner_user_id := (
        SELECT cl.owner_user_id FROM credentials cd JOIN clients cl ON cl.id = cd.client_id
        WHERE cd.id = NEW.credential_id
    );
    RETURN NEW;
END;
$$;

CREATE TRIGGER trg_credential_audit_stats_owner
    BEFORE INSERT OR UPDATE ON credential_audit_stats
    FOR EACH ROW EXECUTE FUNCTION audit_stats_owner();

-- A client changes hands (also when its owner is deleted: ON DELETE SET NULL updates the client),
-- or a credential moves to another client (the app never does; the database owner may).
CREATE FUNCTION audit_stats_follow_owner() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    -- Two statements: PL/pgSQL resolves NEW's fields when a statement first runs for the table.
    IF TG_TABLE_NAME = 'clients' THEN
        UPDATE credential_audit_stats s SET owner_user_id = NEW.owner_user_id
        FROM credentials cd
        WHERE cd.client_id = NEW.id AND s.credential_id = cd.id;
    ELSE
        UPDATE credential_audit_stats
        SET owner_user_id = (SELECT cl.owner_user_id FROM clients cl WHERE cl.id = NEW.client_id)
        WHERE credential_id = NEW.id;
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER trg_clients_audit_stats_owner
    AFTER UPDATE OF owner_user_id ON clients
    FOR EACH ROW WHEN (OLD.owner_user_id IS DISTINCT FROM NEW.owner_user_id)
    EXECUTE FUNCTION audit_stats_follow_owner();

CREATE TRIGGER trg_credentials_audit_stats_owner
    AFTER UPDATE OF client_id ON credentials
    FOR EACH ROW WHEN (OLD.client_id IS DISTINCT FROM NEW.client_id)
    EXECUTE FUNCTION audit_stats_follow_owner();

-- As migration 005's counters: run as their owner (the API's role cannot write the figures), with a
-- fixed search_path.
DO $$
DECLARE
    path text := quote_ident(current_schema()) || ', pg_temp';
BEGIN
    EXECUTE format('ALTER FUNCTION audit_stats_owner() SECURITY DEFINER SET search_path = %s', path);
    EXECUTE format('ALTER FUNCTION audit_stats_follow_owner() SECURITY DEFINER SET search_path = %s', path);
END
$$;
