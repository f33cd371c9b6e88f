-- Mini CRM at scale: years of an agency's work, generated in SQL, to measure the app against.
--
--   pnpm db:scale [--scale 0.2]        (README, "Performance at scale"; src/scale.ts)
--   PGOPTIONS='-c scale.clients=20000 -c scale.tasks=200000 -c scale.credentials=10000 -c scale.audit_rows=400000' \
--     psql -v ON_ERROR_STOP=1 -1 -d mini_crm_scale -f database/postgresql_mini_crm_scale_data.sql
--   psql -d mini_crm_scale -c 'VACUUM ANALYZE'      (then, as pnpm db:scale does: fresh statistics)
--
-- Runs after the migrations, as the owner, in one transaction (-1), on a database without users.
-- The sizes come from settings (unset: the full set), the secrets' key from app.encryption_key
-- (unset: the public demo key, as in the sample data):
--   scale.users        200        users: the demo accounts (admin@, manager@, user@example.com,
--                                 password demo-password) and colleagues
--   scale.clients      100000     clients over five years, every status, time zone and tag
--   scale.tasks        1000000    tasks over the clients and assignees, due dates around today
--   scale.credentials  50000      credentials; 64 distinct secrets, each encrypted once
--   scale.audit_rows   2000000    audit rows: each credential's create (and delete), then views,
--                                 reveals and edits by a few people each, up to now
-- The same settings give the same rows, apart from the uuids and the secrets' ciphertexts.

SELECT setseed(0.5);

CREATE TEMPORARY TABLE scale_sizes ON COMMIT DROP AS
SELECT COALESCE(NULLIF(current_setting('scale.users', true), '')::int, 200) AS users,
       COALESCE(NULLIF(current_setting('scale.clients', true), '')::int, 100000) AS clients,
       COALESCE(NULLIF(current_setting('scale.tasks', true), '')::int, 1000000) AS tasks,
       COALESCE(NULLIF(current_setting('scale.credentials', true), '')::int, 50000) AS credentials,
       COALESCE(NULLIF(current_setting('scale.audit_rows', true), '')::int, 2000000) AS audit_rows;

DO $$
BEGIN
    IF EXISTS (SELECT FROM users) THEN
        RAISE EXCEPTION 'the database has users already: scale data goes into an empty, migrated database';
    END IF;
    IF (SELECT users < 3 OR clients < 1 OR credentials < 1 OR audit_rows < 2 * credentials FROM scale_sizes) THEN
        RAISE EXCEPTION 'scale: at least 3 users, 1 client and 1 credential, and twice as many audit rows as credentials';
    END IF;
    PERFORM set_config(
        'app.encryption_key',
        COALESCE(NULLIF(current_setting('app.encryption_key', true), ''), 'mini-crm-demo-key-not-for-production'),
        true
    );
END
$$;

-- Sorting millions of rows for the audit chain, and building the indexes, fit in memory.
SET LOCAL work_mem = '256MB';
SET LOCAL maintenance_work_mem = '512MB';

-- ---------------------------------------------------------------------------
-- Bulk-load mode, until the end of this file
-- ---------------------------------------------------------------------------
-- What the triggers would do row by row is done here set-based: the credentials' 'create' audit
-- rows and the audit hash chain below, the counters by recount_maintained_figures() at the end.
-- The triggers that would do it are off (ALTER TABLE, which also keeps other writers out of these
-- tables until commit). Every reference points at a row made before it (checked below), so for a
-- superuser the foreign-key checks are skipped too (session_replication_role = replica, which also
-- silences every trigger); another owner gets them checked, which is slower.
DO $$
BEGIN
    IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
        PERFORM set_config('session_replication_role', 'replica', true);
    END IF;
END
$$;
ALTER TABLE clients DISABLE TRIGGER trg_clients_count_insert;
ALTER TABLE credentials DISABLE TRIGGER trg_credentials_audit;
ALTER TABLE credential_audit_logs DISABLE TRIGGER trg_credential_audit_logs_chain;
ALTER TABLE credential_audit_logs DISABLE TRIGGER trg_credential_audit_logs_count;

-- Indexes are built once after the load, which is several times faster than keeping them up to
-- date row by row: the plain indexes and the unique constraints (uuids, the chain's positions) of
-- these tables are dropped here and made again at the end from their own definitions. Primary
-- keys stay (foreign keys hang on them), and so does any unique key a foreign key refers to.
CREATE TEMPORARY TABLE scale_dropped_indexes ON COMMIT DROP AS
SELECT format('DROP INDEX %s', i.indexrelid::regclass) AS drop_it, pg_get_indexdef(i.indexrelid) AS make_it
FROM pg_index i
WHERE i.indrelid IN ('clients'::regclass, 'tasks'::regclass, 'credentials'::regclass, 'credential_audit_logs'::regclass)
  AND NOT EXISTS (SELECT FROM pg_constraint c WHERE c.conindid = i.indexrelid)
UNION ALL
SELECT format('ALTER TABLE %s DROP CONSTRAINT %I', c.conrelid::regclass, c.conname),
       format('ALTER TABLE %s ADD CONSTRAINT %I %s', c.conrelid::regclass, c.conname, pg_get_constraintdef(c.oid))
FROM pg_constraint c
WHERE c.conrelid IN ('clients'::regclass, 'tasks'::regclass, 'credentials'::regclass, 'credential_audit_logs'::regclass)
  AND c.contype = 'u'
  AND NOT EXISTS (SELECT FROM pg_constraint f WHERE f.contype = 'f' AND f.conindid = c.conindid);

DO $$
DECLARE
    statement text;
BEGIN
    FOR statement IN SELECT drop_it FROM scale_dropped_indexes LOOP
        EXECUTE statement;
    END LOOP;
END
$$;

-- Word lists the rows are drawn from: constants, so that picking from them costs nothing per row.

CREATE FUNCTION pg_temp.first_names() RETURNS text[] LANGUAGE sql IMMUTABLE AS $$
    SELECT ARRAY['Ada','Alan','Grace','Hedy','Katherine','Linus','Priya','Kenji','Olivia','Mateo','Chloé','Tom','Nia',
        'Ethan','Isabella','Lukas','Zara','Ben','Mei','Oscar','Fatima','Jack','Elena','Samuel','Hannah','Rafael',
        'Yuki','Carlos','Emma','Lucas','Aisha','Henrik','Sofia','Liam','Noah','Uma','Avery','Morgan','Amara',
        'Björn','Chen','Diego','Eva','Farah','Gustav','Hugo','Ines','Jonas','Kai','Leila','Marta','Nils','Omar',
        'Paula','Quinn','Rosa','Sven','Tariq','Ursula','Viktor','Wen','Xavier','Yara','Zeynep','Anouk','Bruno',
        'Carmen','Dmitri','Elif','Felix','Greta','Hiro','Ivan','Jana','Karim','Lena','Milan','Nora','Otto',
        'Pia','Raj','Selin','Teo','Vera','Will','Ximena','Yusuf','Zoë','Ana','Boris','Clara','Dev','Erik',
        'Freya','Goran','Helga','Ilse','Jorge','Kira','Luca'];
$$;

CREATE FUNCTION pg_temp.last_names() RETURNS text[] LANGUAGE sql IMMUTABLE AS $$
    SELECT ARRAY['Hopper','Turing','Lamarr','Lovelace','Johnson','Berg','Raman','Sato','Brown','García','Martin',
        'Fischer','Okafor','Walker','Costa','Novak','Ahmed','Carter','Lin','Lind','Zahra','Murphy','Petrova',
        'Green','Schulz','Souza','Tanaka','Mendez','Wilson','Moreau','Bello','Larsen','Rossi','Chen','Patel',
        'Adams','Mills','Nakamura','Kowalski','Jensen','Dubois','Haddad','Ivanova','Kim','Lopez','Müller',
        'Nguyen','Olsen','Popescu','Quispe','Rahman','Silva','Torres','Usman','Varga','Weber','Xu','Yilmaz',
        'Zhou','Andersen','Bauer','Castro','Dahl','Eriksen','Ferreira','Gomez','Horvat','Iqbal','Jovanovic',
        'Kaya','Lehmann','Mazur','Nowak','Ortiz','Pereira','Richter','Santos','Takahashi','Urban','Vogel',
        'Wagner','Young','Zimmermann','Abe','Bianchi','Cruz','Doyle','Engel','Fuchs','Gallo','Hale','Ito',
        'Jung','Keller','Lange','Meyer','Nash','Ochoa','Price','Reyes'];
$$;

CREATE FUNCTION pg_temp.company_words() RETURNS text[] LANGUAGE sql IMMUTABLE AS $$
    SELECT ARRAY['Northwind','Bletchley','Frequency','Analytical','Orbit','Fjord','Chai','Sato','Harbour','Sol',
        'Boulangerie','Fischer','Lagos','Walker','Costa','Novak','Crescent','Carter','Jade','Lind','Atlas',
        'Murphy','Volga','Green Leaf','Schulz','Praia','Sakura','Mendez','Wilson','Moreau','Bello','Larsen',
        'Aurora','Blue Fern','Cedar','Delta','Ember','Falcon','Granite','Horizon','Iris','Juniper','Keystone',
        'Lumen','Maple','Nimbus','Oak','Pioneer','Quartz','Riverside','Summit','Tidal','Unity','Vertex',
        'Willow','Zenith','Alder','Beacon','Coral','Dune'];
$$;

CREATE FUNCTION pg_temp.company_kinds() RETURNS text[] LANGUAGE sql IMMUTABLE AS $$
    SELECT ARRAY['Traders','Analytics','Labs','Engines','Logistics','Outdoor','& Co','Robotics','Dental','Studio',
        'Maschinenbau','Fintech Hub','Plumbing','Architects','Brewing','Health','Legal','Garden Group',
        'Design','Travel','Farms','Textiles','Cafe','Steuerberatung','Surf School','Books','Auto Parts',
        'Partners','Vins','Events','Marine','Consulting','Media','Foods','Hotels','Clinic','Software',
        'Energy','Insurance','Realty'];
$$;

CREATE FUNCTION pg_temp.company_suffixes() RETURNS text[] LANGUAGE sql IMMUTABLE AS $$
    SELECT ARRAY['Ltd','GmbH','AB','SL','KK','Inc','LLC','SA','BV','Oy','','',''];
$$;

CREATE FUNCTION pg_temp.tags() RETURNS text[] LANGUAGE sql IMMUTABLE AS $$
    SELECT ARRAY['enterprise','high-value','retail','saas','logistics','ecommerce','smb','smb','smb','manufacturing',
        'healthcare','agency','fintech','local','local','legal','hospitality','travel','agriculture','retail',
        'saas','enterprise'];
$$;

CREATE FUNCTION pg_temp.timezones() RETURNS text[] LANGUAGE sql IMMUTABLE AS $$
    SELECT ARRAY['Europe/London','America/New_York','America/Los_Angeles','Europe/Stockholm','Asia/Kolkata',
        'Asia/Tokyo','Australia/Sydney','Europe/Madrid','Europe/Paris','Europe/Berlin','Africa/Lagos',
        'America/Sao_Paulo','Europe/Prague','Asia/Dubai','Asia/Hong_Kong','Europe/Oslo','Africa/Casablanca',
        'Europe/Dublin','Europe/Moscow','America/Mexico_City','Europe/Copenhagen','Europe/Rome','UTC',
        'America/Chicago','Pacific/Auckland'];
$$;

CREATE FUNCTION pg_temp.client_notes() RETURNS text[] LANGUAGE sql IMMUTABLE AS $$
    SELECT ARRAY['Renewal in Q3; prefers calls on Tuesdays.','Security review every January.','Wants monthly reporting.',
        'Board meets first Monday of the month.','Seasonal peaks in November.','Pays by invoice, 30 days.',
        'Met at the design conference.','Procurement needs a security questionnaire.',
        'Time difference: mornings only.','Referral from an existing client.'];
$$;

CREATE FUNCTION pg_temp.task_titles() RETURNS text[] LANGUAGE sql IMMUTABLE AS $$
    SELECT ARRAY['Quarterly business review','Renew SSL certificate','Update privacy policy page','Migrate mailboxes',
        'Send invoice','Follow up on proposal','Set up analytics goals','Backup restore drill',
        'Refresh product photos','Kick-off meeting','Review website copy','Patch CMS plugins',
        'Collect testimonials','Prepare workshop slides','Check domain renewal','Clean up CRM contacts',
        'Write case study','Configure 2FA for staff','Call about contract terms','Plan newsletter'];
$$;

CREATE FUNCTION pg_temp.task_descriptions() RETURNS text[] LANGUAGE sql IMMUTABLE AS $$
    SELECT ARRAY['Agenda: results, roadmap, open issues.','Expires soon; check the auto-renewal.',
        'Move the remaining mailboxes to the new tenant.','Monthly retainer.','They asked for a second option.',
        'Restore last night''s backup to staging.','Introduce the team and the timeline.',
        'Second round of edits from the client.','Security updates released this week.',
        'Merge duplicates found in the import.'];
$$;

CREATE FUNCTION pg_temp.labels() RETURNS text[] LANGUAGE sql IMMUTABLE AS $$
    SELECT ARRAY['WordPress Admin','Google Workspace','AWS Console','Grafana','Stripe Dashboard','Shopify Admin',
        'Domain registrar','SFTP upload','WooCommerce Admin','POS back office','GitHub organisation',
        'Booking system','Mailchimp','Hosting control panel','ERP API key','VPN','Cloudflare',
        'Google Business Profile','Staging site','Reservations admin','Document portal','Database'];
$$;

CREATE FUNCTION pg_temp.agents() RETURNS text[] LANGUAGE sql IMMUTABLE AS $$
    SELECT ARRAY['Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15',
        'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36',
        'Mozilla/5.0 (X11; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0',
        'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
        'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36 Edg/126.0'];
$$;

-- An ASCII spelling for e-mail addresses and host names: "Chloé García" -> "chloe-garcia",
-- "Chai & Co" -> "chai-co" (translate drops the characters it has no replacement for).
CREATE FUNCTION pg_temp.scale_slug(text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT replace(translate(lower($1), 'éáíóúñçöüëäåøßæ &', 'eaiouncoueaaosa-'), '--', '-');
$$;

-- One element of an array, uniformly at random.
CREATE FUNCTION pg_temp.scale_pick(anyarray) RETURNS anyelement
LANGUAGE sql VOLATILE AS $$
    SELECT $1[1 + floor(random() * cardinality($1))::int];
$$;

-- ---------------------------------------------------------------------------
-- Users: the three demo accounts first, then colleagues; one bcrypt hash, computed once.
-- ---------------------------------------------------------------------------
WITH demo AS (SELECT crypt('demo-password', gen_salt('bf', 10)) AS password_hash)
INSERT INTO users (email, name, role, timezone, is_active, password_hash, created_at)
SELECT v.email, v.name, v.role, v.timezone, v.is_active, demo.password_hash, v.created_at
FROM demo, (
    SELECT 0 AS n, 'admin@example.com' AS email, 'Avery Adams' AS name, 'admin' AS role,
           'Europe/London' AS timezone, true AS is_active, now() - interval '5 years' AS created_at
    UNION ALL SELECT 1, 'manager@example.com', 'Morgan Mills', 'manager', 'America/New_York', true,
           now() - interval '5 years'
    UNION ALL SELECT 2, 'user@example.com', 'Uma Patel', 'user', 'Asia/Kolkata', true, now() - interval '5 years'
    UNION ALL
    SELECT g, format('%s.%s.%s@agency.example', pg_temp.scale_slug(f), pg_temp.scale_slug(l), g),
           f || ' ' || l,
           CASE WHEN g % 40 = 0 THEN 'admin' WHEN g % 8 = 0 THEN 'manager' ELSE 'user' END,
           pg_temp.scale_pick(pg_temp.timezones()),
           g % 25 <> 0, -- one in 25 has left
           now() - make_interval(days => (g * 7919) % 1800)
    FROM scale_sizes s,
         generate_series(3, s.users - 1) AS g,
         LATERAL (SELECT (pg_temp.first_names())[1 + g % cardinality(pg_temp.first_names())] AS f,
                         (pg_temp.last_names())[1 + (g * 7) % cardinality(pg_temp.last_names())] AS l) AS name
) AS v
ORDER BY v.created_at, v.n;

-- ---------------------------------------------------------------------------
-- Clients: five years of them, ids in the order they were created.
-- ---------------------------------------------------------------------------
CREATE TEMPORARY TABLE scale_user_ids ON COMMIT DROP AS
SELECT array_agg(id ORDER BY id) AS all_ids,
       array_agg(id ORDER BY id) FILTER (WHERE is_active) AS active_ids
FROM users;

INSERT INTO clients (name, company, email, phone, status, tags, timezone, website_url, notes, owner_user_id,
                     created_at, updated_at)
SELECT c.first_name || ' ' || c.last_name,
       c.company,
       CASE WHEN c.r % 20 = 0 THEN NULL
            ELSE format('%s.%s@%s.example', pg_temp.scale_slug(c.first_name), pg_temp.scale_slug(c.last_name),
                        pg_temp.scale_slug(c.company)) END,
       CASE WHEN c.r % 10 = 0 THEN NULL ELSE format('+%s %s %s', 1 + c.r % 90, 200 + c.r % 800, lpad((c.r % 10000)::text, 4, '0')) END,
       c.status,
       c.tags,
       c.timezone,
       CASE WHEN c.r % 8 = 0 THEN NULL ELSE format('https://www.%s.example', pg_temp.scale_slug(c.company)) END,
       CASE WHEN c.r % 3 = 0 THEN pg_temp.scale_pick(pg_temp.client_notes()) END,
       c.owner_user_id,
       c.created_at,
       c.created_at + (now() - c.created_at) * random() ^ 3
FROM (
    SELECT g,
           (random() * 1000000)::int AS r,
           pg_temp.scale_pick(pg_temp.first_names()) AS first_name,
           pg_temp.scale_pick(pg_temp.last_names()) AS last_name,
           trim(pg_temp.scale_pick(pg_temp.company_words()) || ' ' || pg_temp.scale_pick(pg_temp.company_kinds()) || ' '
                || pg_temp.scale_pick(pg_temp.company_suffixes())) AS company,
           (ARRAY['active','active','active','active','active','active','prospect','prospect','inactive','archived'])[1 + floor(random() * 10)::int] AS status,
           ARRAY(SELECT DISTINCT pg_temp.scale_pick(pg_temp.tags()) FROM generate_series(1, floor(random() * 4)::int + g * 0)) AS tags,
           pg_temp.scale_pick(pg_temp.timezones()) AS timezone,
           CASE WHEN random() < 0.05 THEN NULL ELSE pg_temp.scale_pick(u.all_ids) END AS owner_user_id,
           now() - interval '5 years' * random() AS created_at
    FROM scale_sizes s, scale_user_ids u, generate_series(1, s.clients) AS g
    OFFSET 0 -- each row's picks once, however often the outer query reads them
) AS c
ORDER BY c.created_at;

-- ---------------------------------------------------------------------------
-- Tasks: about ten per client, some clients busier than others. Half are open; of those, one in
-- ten is overdue, a few are due today or this week, the rest later or undated.
-- ---------------------------------------------------------------------------
-- Rows below pick a client as a number between the first and the last id: every id between them
-- must be a client.
CREATE TEMPORARY TABLE scale_client_range ON COMMIT DROP AS
SELECT min(id) AS first_id, max(id) AS last_id, count(*) AS n FROM clients;
DO $$
BEGIN
    IF (SELECT last_id - first_id + 1 <> n FROM scale_client_range) THEN
        RAISE EXCEPTION 'scale: client ids have gaps';
    END IF;
END
$$;

INSERT INTO tasks (client_id, title, description, status, priority, due_date, assigned_user_id, created_at)
SELECT t.client_id,
       pg_temp.scale_pick(pg_temp.task_titles()),
       CASE WHEN random() < 0.5 THEN pg_temp.scale_pick(pg_temp.task_descriptions()) END,
       t.status,
       (ARRAY['low','medium','medium','medium','high','high','urgent'])[1 + floor(random() * 7)::int],
       CASE WHEN t.status IN ('completed', 'cancelled') THEN
                CASE WHEN t.r < 0.1 THEN NULL ELSE CURRENT_DATE - floor(t.r * 1000)::int END
            WHEN t.r < 0.10 THEN CURRENT_DATE - 1 - floor(t.r * 600)::int      -- overdue
            WHEN t.r < 0.12 THEN CURRENT_DATE                                   -- due today
            WHEN t.r < 0.20 THEN CURRENT_DATE + 1 + floor((t.r - 0.12) * 87)::int -- this week
            WHEN t.r < 0.85 THEN CURRENT_DATE + 8 + floor((t.r - 0.20) * 560)::int
            ELSE NULL END,
       CASE WHEN random() < 0.1 THEN NULL ELSE pg_temp.scale_pick(u.active_ids) END,
       now() - interval '3 years' * random()
FROM scale_user_ids u, (
    SELECT -- a skewed pick: low ids (older clients) collect more tasks
           r.first_id + floor((r.last_id - r.first_id + 1) * (1 - sqrt(random())))::int AS client_id,
           (ARRAY['pending','pending','pending','in_progress','in_progress','on_hold','completed','completed',
                  'completed','completed','completed','cancelled'])[1 + floor(random() * 12)::int] AS status,
           random() AS r
    FROM scale_sizes s, scale_client_range r, generate_series(1, s.tasks) AS g
    OFFSET 0
) AS t;

-- ---------------------------------------------------------------------------
-- Credentials: 64 distinct secrets, each encrypted once (pgp_sym_encrypt costs milliseconds), with
-- app.encryption_key at key version 1.
-- ---------------------------------------------------------------------------
CREATE TEMPORARY TABLE scale_secrets ON COMMIT DROP AS
SELECT k, encrypt_credential_value(format('scale-secret-%s-%s', k, md5(random()::text))) AS value
FROM generate_series(1, 64) AS k;

-- Their audit rows are written below, with the rest of the history.
INSERT INTO credentials (client_id, label, username, encrypted_value, url, notes, created_at, updated_at, deleted_at)
SELECT x.client_id, x.label, x.username, x.secret, x.url, x.notes, x.created_at,
       COALESCE(x.deleted_at, x.created_at), x.deleted_at
FROM (
    SELECT p.*, s.value AS secret, d.created_at, CASE WHEN p.is_deleted THEN d.created_at + (now() - d.created_at) * p.age END AS deleted_at
    FROM (
        SELECT r.first_id + floor((r.last_id - r.first_id + 1) * random())::int AS client_id,
               pg_temp.scale_pick(pg_temp.labels()) AS label,
               CASE WHEN random() < 0.15 THEN NULL ELSE format('ops%s', g % 97) END AS username,
               1 + floor(random() * 64)::int AS secret_k,
               CASE WHEN random() < 0.1 THEN NULL ELSE format('https://login%s.service.example', g % 41) END AS url,
               CASE WHEN random() < 0.2 THEN 'Rotate after staff changes.' END AS notes,
               random() AS age,
               random() < 0.02 AS is_deleted
        FROM scale_sizes z, scale_client_range r, generate_series(1, z.credentials) AS g
        OFFSET 0
    ) AS p
    JOIN clients c ON c.id = p.client_id
    JOIN scale_secrets s ON s.k = p.secret_k
    CROSS JOIN LATERAL (SELECT c.created_at + (now() - c.created_at) * random() ^ 2 AS created_at) AS d
) AS x
ORDER BY x.created_at;

CREATE TEMPORARY TABLE scale_credential_range ON COMMIT DROP AS
SELECT min(id) AS first_id, max(id) AS last_id, count(*) AS n,
       count(*) FILTER (WHERE deleted_at IS NOT NULL) AS deleted FROM credentials;
DO $$
BEGIN
    IF (SELECT last_id - first_id + 1 <> n FROM scale_credential_range) THEN
        RAISE EXCEPTION 'scale: credential ids have gaps';
    END IF;
END
$$;

-- ---------------------------------------------------------------------------
-- The audit log: each credential's create (and delete), and between them views, reveals and
-- edits by four people each (the client's owner among them), each from an address or two of theirs.
-- ---------------------------------------------------------------------------
-- The rows are hash-chained (migration 003). Its trigger links one row at a time through the
-- chain's head row, which a bulk load would rewrite millions of times in one transaction; instead
-- the chain is computed here, in chain order, with the schema's own credential_audit_row_hash():
-- `pnpm db verify-audit` checks the result like any other.

-- One link: the row's hash, its prev_hash being the hash before it (the chain's head for the first).
CREATE FUNCTION pg_temp.scale_chain_step(p_prev bytea, p_entry credential_audit_logs, p_head bytea) RETURNS bytea
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    p_entry.prev_hash := COALESCE(p_prev, p_head);
    RETURN credential_audit_row_hash(p_entry);
END;
$$;

-- The running row_hash, as a window aggregate over the rows in chain order.
CREATE AGGREGATE pg_temp.scale_chain(credential_audit_logs, bytea) (SFUNC = pg_temp.scale_chain_step, STYPE = bytea);

-- Who works with a credential: the client's owner and three colleagues.
CREATE FUNCTION pg_temp.scale_actor(p_credential_id integer, p_owner integer, p_k integer, p_users integer[]) RETURNS integer
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN p_k = 0 AND p_owner IS NOT NULL THEN p_owner
                ELSE p_users[1 + (p_credential_id * 7 + p_k * 13) % cardinality(p_users)] END;
$$;

-- A user's addresses: an office one, and for one in three a home IPv6 one.
CREATE FUNCTION pg_temp.scale_ip(p_user_id integer, p_k integer) RETURNS inet
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN p_k % 3 = 2 AND p_user_id % 3 = 0 THEN format('2001:db8:%s::%s', to_hex(p_user_id), to_hex(p_k))::inet
                ELSE format('10.%s.%s.%s', p_user_id % 250, p_k % 2, 1 + (p_user_id * 7) % 250)::inet END;
$$;

CREATE TEMPORARY TABLE scale_chain_start ON COMMIT DROP AS
SELECT h.chain_position, h.row_hash,
       (SELECT CASE WHEN is_called THEN last_value + 1 ELSE last_value END FROM credential_audit_logs_id_seq)::integer AS first_id
FROM credential_audit_chain_head h;

-- Narrow rows (an action and an agent as numbers) through the sort; the text comes after it.
CREATE TEMPORARY TABLE scale_events ON COMMIT DROP AS
-- creates, by whoever stored the credential (the owner, else the first admin)
SELECT cd.created_at, cd.id AS credential_id, 0 AS k, cd.id AS g, 1 AS action_code,
       pg_temp.scale_actor(cd.id, c.owner_user_id, 0, u.active_ids) AS user_id
FROM credentials cd JOIN clients c ON c.id = cd.client_id, scale_user_ids u
UNION ALL
SELECT cd.deleted_at, cd.id, 1, cd.id, 2, pg_temp.scale_actor(cd.id, c.owner_user_id, 1, u.active_ids)
FROM credentials cd JOIN clients c ON c.id = cd.client_id, scale_user_ids u
WHERE cd.deleted_at IS NOT NULL
UNION ALL
-- the day-to-day: busier credentials get more, each event by one of the four
SELECT cd.created_at + (COALESCE(cd.deleted_at, now()) - cd.created_at) * e.at, cd.id, e.k, e.g,
       CASE WHEN e.a < 0.45 THEN 3 WHEN e.a < 0.85 THEN 4 ELSE 5 END,
       pg_temp.scale_actor(cd.id, c.owner_user_id, e.k % 4, u.active_ids)
FROM (
    SELECT x.first_id + floor((x.last_id - x.first_id + 1) * random() ^ 2)::int AS credential_id,
           random() AS at, random() AS a, 2 + floor(random() * 8)::int AS k, g
    FROM scale_credential_range x, scale_sizes z, generate_series(1, z.audit_rows - x.n - x.deleted) AS g
    OFFSET 0
) AS e
JOIN credentials cd ON cd.id = e.credential_id
JOIN clients c ON c.id = cd.client_id, scale_user_ids u;

-- The audit insert: one statement. Chain order is time order (ties: credential, then event), and
-- so is id order.
INSERT INTO credential_audit_logs (id, uuid, credential_id, user_id, action, created_at, ip_address, user_agent,
                                   chain_position, prev_hash, row_hash)
SELECT h.id, h.uuid, h.credential_id, h.user_id, h.action, h.created_at, h.ip_address, h.user_agent,
       h.chain_position, lag(h.row_hash, 1, h.seed) OVER chain, h.row_hash
FROM (
    SELECT v.*,
           -- credential_audit_logs' columns in table order (a changed table fails here, loudly)
           pg_temp.scale_chain(ROW(v.id, v.uuid, v.credential_id, v.user_id, v.action, v.created_at, v.ip_address,
                                   v.user_agent, v.chain_position, NULL, NULL)::credential_audit_logs, v.seed) OVER chain
               AS row_hash
    FROM (
        SELECT n.created_at, n.credential_id, n.k, n.g, n.user_id, n.uuid,
               s.first_id + n.n::integer - 1 AS id,
               s.chain_position + n.n AS chain_position,
               s.row_hash AS seed,
               (ARRAY['create', 'delete', 'view', 'decrypt', 'update'])[n.action_code] AS action,
               pg_temp.scale_ip(n.user_id, n.k) AS ip_address,
               (pg_temp.agents())[1 + (n.user_id + n.k) % cardinality(pg_temp.agents())] AS user_agent
        FROM (
            SELECT e.*, row_number() OVER (ORDER BY e.created_at, e.credential_id, e.k, e.g) AS n, gen_random_uuid() AS uuid
            FROM scale_events e
        ) AS n, scale_chain_start s
    ) AS v
    WINDOW chain AS (ORDER BY v.created_at, v.credential_id, v.k, v.g ROWS UNBOUNDED PRECEDING)
) AS h
WINDOW chain AS (ORDER BY h.created_at, h.credential_id, h.k, h.g);

-- ---------------------------------------------------------------------------
-- Back to normal: indexes, counters, triggers
-- ---------------------------------------------------------------------------
DO $$
DECLARE
    statement text;
BEGIN
    FOR statement IN SELECT make_it FROM scale_dropped_indexes LOOP
        EXECUTE statement;
    END LOOP;
END
$$;

-- The chain's head is the last row appended; the ids continue after the last one.
UPDATE credential_audit_chain_head h
SET chain_position = a.chain_position, row_hash = a.row_hash
FROM (SELECT chain_position, row_hash FROM credential_audit_logs ORDER BY chain_position DESC LIMIT 1) AS a;

SELECT setval('credential_audit_logs_id_seq', (SELECT max(id) FROM credential_audit_logs));

SELECT recount_maintained_figures();
-- The figures' owner comes from a trigger (migration 010), which replica mode silences for a superuser.
UPDATE credential_audit_stats s SET owner_user_id = cl.owner_user_id
FROM credentials cd JOIN clients cl ON cl.id = cd.client_id
WHERE cd.id = s.credential_id AND s.owner_user_id IS DISTINCT FROM cl.owner_user_id;

ALTER TABLE clients ENABLE TRIGGER trg_clients_count_insert;
ALTER TABLE credentials ENABLE TRIGGER trg_credentials_audit;
ALTER TABLE credential_audit_logs ENABLE TRIGGER trg_credential_audit_logs_chain;
ALTER TABLE credential_audit_logs ENABLE TRIGGER trg_credential_audit_logs_count;
SELECT set_config('session_replication_role', 'origin', true);

RESET app.encryption_key;
