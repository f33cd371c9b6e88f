-- Mini CRM migration 006: keep bind parameters out of PostgreSQL's statement log.
--
-- Secrets and keys reach PostgreSQL only as bind parameters, never in SQL text. But a server that
-- logs statements (log_statement = 'all', log_min_duration_statement, an error's statement) also
-- prints the parameters: "DETAIL: Parameters: $4 = '<the secret>', $5 = '<the key>'". From
-- PostgreSQL 13 log_parameter_max_length(_on_error) = 0 turns that off. It is set for this database
-- (the owner's connections: migrations, `pnpm crm rotate-key`, the key check at start) and for the
-- API's role (its connections to any database of the server, including ones cloned from this).
-- Both need a superuser; without one the migration goes on and warns. PostgreSQL 12 has no such
-- setting: do not log statements there (README, SECURITY.md).
DO $$
BEGIN
    IF current_setting('server_version_num')::int < 130000 THEN
        RAISE WARNING 'PostgreSQL % logs bind parameters (secrets, keys) with every logged statement',
            current_setting('server_version')
            USING HINT = 'keep log_statement = none and log_min_duration_statement = -1 on this server';
        RETURN;
    END IF;
    EXECUTE format('ALTER DATABASE %I SET log_parameter_max_length = 0', current_database());
    EXECUTE format('ALTER DATABASE %I SET log_parameter_max_length_on_error = 0', current_database());
    ALTER ROLE mini_crm_app SET log_parameter_max_length = 0;
    ALTER ROLE mini_crm_app SET log_parameter_max_length_on_error = 0;
EXCEPTION WHEN insufficient_privilege THEN
    RAISE WARNING 'bind parameters (secrets, keys) would appear in logged statements'
        USING HINT = 'as a superuser: ALTER ROLE mini_crm_app SET log_parameter_max_length = 0; '
                     'ALTER ROLE mini_crm_app SET log_parameter_max_length_on_error = 0; and the same '
                     'ALTER DATABASE <name> SET ... for the owner''s connections';
END
$$;
