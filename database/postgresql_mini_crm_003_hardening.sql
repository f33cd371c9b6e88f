-- Hardening: the API's own database role, an append-only credential audit log, and a hash chain
-- over the audit rows that `pnpm db verify-audit` checks.
--
-- 1. mini_crm_app is the role the API connects as. It owns nothing and holds only the privileges
--    the API's queries need (listed below, table by table). Role names belong to the whole server,
--    not to one database: the role is created once per server (NOLOGIN) and every database migrated
--    on that server grants it its privileges. Who gives it a password: the app itself on the
--    embedded server; `pnpm db app-login` (or an administrator) on a server of your own.
--    A later migration that adds a table, a column or a function the API uses grants it here too.
-- 2. credential_audit_logs is append-only: UPDATE, DELETE and TRUNCATE raise MC004, for the owner
--    and superusers too. The one way rows go is the spec's ON DELETE CASCADE when the owner purges a
--    credential (or its client) on purpose; each purged row leaves its chain link in
--    credential_audit_purges, which is append-only as well.
-- 3. Every audit row carries chain_position, prev_hash (the row_hash of the row before it in chain
--    order, 32 zero bytes for the first) and row_hash = sha256 of its content and prev_hash
--    (credential_audit_row_hash). Appends take turns on the one row of credential_audit_chain_head,
--    so concurrent transactions cannot fork the chain.
--
-- Error code added (also in the README):
--   MC004  credential_audit_logs (or credential_audit_purges) is append-only

-- ---------------------------------------------------------------------------
-- The role. Created once per server; a concurrent migration of another database may win the race.
-- ---------------------------------------------------------------------------
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'mini_crm_app') THEN
        CREATE ROLE mini_crm_app NOLOGIN;
        COMMENT ON ROLE mini_crm_app IS 'Mini CRM: the role the API connects as. Owns nothing; see postgresql_mini_crm_003_hardening.sql.';
    END IF;
EXCEPTION
    WHEN duplicate_object OR unique_violation THEN
        NULL;
    WHEN insufficient_privilege THEN
        RAISE EXCEPTION 'the role mini_crm_app does not exist, and % may not create roles', current_user
            USING ERRCODE = 'insufficient_privilege',
                  HINT = 'Have an administrator run CREATE ROLE mini_crm_app NOLOGIN; then migrate again.';
END
$$;

-- The schema: usage only. PostgreSQL 14 and older let every role create tables in public
-- (15 stopped that); the schema's owner takes that right back from PUBLIC here.
DO $$
DECLARE
    schema_name text := current_schema();
BEGIN
    EXECUTE format('GRANT USAGE ON SCHEMA %I TO mini_crm_app', schema_name);
    IF has_schema_privilege('mini_crm_app', schema_name, 'CREATE') THEN
        IF pg_has_role((SELECT nspowner FROM pg_namespace WHERE nspname = schema_name), 'USAGE') THEN
            EXECUTE format('REVOKE CREATE ON SCHEMA %I FROM PUBLIC', schema_name);
        ELSE
            RAISE WARNING 'mini_crm_app may create objects in schema %', schema_name
                USING HINT = format('Have the schema''s owner run REVOKE CREATE ON SCHEMA %I FROM PUBLIC.', schema_name);
        END IF;
    END IF;
END
$$;

-- ---------------------------------------------------------------------------
-- What the API reads and writes (apps/api/src/*/queries.ts), and nothing else. INSERT and UPDATE
-- name their columns: ids, uuids and created_at come from the database, never from the API, so it
-- cannot backdate a record or reuse an identity. users.password_hash is readable: sign-in checks it.
-- No DELETE on users, credentials (soft delete: deleted_at) or the audit log; no TRUNCATE,
-- REFERENCES or TRIGGER anywhere; nothing on schema_migrations or the audit chain's own tables.
-- ---------------------------------------------------------------------------
GRANT SELECT,
      INSERT (email, name, password_hash, role, timezone),
      UPDATE (email, name, password_hash, role, is_active, timezone)
    ON users TO mini_crm_app;

GRANT SELECT, DELETE,
      INSERT (name, company, email, phone, status, tags, timezone, website_url, notes, owner_user_id),
      UPDATE (name, company, email, phone, status, tags, timezone, website_url, notes, owner_user_id)
    ON clients TO mini_crm_app;

GRANT SELECT, DELETE,
      INSERT (client_id, title, description, status, priority, due_date, assigned_user_id),
      UPDATE (client_id, title, description, status, priority, due_date, assigned_user_id)
    ON tasks TO mini_crm_app;

GRANT SELECT,
      INSERT (client_id, label, username, encrypted_value, url, notes),
      UPDATE (label, username, encrypted_value, url, notes, deleted_at)
    ON credentials TO mini_crm_app;

-- Audit rows are written by the database only (the credentials trigger, view_credential and
-- reveal_credential, which run as the owner): the API can read the log, not write a row of its
-- choosing into it.
GRANT SELECT ON credential_audit_logs TO mini_crm_app;

GRANT SELECT, DELETE,
      INSERT (id, user_id, expires_at, ip_address, user_agent),
      UPDATE (expires_at)
    ON user_sessions TO mini_crm_app;

GRANT SELECT, DELETE, INSERT (email, ip_address) ON login_failures TO mini_crm_app;

GRANT SELECT ON client_overview, task_overview, credential_audit_summary TO mini_crm_app;

-- The serial ids of the rows it inserts.
GRANT USAGE ON SEQUENCE users_id_seq, clients_id_seq, tasks_id_seq, credentials_id_seq, login_failures_id_seq
    TO mini_crm_app;

-- ---------------------------------------------------------------------------
-- The audit hash chain
-- ---------------------------------------------------------------------------
ALTER TABLE credential_audit_logs
    ADD COLUMN chain_position BIGINT,
    ADD COLUMN prev_hash      BYTEA,
    ADD COLUMN row_hash       BYTEA;

-- The newest link: the position and row_hash the next row chains to. One row, locked by each append
-- until its transaction ends.
CREATE TABLE credential_audit_chain_head (
    is_head        BOOLEAN PRIMARY KEY DEFAULT TRUE,
    chain_position BIGINT NOT NULL,
    row_hash       BYTEA NOT NULL,
    CONSTRAINT credential_audit_chain_head_one_row CHECK (is_head)
);
INSERT INTO credential_audit_chain_head (chain_position, row_hash) VALUES (0, decode(repeat('00', 32), 'hex'));

-- The content an audit row's hash covers, as canonical text: a JSON array of chain_position, id,
-- uuid, credential_id, user_id, action, ip_address (inet as text, with its mask), user_agent,
-- created_at (UTC, microseconds, ISO 8601: the same whatever the session's TimeZone) and prev_hash
-- (hex). row_hash = sha256 of that text in UTF-8. sha256() is built in since PostgreSQL 11.
CREATE FUNCTION credential_audit_row_hash(r credential_audit_logs) RETURNS bytea
LANGUAGE sql STABLE AS $$
    SELECT sha256(convert_to(json_build_array(
        r.chain_position, r.id, r.uuid, r.credential_id, r.user_id, r.action,
        r.ip_address::text, r.user_agent,
        to_char(r.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
        encode(r.prev_hash, 'hex')
    )::text, 'UTF8'));
$$;

-- Rows written before this migration join the chain in id order.
DO $$
DECLARE
    entry credential_audit_logs;
    head credential_audit_chain_head;
BEGIN
    SELECT * INTO STRICT head FROM credential_audit_chain_head;
    FOR entry IN SELECT * FROM credential_audit_logs ORDER BY id LOOP
        entry.chain_position := head.chain_position + 1;
        entry.prev_hash := head.row_hash;
        entry.row_hash := credential_audit_row_hash(entry);
        UPDATE credential_audit_logs
        SET chain_position = entry.chain_position, prev_hash = entry.prev_hash, row_hash = entry.row_hash
        WHERE id = entry.id;
        head.chain_position := entry.chain_position;
        head.row_hash := entry.row_hash;
    END LOOP;
    UPDATE credential_audit_chain_head SET chain_position = head.chain_position, row_hash = head.row_hash;
END
$$;

ALTER TABLE credential_audit_logs
    ALTER COLUMN chain_position SET NOT NULL,
    ALTER COLUMN prev_hash SET NOT NULL,
    ALTER COLUMN row_hash SET NOT NULL,
    ADD CONSTRAINT credential_audit_logs_chain_position_key UNIQUE (chain_position),
    ADD CONSTRAINT credential_audit_logs_hash_length CHECK (octet_length(prev_hash) = 32 AND octet_length(row_hash) = 32);

-- Links every new row to the head, whatever the inserter put in these columns. The head row stays
-- locked until the transaction ends: concurrent appends take turns (under REPEATABLE READ a
-- concurrent append is a serialization failure, never a fork).
CREATE FUNCTION chain_credential_audit() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    head credential_audit_chain_head;
BEGIN
    SELECT * INTO STRICT head FROM credential_audit_chain_head FOR UPDATE;
    NEW.chain_position := head.chain_position + 1;
    NEW.prev_hash := head.row_hash;
    NEW.row_hash := credential_audit_row_hash(NEW);
    UPDATE credential_audit_chain_head SET chain_position = NEW.chain_position, row_hash = NEW.row_hash;
    RETURN NEW;
END;
$$;

CREATE TRIGGER trg_credential_audit_logs_chain BEFORE INSERT ON credential_audit_logs
    FOR EACH ROW EXECUTE FUNCTION chain_credential_audit();

-- ---------------------------------------------------------------------------
-- Append-only
-- ---------------------------------------------------------------------------

-- The chain links of audit rows removed by a deliberate purge (ON DELETE CASCADE from credentials),
-- so that verify-audit can tell a purge from tampering: the chain runs through these records.
CREATE TABLE credential_audit_purges (
    chain_position BIGINT PRIMARY KEY,
    audit_id       INTEGER NOT NULL,
    audit_uuid     UUID NOT NULL,
    credential_id  INTEGER NOT NULL,
    prev_hash      BYTEA NOT NULL,
    row_hash       BYTEA NOT NULL,
    purged_at      TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT NOW(),
    purged_by      TEXT NOT NULL DEFAULT session_user
);
CREATE INDEX idx_credential_audit_purges_credential_id ON credential_audit_purges (credential_id);

-- Refuses UPDATE, DELETE and TRUNCATE. The one exception: a row of credential_audit_logs deleted by
-- the foreign key's ON DELETE CASCADE (issued from a trigger, the credential already gone), which
-- is the owner's deliberate purge; its link is kept in credential_audit_purges.
CREATE FUNCTION refuse_audit_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'credential_audit_logs' AND pg_trigger_depth() > 1 THEN
        IF TG_OP = 'DELETE' AND NOT EXISTS (SELECT FROM credentials WHERE id = OLD.credential_id) THEN
            INSERT INTO credential_audit_purges (chain_position, audit_id, audit_uuid, credential_id, prev_hash, row_hash)
            VALUES (OLD.chain_position, OLD.id, OLD.uuid, OLD.credential_id, OLD.prev_hash, OLD.row_hash);
            RETURN OLD;
        END IF;
        -- ON DELETE SET NULL of user_id would rewrite who did it.
        IF TG_OP = 'UPDATE' AND OLD.user_id IS NOT NULL AND NEW.user_id IS NULL
           AND NOT EXISTS (SELECT FROM users WHERE id = OLD.user_id) THEN
            RAISE EXCEPTION 'credential_audit_logs is append-only: user % has audit history and cannot be deleted', OLD.user_id
                USING ERRCODE = 'MC004', HINT = 'Deactivate the user instead (users.is_active = false).';
        END IF;
    END IF;
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'MC004',
              HINT = 'Audit rows are never changed or removed; purging a credential (DELETE FROM credentials) takes its history with it.';
END;
$$;

CREATE TRIGGER trg_credential_audit_logs_append_only BEFORE UPDATE OR DELETE ON credential_audit_logs
    FOR EACH ROW EXECUTE FUNCTION refuse_audit_change();
CREATE TRIGGER trg_credential_audit_logs_no_truncate BEFORE TRUNCATE ON credential_audit_logs
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_audit_change();
CREATE TRIGGER trg_credential_audit_purges_append_only BEFORE UPDATE OR DELETE ON credential_audit_purges
    FOR EACH ROW EXECUTE FUNCTION refuse_audit_change();
CREATE TRIGGER trg_credential_audit_purges_no_truncate BEFORE TRUNCATE ON credential_audit_purges
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_audit_change();

-- ---------------------------------------------------------------------------
-- Audit writers: they run as the owner (SECURITY DEFINER), so the API needs no INSERT on the log
-- ---------------------------------------------------------------------------

-- Writes one audit row at a given time; the request's context (app.*) says who and from where.
CREATE FUNCTION record_credential_audit(p_credential_id integer, p_action text, p_created_at timestamptz)
RETURNS void
LANGUAGE sql VOLATILE AS $$
    INSERT INTO credential_audit_logs (credential_id, user_id, action, ip_address, user_agent, created_at)
    VALUES (
        p_credential_id,
        NULLIF(current_setting('app.user_id', true), '')::integer,
        p_action,
        NULLIF(current_setting('app.ip_address', true), '')::inet,
        NULLIF(current_setting('app.user_agent', true), ''),
        p_created_at
    );
$$;

CREATE OR REPLACE FUNCTION record_credential_audit(p_credential_id integer, p_action text) RETURNS void
LANGUAGE sql VOLATILE AS $$
    SELECT record_credential_audit(p_credential_id, p_action, now());
$$;

-- As in 001, except that the 'create' row is dated when the credential was created: now() for the
-- API, which cannot set credentials.created_at; the credential's own date for an owner importing
-- older records (the sample data), with no audit row rewritten afterwards.
CREATE OR REPLACE FUNCTION log_credential_access() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM record_credential_audit(NEW.id, 'create', NEW.created_at);
    ELSIF OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL THEN
        PERFORM record_credential_audit(NEW.id, 'delete');
    ELSE
        PERFORM record_credential_audit(NEW.id, 'update');
    END IF;
    RETURN NULL;
END;
$$;

-- Who may call what: writing audit rows directly is the owner's; the API reaches it only through
-- a credential write, view_credential and reveal_credential.
REVOKE EXECUTE ON FUNCTION record_credential_audit(integer, text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION record_credential_audit(integer, text, timestamptz) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION reveal_credential(integer, text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION view_credential(integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION reveal_credential(integer, text), view_credential(integer) TO mini_crm_app;

-- A fixed search_path for the functions that run as their owner or inside a cascade, so that no
-- object of the caller's (a temporary table, say) can stand in for the schema's: this schema, then
-- pgcrypto's (wherever it was installed), then pg_temp last.
DO $$
DECLARE
    path text := quote_ident(current_schema());
    crypto_schema text := (SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
                           WHERE e.extname = 'pgcrypto');
    fn text;
BEGIN
    IF crypto_schema IS NOT NULL AND crypto_schema <> current_schema() THEN
        path := path || ', ' || quote_ident(crypto_schema);
    END IF;
    path := path || ', pg_temp';
    FOREACH fn IN ARRAY ARRAY[
        'log_credential_access()', 'reveal_credential(integer, text)', 'view_credential(integer)',
        'chain_credential_audit()'
    ] LOOP
        EXECUTE format('ALTER FUNCTION %s SECURITY DEFINER SET search_path = %s', fn, path);
    END LOOP;
    EXECUTE format('ALTER FUNCTION refuse_audit_change() SET search_path = %s', path);
END
$$;

COMMENT ON TABLE credential_audit_chain_head IS 'The audit hash chain''s newest link; every append locks this row until it commits.';
COMMENT ON TABLE credential_audit_purges IS 'Chain links of audit rows removed by a deliberate purge (ON DELETE CASCADE); append-only.';
COMMENT ON FUNCTION credential_audit_row_hash(credential_audit_logs) IS 'sha256 over an audit row''s content and prev_hash; what pnpm db verify-audit recomputes.';
