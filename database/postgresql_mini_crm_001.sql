-- Mini CRM schema (spec: shared/spec/mini-crm-schema.md, fixed where ERRATA.md says it fails).
--
-- Runs on an empty database of PostgreSQL 12 or newer:
--   psql -v ON_ERROR_STOP=1 -d mini_crm -f database/postgresql_mini_crm_001.sql
-- The app's migration runner applies it the same way, inside one transaction.
-- Shipped migrations are never edited: later changes go in postgresql_mini_crm_002_<what>.sql.
--
-- Error codes raised by this schema's functions (also listed in the README):
--   MC001  no encryption key: app.encryption_key is not set and no key was passed
--   MC002  credential decryption failed: wrong key or corrupt data
--   MC003  credential not found (or deleted) when revealing it

CREATE EXTENSION IF NOT EXISTS "uuid-ossp";
CREATE EXTENSION IF NOT EXISTS pgcrypto; -- pgp_sym_encrypt, crypt, and gen_random_uuid on PostgreSQL 12

-- ---------------------------------------------------------------------------
-- Validation helpers used by CHECK constraints (one rule each, shared by every column it guards)
-- ---------------------------------------------------------------------------

-- True when tz is a time zone name the server knows (Europe/Berlin, UTC, America/Argentina/Salta).
-- It asks the same code path that `SET TimeZone` uses, so every stored zone can later be used as a
-- session time zone. Scanning pg_timezone_names per row would read the whole tz database each time;
-- this costs one subtransaction. The pattern refuses POSIX offsets ("UTC+5", "<+03>-3") and
-- abbreviations are refused by SET itself ("PST" is not a zone).
CREATE FUNCTION is_valid_timezone(tz text) RETURNS boolean
LANGUAGE plpgsql STABLE STRICT AS $$
BEGIN
    IF tz !~ '^[A-Za-z][A-Za-z0-9_-]*(/[A-Za-z0-9_+-]+){0,2}$'
       OR lower(tz) IN ('localtime', 'posixrules', 'factory') THEN -- tzdata files, not places
        RETURN false;
    END IF;
    BEGIN
        PERFORM set_config('TimeZone', tz, true);
        -- Raising rolls the subtransaction back, which undoes the set_config above.
        RAISE EXCEPTION USING ERRCODE = 'MC900';
    EXCEPTION
        WHEN invalid_parameter_value THEN RETURN false;
        WHEN SQLSTATE 'MC900' THEN RETURN true;
    END;
END;
$$;

-- An address a person can type and mail: local part with the characters RFC 5322 allows unquoted
-- (o'brien+crm@example.ie), a domain of dot-separated labels ending in a letters-only TLD.
CREATE FUNCTION is_valid_email(email text) RETURNS boolean
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT email ~ '^[A-Za-z0-9.!#$%&''*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$';
$$;

-- An http(s) URL with a dotted host name (https://example.com/path?q=1); other schemes, such as
-- javascript: or ftp:, are refused because the app renders these as links.
CREATE FUNCTION is_valid_http_url(url text) RETURNS boolean
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT url ~* '^https?://[^\s/?#]+\.[^\s/?#]+([/?#]\S*)?$';
$$;

COMMENT ON FUNCTION is_valid_timezone(text) IS 'True for a time zone name accepted by SET TimeZone (IANA names); used by CHECK constraints.';

-- ---------------------------------------------------------------------------
-- Tables
-- ---------------------------------------------------------------------------
-- *_not_blank: the value holds a character that is not white space (btrim() alone strips only
-- spaces, so a name of a tab or a line break would pass it).

CREATE TABLE users (
    id            SERIAL PRIMARY KEY,
    uuid          UUID NOT NULL DEFAULT gen_random_uuid(),
    email         VARCHAR(255) NOT NULL,
    name          VARCHAR(255) NOT NULL,
    password_hash VARCHAR(255) NOT NULL,
    role          VARCHAR(50) NOT NULL DEFAULT 'user',
    is_active     BOOLEAN NOT NULL DEFAULT TRUE,
    timezone      VARCHAR(100) NOT NULL DEFAULT 'UTC',
    created_at    TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT NOW(),
    updated_at    TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT NOW(),
    CONSTRAINT users_uuid_key UNIQUE (uuid),
    CONSTRAINT users_email_key UNIQUE (email),
    CONSTRAINT users_email_format CHECK (is_valid_email(email)),
    CONSTRAINT users_name_not_blank CHECK (name ~ '\S'),
    CONSTRAINT users_role_valid CHECK (role IN ('admin', 'manager', 'user')),
    CONSTRAINT users_timezone_valid CHECK (is_valid_timezone(timezone))
);

CREATE TABLE clients (
    id            SERIAL PRIMARY KEY,
    uuid          UUID NOT NULL DEFAULT gen_random_uuid(),
    name          VARCHAR(255) NOT NULL,
    company       VARCHAR(255),
    email         VARCHAR(255),
    phone         VARCHAR(50),
    status        VARCHAR(50) NOT NULL DEFAULT 'active',
    tags          TEXT[] NOT NULL DEFAULT '{}',
    timezone      VARCHAR(100) NOT NULL DEFAULT 'UTC',
    website_url   VARCHAR(500),
    notes         TEXT,
    owner_user_id INTEGER,
    created_at    TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT NOW(),
    updated_at    TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT NOW(),
    CONSTRAINT clients_uuid_key UNIQUE (uuid),
    CONSTRAINT clients_name_not_blank CHECK (name ~ '\S'),
    CONSTRAINT clients_email_format CHECK (is_valid_email(email)),
    CONSTRAINT clients_status_valid CHECK (status IN ('active', 'inactive', 'prospect', 'archived')),
    CONSTRAINT clients_timezone_valid CHECK (is_valid_timezone(timezone)),
    CONSTRAINT clients_website_url_format CHECK (is_valid_http_url(website_url)),
    CONSTRAINT clients_owner_user_id_fkey FOREIGN KEY (owner_user_id)
        REFERENCES users (id) ON DELETE SET NULL
);

CREATE TABLE tasks (
    id               SERIAL PRIMARY KEY,
    uuid             UUID NOT NULL DEFAULT gen_random_uuid(),
    client_id        INTEGER NOT NULL,
    title            VARCHAR(255) NOT NULL,
    description      TEXT,
    status           VARCHAR(50) NOT NULL DEFAULT 'pending',
    priority         VARCHAR(50) NOT NULL DEFAULT 'medium',
    due_date         DATE,
    assigned_user_id INTEGER,
    created_at       TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT NOW(),
    updated_at       TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT NOW(),
    CONSTRAINT tasks_uuid_key UNIQUE (uuid),
    CONSTRAINT tasks_title_not_blank CHECK (title ~ '\S'),
    CONSTRAINT tasks_status_valid CHECK (status IN ('pending', 'in_progress', 'completed', 'cancelled', 'on_hold')),
    CONSTRAINT tasks_priority_valid CHECK (priority IN ('low', 'medium', 'high', 'urgent')),
    CONSTRAINT tasks_due_date_range CHECK (due_date BETWEEN DATE '2000-01-01' AND DATE '2100-12-31'),
    CONSTRAINT tasks_client_id_fkey FOREIGN KEY (client_id)
        REFERENCES clients (id) ON DELETE CASCADE,
    CONSTRAINT tasks_assigned_user_id_fkey FOREIGN KEY (assigned_user_id)
        REFERENCES users (id) ON DELETE SET NULL
);

-- deleted_at is not in the spec's table. The spec's ON DELETE CASCADE erases a credential's audit
-- history with it (a 'delete' audit row written by a trigger would vanish in the same statement), so
-- the app deletes a credential by setting deleted_at; the trigger records that as 'delete' and the
-- history stays. A hard DELETE remains the database owner's deliberate purge.
CREATE TABLE credentials (
    id              SERIAL PRIMARY KEY,
    uuid            UUID NOT NULL DEFAULT gen_random_uuid(),
    client_id       INTEGER NOT NULL,
    label           VARCHAR(255) NOT NULL,
    username        VARCHAR(255),
    encrypted_value BYTEA,
    url             VARCHAR(500),
    notes           TEXT,
    created_at      TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT NOW(),
    updated_at      TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT NOW(),
    deleted_at      TIMESTAMP WITH TIME ZONE,
    CONSTRAINT credentials_uuid_key UNIQUE (uuid),
    CONSTRAINT credentials_label_not_blank CHECK (label ~ '\S'),
    CONSTRAINT credentials_url_format CHECK (is_valid_http_url(url)),
    CONSTRAINT credentials_client_id_fkey FOREIGN KEY (client_id)
        REFERENCES clients (id) ON DELETE CASCADE
);

-- action has no default on purpose: an audit row must say what happened.
CREATE TABLE credential_audit_logs (
    id            SERIAL PRIMARY KEY,
    uuid          UUID NOT NULL DEFAULT gen_random_uuid(),
    credential_id INTEGER NOT NULL,
    user_id       INTEGER,
    action        VARCHAR(50) NOT NULL,
    created_at    TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT NOW(),
    ip_address    INET,
    user_agent    TEXT,
    CONSTRAINT credential_audit_logs_uuid_key UNIQUE (uuid),
    CONSTRAINT credential_audit_logs_action_valid CHECK (action IN ('view', 'create', 'update', 'delete', 'decrypt')),
    CONSTRAINT credential_audit_logs_credential_id_fkey FOREIGN KEY (credential_id)
        REFERENCES credentials (id) ON DELETE CASCADE,
    CONSTRAINT credential_audit_logs_user_id_fkey FOREIGN KEY (user_id)
        REFERENCES users (id) ON DELETE SET NULL
);

-- ---------------------------------------------------------------------------
-- Indexes
-- ---------------------------------------------------------------------------

-- Each indexed column of the spec has an index led by it, named idx_<table>_<column>. Where a common
-- query also filters or sorts by a second column, that index carries it too: an index whose leading
-- column is X serves every lookup a plain index on X would, and a second, plain one would only slow
-- every write. The foreign keys' columns lead an index each, so ON DELETE actions find their rows.

-- users: email equality is served by users_email_key; sign-in looks emails up case-insensitively,
-- and two accounts must not differ only by case.
CREATE UNIQUE INDEX idx_users_email_lower ON users (lower(email));
CREATE INDEX idx_users_role ON users (role);
CREATE INDEX idx_users_is_active ON users (is_active);
CREATE INDEX idx_users_created_at ON users (created_at);

-- clients: lists sort by name with a (name, id) keyset cursor, overall, per status or per owner.
CREATE INDEX idx_clients_name ON clients (name, id);
CREATE INDEX idx_clients_status ON clients (status, name, id);
CREATE INDEX idx_clients_owner_user_id ON clients (owner_user_id, name, id);
CREATE INDEX idx_clients_company ON clients (company);
CREATE INDEX idx_clients_email_lower ON clients (lower(email));
CREATE INDEX idx_clients_created_at ON clients (created_at);
CREATE INDEX idx_clients_updated_at ON clients (updated_at);
CREATE INDEX idx_clients_tags ON clients USING GIN (tags);

-- tasks: per client or assignee, narrowed by status.
CREATE INDEX idx_tasks_client_id ON tasks (client_id, status);
CREATE INDEX idx_tasks_assigned_user_id ON tasks (assigned_user_id, status);
CREATE INDEX idx_tasks_status ON tasks (status);
CREATE INDEX idx_tasks_priority ON tasks (priority);
CREATE INDEX idx_tasks_due_date ON tasks (due_date);
CREATE INDEX idx_tasks_created_at ON tasks (created_at);
-- Open tasks (ERRATA 1): "open" means not completed and not cancelled, as in task_overview. An index
-- predicate cannot mention CURRENT_DATE, so these index the open tasks by due date and a query for
-- overdue / due today / due soon adds its date range. The planner uses them when the query repeats
-- the predicate literally: status NOT IN ('completed', 'cancelled').
CREATE INDEX idx_tasks_open_due_date ON tasks (due_date)
    WHERE status NOT IN ('completed', 'cancelled');
CREATE INDEX idx_tasks_open_client_due_date ON tasks (client_id, due_date)
    WHERE status NOT IN ('completed', 'cancelled');
CREATE INDEX idx_tasks_open_assignee_due_date ON tasks (assigned_user_id, due_date)
    WHERE status NOT IN ('completed', 'cancelled');

-- credentials: a client's credentials by label.
CREATE INDEX idx_credentials_client_id ON credentials (client_id, label);
CREATE INDEX idx_credentials_label ON credentials (label);
CREATE INDEX idx_credentials_username ON credentials (username);
CREATE INDEX idx_credentials_created_at ON credentials (created_at);
CREATE INDEX idx_credentials_updated_at ON credentials (updated_at);

-- credential_audit_logs: a credential's, an action's or a user's history, newest first. The user
-- index is partial (anonymous rows are never looked up by user); it still serves the ON DELETE SET
-- NULL lookup, since user_id = $1 implies user_id IS NOT NULL.
CREATE INDEX idx_credential_audit_logs_credential_id ON credential_audit_logs (credential_id, created_at);
CREATE INDEX idx_credential_audit_logs_action ON credential_audit_logs (action, created_at);
CREATE INDEX idx_credential_audit_logs_created_at ON credential_audit_logs (created_at);
CREATE INDEX idx_credential_audit_logs_ip_address ON credential_audit_logs (ip_address);
CREATE INDEX idx_credential_audit_logs_user_created_at ON credential_audit_logs (user_id, created_at)
    WHERE user_id IS NOT NULL;

-- ---------------------------------------------------------------------------
-- updated_at
-- ---------------------------------------------------------------------------

CREATE FUNCTION update_updated_at_column() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := NOW();
    RETURN NEW;
END;
$$;

CREATE TRIGGER trg_users_updated_at BEFORE UPDATE ON users
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
CREATE TRIGGER trg_clients_updated_at BEFORE UPDATE ON clients
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
CREATE TRIGGER trg_tasks_updated_at BEFORE UPDATE ON tasks
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
CREATE TRIGGER trg_credentials_updated_at BEFORE UPDATE ON credentials
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();

-- ---------------------------------------------------------------------------
-- Encryption (pgcrypto, OpenPGP symmetric, AES-256)
-- ---------------------------------------------------------------------------
-- The key travels as a bind parameter or as the transaction-local setting app.encryption_key;
-- it is never stored in the database.

CREATE FUNCTION encrypt_credential_value(value text, key text) RETURNS bytea
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    IF value IS NULL THEN
        RETURN NULL;
    END IF;
    IF key IS NULL OR key = '' THEN
        RAISE EXCEPTION 'no encryption key: pass a key or set app.encryption_key'
            USING ERRCODE = 'MC001';
    END IF;
    RETURN pgp_sym_encrypt(value, key, 'cipher-algo=aes256');
END;
$$;

CREATE FUNCTION encrypt_credential_value(value text) RETURNS bytea
LANGUAGE sql VOLATILE AS $$
    SELECT encrypt_credential_value(value, current_setting('app.encryption_key', true));
$$;

CREATE FUNCTION decrypt_credential_value(data bytea, key text) RETURNS text
LANGUAGE plpgsql STABLE AS $$
BEGIN
    IF data IS NULL THEN
        RETURN NULL;
    END IF;
    IF key IS NULL OR key = '' THEN
        RAISE EXCEPTION 'no encryption key: pass a key or set app.encryption_key'
            USING ERRCODE = 'MC001';
    END IF;
    RETURN pgp_sym_decrypt(data, key);
EXCEPTION
    -- pgcrypto reports a wrong key, damaged or non-PGP data as 39000 ("Wrong key or corrupt data",
    -- "Corrupt ascii-armor", "Not text data" ...). One documented error replaces them all.
    WHEN external_routine_invocation_exception THEN
        RAISE EXCEPTION 'credential decryption failed: wrong key or corrupt data'
            USING ERRCODE = 'MC002';
END;
$$;

CREATE FUNCTION decrypt_credential_value(data bytea) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT decrypt_credential_value(data, current_setting('app.encryption_key', true));
$$;

-- ---------------------------------------------------------------------------
-- Audit
-- ---------------------------------------------------------------------------
-- Who, from where: the request's transaction sets app.user_id (users.id), app.ip_address and
-- app.user_agent with set_config(..., true); unset settings leave the columns NULL.

CREATE FUNCTION record_credential_audit(p_credential_id integer, p_action text) RETURNS void
LANGUAGE sql VOLATILE AS $$
    INSERT INTO credential_audit_logs (credential_id, user_id, action, ip_address, user_agent)
    VALUES (
        p_credential_id,
        NULLIF(current_setting('app.user_id', true), '')::integer,
        p_action,
        NULLIF(current_setting('app.ip_address', true), '')::inet,
        NULLIF(current_setting('app.user_agent', true), '')
    );
$$;

-- Triggers cannot fire on SELECT (ERRATA 5): create/update/delete are logged here, view and decrypt
-- by reveal_credential() / view_credential() and the API in the same transaction as the read.
CREATE FUNCTION log_credential_access() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM record_credential_audit(NEW.id, 'create');
    ELSIF OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL THEN
        PERFORM record_credential_audit(NEW.id, 'delete');
    ELSE
        PERFORM record_credential_audit(NEW.id, 'update');
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER trg_credentials_audit AFTER INSERT OR UPDATE ON credentials
    FOR EACH ROW EXECUTE FUNCTION log_credential_access();

-- Decrypts one credential and records 'decrypt' in the same call: a reveal without its audit row
-- cannot happen. The key argument defaults to app.encryption_key.
CREATE FUNCTION reveal_credential(p_credential_id integer, p_key text DEFAULT NULL) RETURNS text
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    secret bytea;
BEGIN
    SELECT encrypted_value INTO secret
    FROM credentials
    WHERE id = p_credential_id AND deleted_at IS NULL;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'credential % not found', p_credential_id USING ERRCODE = 'MC003';
    END IF;
    PERFORM record_credential_audit(p_credential_id, 'decrypt');
    RETURN decrypt_credential_value(secret, COALESCE(p_key, current_setting('app.encryption_key', true)));
END;
$$;

-- Records 'view' for a credential whose details (never the secret) are being read.
CREATE FUNCTION view_credential(p_credential_id integer) RETURNS void
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM credentials WHERE id = p_credential_id AND deleted_at IS NULL) THEN
        RAISE EXCEPTION 'credential % not found', p_credential_id USING ERRCODE = 'MC003';
    END IF;
    PERFORM record_credential_audit(p_credential_id, 'view');
END;
$$;

-- ---------------------------------------------------------------------------
-- Views
-- ---------------------------------------------------------------------------
-- CURRENT_DATE follows the session's TimeZone: a transaction that sets TimeZone to the user's zone
-- sees that user's "today".

CREATE VIEW client_overview AS
SELECT
    c.id, c.uuid, c.name, c.company, c.email, c.phone, c.status, c.tags, c.timezone,
    c.website_url, c.notes, c.owner_user_id, c.created_at, c.updated_at,
    u.uuid  AS owner_uuid,
    u.name  AS owner_name,
    u.email AS owner_email,
    COALESCE(t.task_count, 0)        AS task_count,
    COALESCE(t.pending_tasks, 0)     AS pending_tasks,
    COALESCE(t.in_progress_tasks, 0) AS in_progress_tasks,
    COALESCE(t.overdue_tasks, 0)     AS overdue_tasks,
    COALESCE(t.completed_tasks, 0)   AS completed_tasks,
    COALESCE(cr.credential_count, 0) AS credential_count
FROM clients c
LEFT JOIN users u ON u.id = c.owner_user_id
LEFT JOIN LATERAL (
    SELECT
        count(*)                                              AS task_count,
        count(*) FILTER (WHERE tk.status = 'pending')         AS pending_tasks,
        count(*) FILTER (WHERE tk.status = 'in_progress')     AS in_progress_tasks,
        count(*) FILTER (WHERE tk.status NOT IN ('completed', 'cancelled')
                           AND tk.due_date < CURRENT_DATE)    AS overdue_tasks,
        count(*) FILTER (WHERE tk.status = 'completed')       AS completed_tasks
    FROM tasks tk
    WHERE tk.client_id = c.id
) t ON true
LEFT JOIN LATERAL (
    SELECT count(*) AS credential_count
    FROM credentials cd
    WHERE cd.client_id = c.id AND cd.deleted_at IS NULL
) cr ON true;

CREATE VIEW task_overview AS
SELECT
    t.id, t.uuid, t.client_id, t.title, t.description, t.status, t.priority, t.due_date,
    t.assigned_user_id, t.created_at, t.updated_at,
    c.uuid    AS client_uuid,
    c.name    AS client_name,
    c.company AS client_company,
    u.uuid    AS assigned_user_uuid,
    u.name    AS assigned_user_name,
    u.email   AS assigned_user_email,
    (t.status NOT IN ('completed', 'cancelled')) AS is_open,
    CASE
        WHEN t.status IN ('completed', 'cancelled') OR t.due_date IS NULL THEN 'normal'
        WHEN t.due_date < CURRENT_DATE THEN 'overdue'
        WHEN t.due_date = CURRENT_DATE THEN 'due_today'
        WHEN t.due_date <= CURRENT_DATE + 7 THEN 'due_soon'
        ELSE 'normal'
    END AS urgency_status
FROM tasks t
JOIN clients c ON c.id = t.client_id
LEFT JOIN users u ON u.id = t.assigned_user_id;

-- access_count counts every audit event of the credential (as the spec's monitoring query does);
-- last_accessed_at is the newest of them. Deleted credentials stay listed: their history matters.
CREATE VIEW credential_audit_summary AS
SELECT
    cd.id         AS credential_id,
    cd.uuid       AS credential_uuid,
    cd.label,
    cd.client_id,
    cl.uuid       AS client_uuid,
    cl.name       AS client_name,
    cd.deleted_at,
    count(a.id)                                  AS access_count,
    count(a.id) FILTER (WHERE a.action = 'view')    AS view_count,
    count(a.id) FILTER (WHERE a.action = 'decrypt') AS decrypt_count,
    max(a.created_at)                            AS last_accessed_at,
    count(DISTINCT a.user_id)                    AS unique_user_count,
    count(DISTINCT a.ip_address)                 AS unique_ip_count
FROM credentials cd
JOIN clients cl ON cl.id = cd.client_id
LEFT JOIN credential_audit_logs a ON a.credential_id = cd.id
GROUP BY cd.id, cl.id;

-- ---------------------------------------------------------------------------
-- Search
-- ---------------------------------------------------------------------------

-- Clients carrying the tag, by name; served by idx_clients_tags.
CREATE FUNCTION find_clients_by_tag(tag text) RETURNS SETOF clients
LANGUAGE sql STABLE AS $$
    SELECT * FROM clients WHERE tags @> ARRAY[tag] ORDER BY name, id;
$$;
