-- Mini CRM migration 009: tell the API processes when a session or its user changes.
--
-- A read may skip its scope statement when the API already knows the session is live and the
-- pooled connection already carries the caller's settings (apps/api/src/auth/session-cache.ts).
-- Each API process LISTENs on this channel and forgets what it knew of a user whose row or
-- sessions changed: a sign-out, a deactivation, a new role, password or time zone. The payload is
-- the user's id; NOTIFY sends it when the transaction commits, and once per user and transaction.
CREATE FUNCTION notify_session_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    -- Two statements: PL/pgSQL resolves OLD's fields when a statement first runs for the table.
    IF TG_TABLE_NAME = 'users' THEN
        PERFORM pg_notify('mini_crm_session_changes', OLD.id::text);
    ELSE
        PERFORM pg_notify('mini_crm_session_changes', OLD.user_id::text);
    END IF;
    RETURN NULL;
END;
$$;

-- Inserts change nothing a process knows: a new session is read from the table on its first use.
CREATE TRIGGER trg_users_session_change
    AFTER UPDATE OR DELETE ON users
    FOR EACH ROW EXECUTE FUNCTION notify_session_change();

CREATE TRIGGER trg_user_sessions_change
    AFTER UPDATE OR DELETE ON user_sessions
    FOR EACH ROW EXECUTE FUNCTION notify_session_change();
