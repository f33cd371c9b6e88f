-- Mini CRM: the spec's verification, usage, security and monitoring queries, as they run.
--
--   psql -v ON_ERROR_STOP=1 -d mini_crm -f database/postgresql_mini_crm_queries.sql
--
-- Fixed where shared/spec/ERRATA.md says the spec's versions fail (ERRATA n is named at each fix).
-- The writes of "Security Operations" run in a transaction that is rolled back, so running this file
-- changes nothing. psql's \dt, \dv and \df (the spec's first checks) are psql commands: run them
-- yourself; this file holds SQL only, so that the app's tests can execute it too.

-- ===========================================================================
-- Setup: Verify Installation (every table should count more than zero rows after the sample data)
-- ===========================================================================
SELECT table_name, record_count FROM (
    SELECT 'users' AS table_name, COUNT(*) AS record_count FROM users
    UNION ALL
    SELECT 'clients', COUNT(*) FROM clients
    UNION ALL
    SELECT 'tasks', COUNT(*) FROM tasks
    UNION ALL
    SELECT 'credentials', COUNT(*) FROM credentials
    UNION ALL
    SELECT 'credential_audit_logs', COUNT(*) FROM credential_audit_logs
) counts ORDER BY table_name;

-- ===========================================================================
-- Usage Examples: Common Queries
-- ===========================================================================

-- Get active clients with task statistics
SELECT name, company, task_count, pending_tasks, credential_count
FROM client_overview
WHERE status = 'active'
ORDER BY task_count DESC, name;

-- Find overdue tasks
SELECT title, client_name, due_date, priority, assigned_user_name
FROM task_overview
WHERE urgency_status = 'overdue'
ORDER BY due_date;

-- Search clients by multiple tags (served by the GIN index idx_clients_tags)
SELECT name, company, tags
FROM clients
WHERE tags && ARRAY['enterprise', 'high-value'];

-- Find clients by one tag
SELECT name, company, tags FROM find_clients_by_tag('enterprise');

-- Audit credential access (ERRATA 2: created_at was ambiguous, and user_name / credential_label are
-- no columns: qualify and alias them)
SELECT cal.action, cal.created_at, u.name AS user_name, c.label AS credential_label, cal.ip_address
FROM credential_audit_logs cal
JOIN credentials c ON cal.credential_id = c.id
JOIN users u ON cal.user_id = u.id
WHERE cal.action = 'decrypt'
ORDER BY cal.created_at DESC;

-- Timezone-aware queries
SELECT name, created_at AT TIME ZONE timezone AS local_time
FROM clients
WHERE timezone != 'UTC';

-- ===========================================================================
-- Database Views and Helper Functions
-- ===========================================================================

-- client_overview: active clients with task, overdue and credential counts, and their owner
SELECT name, company, owner_name, task_count, overdue_tasks, credential_count
FROM client_overview
WHERE status = 'active'
ORDER BY name;

-- task_overview: open tasks by urgency (overdue, due_today, due_soon, normal)
SELECT urgency_status, count(*) AS open_tasks
FROM task_overview
WHERE is_open
GROUP BY urgency_status
ORDER BY urgency_status;

-- Encryption helpers with an explicit key (the two-argument forms): a round trip
SELECT decrypt_credential_value(encrypt_credential_value('my_password', 'encryption_key'), 'encryption_key')
    AS round_trip;

-- ===========================================================================
-- Security Operations (in a transaction that is rolled back: nothing stays behind)
-- ===========================================================================
BEGIN;

-- The one-argument encrypt takes the key from app.encryption_key (ERRATA 4). Set it per
-- transaction; in the app the key is a bind parameter, never text in a query. Here: the key your
-- session has, else the public demo key the sample data uses.
SELECT set_config(
    'app.encryption_key',
    COALESCE(NULLIF(current_setting('app.encryption_key', true), ''), 'mini-crm-demo-key-not-for-production'),
    true
) IS NOT NULL AS key_set;

-- Create encrypted credential (the spec used client_id 1; here: the first client, whatever its id).
-- The audit trigger writes its 'create' row.
INSERT INTO credentials (client_id, label, username, encrypted_value, url)
VALUES ((SELECT min(id) FROM clients), 'WordPress Admin', 'admin',
        encrypt_credential_value('secure_password'),
        'https://example.com/wp-admin');

-- Reveal it: decrypts and logs 'decrypt' in the same call (ERRATA 5: triggers cannot see reads)
SELECT reveal_credential((SELECT max(id) FROM credentials)) AS revealed;

-- Reading a credential's details without its secret is logged as 'view'
SELECT view_credential((SELECT max(id) FROM credentials));

-- Manually log credential access
INSERT INTO credential_audit_logs (credential_id, user_id, action, ip_address)
VALUES ((SELECT max(id) FROM credentials), (SELECT min(id) FROM users), 'decrypt', '192.168.1.100');

ROLLBACK;

-- Find credentials that haven't been accessed recently
SELECT c.label, cl.name, MAX(cal.created_at) AS last_access
FROM credentials c
JOIN clients cl ON c.client_id = cl.id
LEFT JOIN credential_audit_logs cal ON c.id = cal.credential_id
GROUP BY c.id, c.label, cl.name
HAVING MAX(cal.created_at) < NOW() - INTERVAL '30 days' OR MAX(cal.created_at) IS NULL;

-- ===========================================================================
-- Maintenance and Monitoring
-- ===========================================================================

-- Analyze tables for query optimization
ANALYZE users, clients, tasks, credentials, credential_audit_logs;

-- Check index usage (ERRATA 3: pg_stat_user_indexes names them relname and indexrelname)
SELECT schemaname, relname AS tablename, indexrelname AS indexname, idx_tup_read, idx_tup_fetch
FROM pg_stat_user_indexes
WHERE schemaname = 'public'
ORDER BY idx_tup_read DESC;

-- Monitor table sizes
SELECT
    tablename,
    pg_size_pretty(pg_total_relation_size(format('%I.%I', schemaname, tablename)::regclass)) AS size
FROM pg_tables
WHERE schemaname = 'public'
ORDER BY pg_total_relation_size(format('%I.%I', schemaname, tablename)::regclass) DESC;

-- Security Monitoring: unusual credential access patterns
SELECT
    cal.credential_id,
    c.label,
    COUNT(*) AS access_count,
    COUNT(DISTINCT cal.ip_address) AS unique_ips,
    COUNT(DISTINCT cal.user_id) AS unique_users
FROM credential_audit_logs cal
JOIN credentials c ON cal.credential_id = c.id
WHERE cal.created_at > NOW() - INTERVAL '24 hours'
GROUP BY cal.credential_id, c.label
HAVING COUNT(*) > 10 OR COUNT(DISTINCT cal.ip_address) > 3;

-- The same, per credential, from the view
SELECT label, client_name, access_count, view_count, decrypt_count, last_accessed_at, unique_user_count, unique_ip_count
FROM credential_audit_summary
WHERE decrypt_count > 0
ORDER BY decrypt_count DESC;
