-- Mini CRM sample data: a small agency's CRM that looks alive on whatever day it is loaded.
--
--   psql -v ON_ERROR_STOP=1 -d mini_crm -f database/postgresql_mini_crm_sample_data.sql
--
-- Runs after the migrations, on a database without users (`pnpm db seed` checks that). Due dates
-- are relative to CURRENT_DATE, so there are always overdue, due-today and due-soon tasks.
-- Every account's password is `demo-password`. Credentials are encrypted with app.encryption_key
-- when it is set (the app sets it to CRM_ENCRYPTION_KEY), else with the public demo key below.

-- The key, unless one is set already. In a DO block rather than a bare SELECT set_config(...), so
-- that psql does not print the key.
DO $$
BEGIN
    PERFORM set_config(
        'app.encryption_key',
        COALESCE(NULLIF(current_setting('app.encryption_key', true), ''), 'mini-crm-demo-key-not-for-production'),
        false
    );
END
$$;

-- ---------------------------------------------------------------------------
-- Users: one bcrypt hash (pgcrypto's $2a$, which bcrypt libraries verify), computed once.
-- ---------------------------------------------------------------------------
WITH demo AS (SELECT crypt('demo-password', gen_salt('bf', 10)) AS password_hash)
INSERT INTO users (email, name, role, timezone, is_active, password_hash, created_at)
SELECT v.email, v.name, v.role, v.timezone, v.is_active, demo.password_hash, now() - v.age
FROM demo, (VALUES
    ('admin@example.com',       'Avery Adams',  'admin',   'Europe/London',       true,  interval '400 days'),
    ('manager@example.com',     'Morgan Mills', 'manager', 'America/New_York',    true,  interval '380 days'),
    ('user@example.com',        'Uma Patel',    'user',    'Asia/Kolkata',        true,  interval '300 days'),
    ('sofia.rossi@example.com', 'Sofia Rossi',  'manager', 'Europe/Rome',         true,  interval '250 days'),
    ('liam.chen@example.com',   'Liam Chen',    'user',    'America/Los_Angeles', true,  interval '120 days'),
    ('noah.berg@example.com',   'Noah Berg',    'user',    'Europe/Berlin',       false, interval '200 days')
) AS v (email, name, role, timezone, is_active, age)
ORDER BY v.age DESC; -- ids in the order the rows were created

-- ---------------------------------------------------------------------------
-- Clients: every status, several time zones, tags for filtering.
-- ---------------------------------------------------------------------------
INSERT INTO clients (name, company, email, phone, status, tags, timezone, website_url, notes, owner_user_id, created_at)
SELECT v.name, v.company, v.email, v.phone, v.status, v.tags, v.timezone, v.website_url, v.notes, u.id,
       now() - make_interval(days => v.age_days)
FROM (VALUES
    ('Grace Hopper',     'Northwind Traders',      'grace@northwind.example',       '+1 212 555 0141',  'active',   ARRAY['enterprise','high-value','retail'],  'America/New_York',    'https://www.northwind.example',       'Renewal in Q3; prefers calls on Tuesdays.',           'manager@example.com', 360),
    ('Alan Turing',      'Bletchley Analytics',    'alan@bletchley.example',        '+44 20 7946 0018', 'active',   ARRAY['enterprise','saas'],                 'Europe/London',       'https://bletchley.example',           'Security review every January.',                      'admin@example.com',   340),
    ('Hedy Lamarr',      'Frequency Labs',         'hedy@frequencylabs.example',    '+1 310 555 0199',  'active',   ARRAY['high-value','saas'],                 'America/Los_Angeles', 'https://frequencylabs.example',       'Wants monthly reporting.',                            'liam.chen@example.com', 330),
    ('Ada Lovelace',     'Analytical Engines Ltd', 'ada@engines.example',           '+44 161 496 0342', 'active',   ARRAY['enterprise','high-value'],           'Europe/London',       'https://engines.example/',            'Board meets first Monday of the month.',              'manager@example.com', 320),
    ('Katherine Johnson','Orbit Logistics',        'katherine@orbit.example',       '+1 757 555 0110',  'active',   ARRAY['logistics','enterprise'],            'America/New_York',    'https://orbit.example',               NULL,                                                  'user@example.com',    300),
    ('Linus Berg',       'Fjord Outdoor AB',       'linus@fjord-outdoor.example',   '+46 8 555 123 45', 'active',   ARRAY['retail','ecommerce'],                'Europe/Stockholm',    'https://fjord-outdoor.example/shop',  'Seasonal peaks in November.',                         'sofia.rossi@example.com', 280),
    ('Priya Raman',      'Chai & Co',              'priya@chaiandco.example',       '+91 80 5555 0123', 'active',   ARRAY['smb','retail'],                      'Asia/Kolkata',        'https://chaiandco.example',           'Two shops, one web store.',                           'user@example.com',    260),
    ('Kenji Sato',       'Sato Robotics KK',       'kenji@sato-robotics.example',   '+81 3 5555 0142',  'active',   ARRAY['enterprise','manufacturing'],        'Asia/Tokyo',          'https://sato-robotics.example',       'Time difference: mornings only.',                     'admin@example.com',   250),
    ('Olivia Brown',     'Harbour Dental',         'olivia@harbourdental.example',  '+61 2 5550 1234',  'active',   ARRAY['smb','healthcare'],                  'Australia/Sydney',    'https://harbourdental.example',       NULL,                                                  'liam.chen@example.com', 240),
    ('Mateo García',     'Sol y Sombra SL',        'mateo@solysombra.example',      '+34 91 555 0177',  'active',   ARRAY['agency','smb'],                      'Europe/Madrid',       'https://solysombra.example',          'Bilingual site (ES/EN).',                             'sofia.rossi@example.com', 220),
    ('Chloé Martin',     'Boulangerie Martin',     'chloe@boulangerie-martin.example','+33 1 55 55 01 23','active', ARRAY['smb','retail'],                      'Europe/Paris',        'https://boulangerie-martin.example',  'Online ordering launched in spring.',                 'user@example.com',    200),
    ('Tom Fischer',      'Fischer Maschinenbau',   'tom@fischer-mb.example',        '+49 30 5555 0155', 'active',   ARRAY['manufacturing','high-value'],        'Europe/Berlin',       'https://fischer-mb.example',          'ERP integration project running.',                    'manager@example.com', 180),
    ('Nia Okafor',       'Lagos Fintech Hub',      'nia@lagosfintech.example',      '+234 1 555 0100',  'active',   ARRAY['saas','fintech','high-value'],       'Africa/Lagos',        'https://lagosfintech.example',        NULL,                                                  'admin@example.com',   150),
    ('Ethan Walker',     'Walker & Sons Plumbing', 'ethan@walkerplumbing.example',  '+1 503 555 0133',  'active',   ARRAY['smb','local'],                       'America/Los_Angeles', 'https://walkerplumbing.example',      'Pays by invoice, 30 days.',                           'liam.chen@example.com', 120),
    ('Isabella Costa',   'Costa Architects',       'isabella@costa-arch.example',   '+55 11 5555 0188', 'prospect', ARRAY['agency'],                            'America/Sao_Paulo',   'https://costa-arch.example',          'Met at the design conference.',                       'sofia.rossi@example.com', 60),
    ('Lukas Novak',      'Novak Brewing',          'lukas@novakbrewing.example',    '+420 2 5555 0123', 'prospect', ARRAY['retail','ecommerce'],                'Europe/Prague',       'https://novakbrewing.example',        'Asked for a webshop quote.',                          'user@example.com',    45),
    ('Zara Ahmed',       'Crescent Health',        'zara@crescenthealth.example',   '+971 4 555 0166',  'prospect', ARRAY['healthcare','enterprise'],           'Asia/Dubai',          'https://crescenthealth.example',      'Procurement needs a security questionnaire.',         'manager@example.com', 40),
    ('Ben Carter',       'Carter Legal',           'ben@carterlegal.example',       '+1 617 555 0102',  'prospect', ARRAY['legal','smb'],                       'America/New_York',    'https://carterlegal.example',         NULL,                                                  'manager@example.com', 30),
    ('Mei Lin',          'Jade Garden Group',      'mei@jadegarden.example',        '+852 5555 0144',   'prospect', ARRAY['hospitality','high-value'],          'Asia/Hong_Kong',      'https://jadegarden.example',          'Three restaurants, wants one booking system.',        'admin@example.com',   21),
    ('Oscar Lind',       'Lind Design Studio',     'oscar@linddesign.example',      '+47 21 55 50 12',  'prospect', ARRAY['agency'],                            'Europe/Oslo',         'https://linddesign.example',          NULL,                                                  'sofia.rossi@example.com', 14),
    ('Fatima Zahra',     'Atlas Travel',           'fatima@atlastravel.example',    '+212 5 2255 0123', 'prospect', ARRAY['travel','smb'],                      'Africa/Casablanca',   'https://atlastravel.example',         'Referral from Sol y Sombra.',                         'user@example.com',    7),
    ('Jack Murphy',      'Murphy Farms',           'jack@murphyfarms.example',      '+353 1 555 0170',  'prospect', ARRAY['agriculture'],                       'Europe/Dublin',       'https://murphyfarms.example',         NULL,                                                  'liam.chen@example.com', 3),
    ('Elena Petrova',    'Volga Textiles',         'elena@volgatextiles.example',   '+7 495 555 0121',  'inactive', ARRAY['manufacturing'],                     'Europe/Moscow',       'https://volgatextiles.example',       'Paused the contract; check back next year.',         'manager@example.com', 500),
    ('Samuel Green',     'Green Leaf Cafe',        'sam@greenleafcafe.example',     '+1 206 555 0150',  'inactive', ARRAY['smb','hospitality'],                 'America/Los_Angeles', 'https://greenleafcafe.example',       NULL,                                                  'liam.chen@example.com', 450),
    ('Hannah Schulz',    'Schulz Steuerberatung',  'hannah@schulz-stb.example',     '+49 89 5555 0190', 'inactive', ARRAY['legal','smb'],                       'Europe/Berlin',       'https://schulz-stb.example',          'Moved to an in-house team.',                          'sofia.rossi@example.com', 420),
    ('Rafael Souza',     'Praia Surf School',      'rafael@praiasurf.example',      '+55 21 5555 0111', 'inactive', ARRAY['travel','local'],                    'America/Sao_Paulo',   'https://praiasurf.example',           NULL,                                                  'user@example.com',    390),
    ('Yuki Tanaka',      'Sakura Books',           'yuki@sakurabooks.example',      '+81 6 5555 0199',  'inactive', ARRAY['retail'],                            'Asia/Tokyo',          'https://sakurabooks.example',         'Only needs hosting now.',                             'admin@example.com',   370),
    ('Carlos Mendez',    'Mendez Auto Parts',      'carlos@mendezauto.example',     '+52 55 5555 0166', 'inactive', ARRAY['ecommerce','manufacturing'],         'America/Mexico_City', 'https://mendezauto.example',          NULL,                                                  'manager@example.com', 350),
    ('Emma Wilson',      'Wilson & Partners',      'emma@wilsonpartners.example',   '+44 131 496 0155', 'archived', ARRAY['legal'],                             'Europe/London',       'https://wilsonpartners.example',      'Contract ended; kept for the records.',               'admin@example.com',   700),
    ('Lucas Moreau',     'Moreau Vins',            'lucas@moreauvins.example',      '+33 5 55 55 01 44','archived', ARRAY['retail','ecommerce'],                'Europe/Paris',        'https://moreauvins.example',          NULL,                                                  'sofia.rossi@example.com', 650),
    ('Aisha Bello',      'Bello Events',           'aisha@belloevents.example',     '+234 1 555 0177',  'archived', ARRAY['hospitality','agency'],              'Africa/Lagos',        'https://belloevents.example',         'Company closed in spring.',                           'user@example.com',    600),
    ('Henrik Larsen',    'Larsen Marine',          NULL,                            NULL,               'archived', ARRAY[]::text[],                            'Europe/Copenhagen',   NULL,                                  'Old lead, no contact details left.',                  NULL,                  800)
) AS v (name, company, email, phone, status, tags, timezone, website_url, notes, owner_email, age_days)
LEFT JOIN users u ON u.email = v.owner_email
ORDER BY v.age_days DESC;

-- ---------------------------------------------------------------------------
-- Tasks: first the demo accounts' own agenda (each has overdue, due-today and due-soon work),
-- then 120 more spread over clients, statuses, priorities, assignees and due dates.
-- ---------------------------------------------------------------------------
INSERT INTO tasks (client_id, title, description, status, priority, due_date, assigned_user_id, created_at)
SELECT c.id, v.title, v.description, v.status, v.priority, CURRENT_DATE + v.due_in, u.id, now() - interval '20 days'
FROM (VALUES
    ('Northwind Traders',      'Send renewal proposal',             'Include the new support tiers.',            'in_progress', 'high',   -2, 'manager@example.com'),
    ('Fischer Maschinenbau',   'Review ERP integration milestones', 'Check the data mapping sign-off.',           'pending',     'urgent',  0, 'manager@example.com'),
    ('Crescent Health',        'Answer security questionnaire',     NULL,                                         'pending',     'high',    3, 'manager@example.com'),
    ('Bletchley Analytics',    'Rotate shared admin passwords',     'Quarterly rotation, log it in the vault.',   'pending',     'urgent', -5, 'admin@example.com'),
    ('Sato Robotics KK',       'Prepare onboarding call',           'Mornings only (Tokyo time).',                'pending',     'medium',  0, 'admin@example.com'),
    ('Lagos Fintech Hub',      'Audit access of former staff',      NULL,                                         'on_hold',     'high',    6, 'admin@example.com'),
    ('Chai & Co',              'Fix checkout tax rounding',         'Reported by two customers.',                 'in_progress', 'urgent', -1, 'user@example.com'),
    ('Boulangerie Martin',     'Update opening hours on the site',  NULL,                                         'pending',     'low',     0, 'user@example.com'),
    ('Orbit Logistics',        'Plan Q4 reporting dashboard',       'Draft the KPI list first.',                  'pending',     'medium',  2, 'user@example.com'),
    ('Frequency Labs',         'Send monthly report',               NULL,                                         'pending',     'medium', -3, 'liam.chen@example.com'),
    ('Fjord Outdoor AB',       'Load-test the shop before the sale','Target: 3x last year''s peak.',              'in_progress', 'high',    1, 'sofia.rossi@example.com')
) AS v (company, title, description, status, priority, due_in, assignee_email)
JOIN clients c ON c.company = v.company
JOIN users u ON u.email = v.assignee_email
ORDER BY v.due_in, v.title;

WITH client_list AS (
    SELECT id, row_number() OVER (ORDER BY id) AS n, count(*) OVER () AS total FROM clients
),
assignees AS (
    SELECT id, row_number() OVER (ORDER BY id) AS n, count(*) OVER () AS total FROM users WHERE is_active
),
templates AS (
    SELECT row_number() OVER () AS n, title, description FROM (VALUES
        ('Quarterly business review',      'Agenda: results, roadmap, open issues.'),
        ('Renew SSL certificate',           'Expires soon; check the auto-renewal.'),
        ('Update privacy policy page',      NULL),
        ('Migrate mailboxes',               'Move the remaining mailboxes to the new tenant.'),
        ('Send invoice',                    'Monthly retainer.'),
        ('Follow up on proposal',           'They asked for a second option.'),
        ('Set up analytics goals',          NULL),
        ('Backup restore drill',            'Restore last night''s backup to staging.'),
        ('Refresh product photos',          NULL),
        ('Kick-off meeting',                'Introduce the team and the timeline.'),
        ('Review website copy',             'Second round of edits from the client.'),
        ('Patch CMS plugins',               'Security updates released this week.'),
        ('Collect testimonials',            NULL),
        ('Prepare workshop slides',         'Half-day workshop on the new tools.'),
        ('Check domain renewal',            NULL),
        ('Clean up CRM contacts',           'Merge duplicates found in the import.'),
        ('Write case study',                'Approved for publication by the client.'),
        ('Configure 2FA for staff',         'Enforce for every admin account.'),
        ('Call about contract terms',       NULL),
        ('Plan newsletter',                 'Monthly issue, three articles.')
    ) AS t (title, description)
)
INSERT INTO tasks (client_id, title, description, status, priority, due_date, assigned_user_id, created_at)
SELECT
    c.id,
    t.title,
    t.description,
    (ARRAY['pending','pending','pending','pending','in_progress','in_progress','completed','completed','cancelled','on_hold'])[1 + i % 10],
    (ARRAY['low','medium','medium','high','urgent'])[1 + (i * 3) % 5],
    CURRENT_DATE + (ARRAY[-21,-9,-4,-1,0,1,2,4,6,9,15,30,60,120,365,NULL])[1 + (i * 5) % 16],
    CASE WHEN i % 9 = 0 THEN NULL ELSE a.id END,
    now() - make_interval(days => 1 + (i * 7) % 90)
FROM generate_series(1, 120) AS i
JOIN client_list c ON c.n = 1 + (i * 7) % c.total
JOIN assignees a ON a.n = 1 + i % a.total
JOIN templates t ON t.n = 1 + i % 20
ORDER BY i;

-- ---------------------------------------------------------------------------
-- Credentials and their history, backdated: each credential was stored weeks or months ago, and
-- people have viewed, revealed and edited it since.
-- ---------------------------------------------------------------------------

-- Who worked with the vault, and from where.
CREATE TEMPORARY TABLE sample_actors AS
SELECT u.id AS user_id, v.n, v.ip::inet AS ip, v.agent
FROM (VALUES
    (1, 'admin@example.com',       '203.0.113.10', 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15'),
    (2, 'manager@example.com',     '198.51.100.23','Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36'),
    (3, 'user@example.com',        '192.0.2.44',   'Mozilla/5.0 (X11; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0'),
    (4, 'sofia.rossi@example.com', '2001:db8::17', 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1'),
    (5, 'liam.chen@example.com',   '10.0.4.21',    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36 Edg/126.0')
) AS v (n, email, ip, agent)
JOIN users u ON u.email = v.email;

-- The credentials this file adds (the statements below touch these only), with their owner.
CREATE TEMPORARY TABLE sample_credentials (id integer PRIMARY KEY, label text, created_at timestamptz, owner_user_id integer);

CREATE TEMPORARY TABLE sample_credential_values AS
SELECT * FROM (VALUES
    ('Northwind Traders',      'WordPress Admin',        'nw-admin',             'Tr4ders!Spring#2024',      'https://www.northwind.example/wp-admin',     'Editors use their own accounts.', 90),
    ('Northwind Traders',      'Google Workspace',       'it@northwind.example', 'gW-8841-kestrel-moss',     'https://admin.google.com',                   NULL,                              85),
    ('Bletchley Analytics',    'AWS Console',            'bletchley-root',       'Enigma-7Rotors-Plugboard', 'https://console.aws.amazon.com',             'Root account: MFA on the hardware key.', 80),
    ('Bletchley Analytics',    'Grafana',                'ops',                  'graf-Ana-3141',            'https://grafana.bletchley.example',          NULL,                              75),
    ('Frequency Labs',         'Stripe Dashboard',       'billing@frequencylabs.example', 'Hz-2.4GHz-spread!', 'https://dashboard.stripe.com',             'Read-only for support.',          70),
    ('Analytical Engines Ltd', 'Shopify Admin',          'ada',                  'Bernoulli#Numbers1843',    'https://engines.myshopify.example/admin',    NULL,                              68),
    ('Analytical Engines Ltd', 'Domain registrar',       'ada@engines.example',  'Difference-Engine-No2',    'https://registrar.example/login',            'Auto-renew is on.',               66),
    ('Orbit Logistics',        'SFTP upload',            'orbit-feed',           'Apollo11-Tranquility',     'https://sftp.orbit.example',                 'Nightly stock feed.',             64),
    ('Fjord Outdoor AB',       'WooCommerce Admin',      'fjord-shop',           'Fjell&Fjord-2025',         'https://fjord-outdoor.example/wp-admin',     NULL,                              60),
    ('Chai & Co',              'POS back office',        'priya',                'Masala-Chai-4-Two',        'https://pos.chaiandco.example',              NULL,                              58),
    ('Sato Robotics KK',       'GitHub organisation',    'sato-bot',             'Kaizen-Servo-88',          'https://github.com/sato-robotics',           'Owner account; staff use SSO.',   55),
    ('Harbour Dental',         'Booking system',         'reception',            'Floss-Daily-2x',           'https://booking.harbourdental.example',      NULL,                              52),
    ('Sol y Sombra SL',        'Mailchimp',              'hola@solysombra.example','Siesta-Fiesta-77',       'https://login.mailchimp.com',                NULL,                              50),
    ('Sol y Sombra SL',        'Old WordPress Admin',    'solysombra',           'Flamenco-Tapas-2019',      'https://solysombra.example/wp-admin',        'Old site, replaced by the bilingual one.', 120),
    ('Boulangerie Martin',     'Hosting control panel',  'martin',               'Croissant-au-beurre-9',    'https://panel.host.example',                 NULL,                              47),
    ('Fischer Maschinenbau',   'ERP API key',            'api-integration',      'fmb_live_5f2c9a1e7b3d',    'https://erp.fischer-mb.example/api',         'Rotate after the go-live.',       45),
    ('Fischer Maschinenbau',   'VPN',                    'crm-agency',           'Zahnrad-Getriebe-42',      'https://vpn.fischer-mb.example',             NULL,                              44),
    ('Lagos Fintech Hub',      'Cloudflare',             'nia@lagosfintech.example','Naira-Edge-Cache-1',    'https://dash.cloudflare.com',                NULL,                              40),
    ('Walker & Sons Plumbing', 'Google Business Profile','ethan@walkerplumbing.example','Pipe-Wrench-503',   'https://business.google.com',                NULL,                              36),
    ('Costa Architects',       'Staging site',           'preview',              'Brutalist-Concrete-5',     'https://staging.costa-arch.example',         'Shared with the client for review.', 30),
    ('Jade Garden Group',      'Reservations admin',     'mei',                  'Dim-Sum-Sunday-8',         'https://reserve.jadegarden.example/admin',   NULL,                              20),
    ('Volga Textiles',         'Old FTP server',         'volga',                'Linen-Loom-1999',          'https://ftp.volgatextiles.example',          'Probably unused since the pause.', 200),
    ('Wilson & Partners',      'Document portal',        'emma',                 'Affidavit-Archive-12',     'https://docs.wilsonpartners.example',        'Client archived; keep until the retention period ends.', 400)
) AS v (company, label, username, secret, url, notes, age_days);

-- Each credential is stored the way the app stores one: the client's owner (or the admin) is the
-- request's user, address and browser, and the audit trigger writes the 'create' row, dated when
-- the credential was created. Audit rows are append-only, so nothing is backdated afterwards.
DO $$
DECLARE
    v record;
    actor record;
    new_id integer;
BEGIN
    FOR v IN
        SELECT sv.*, c.id AS client_id, c.owner_user_id, now() - make_interval(days => sv.age_days) AS created_at
        FROM sample_credential_values sv
        JOIN clients c ON c.company = sv.company
        ORDER BY sv.age_days DESC -- ids in the order the credentials were created
    LOOP
        SELECT * INTO STRICT actor FROM sample_actors
        WHERE n = COALESCE((SELECT n FROM sample_actors WHERE user_id = v.owner_user_id), 1);
        PERFORM set_config('app.user_id', actor.user_id::text, true);
        PERFORM set_config('app.ip_address', host(actor.ip), true);
        PERFORM set_config('app.user_agent', actor.agent, true);
        INSERT INTO credentials (client_id, label, username, encrypted_value, url, notes, created_at, updated_at)
        VALUES (v.client_id, v.label, v.username, encrypt_credential_value(v.secret), v.url, v.notes,
                v.created_at, v.created_at)
        RETURNING id INTO new_id;
        INSERT INTO sample_credentials (id, label, created_at, owner_user_id)
        VALUES (new_id, v.label, v.created_at, v.owner_user_id);
    END LOOP;
    PERFORM set_config('app.user_id', '', true);
    PERFORM set_config('app.ip_address', '', true);
    PERFORM set_config('app.user_agent', '', true);
END
$$;

-- Day-to-day use since then: views, reveals and edits by several people from several places,
-- between each credential's creation and now. The two oldest credentials are left alone: their last
-- access is months ago, so they show up as stale.
INSERT INTO credential_audit_logs (credential_id, user_id, action, created_at, ip_address, user_agent)
SELECT sc.id, a.user_id,
       (ARRAY['view','view','decrypt','view','decrypt','update'])[1 + (sc.id + k) % 6],
       now() - (now() - sc.created_at) * ((k * 37 + sc.id * 11) % 100) / 100.0,
       a.ip, a.agent
FROM sample_credentials sc
CROSS JOIN generate_series(1, 6) AS k
JOIN sample_actors a ON a.n = 1 + (sc.id * 3 + k) % 5
WHERE sc.created_at > now() - interval '150 days';

-- A burst on the AWS root account in the last hours: many reveals from four addresses, the
-- pattern the unusual-access monitoring query looks for.
INSERT INTO credential_audit_logs (credential_id, user_id, action, created_at, ip_address, user_agent)
SELECT sc.id, a.user_id, 'decrypt', now() - make_interval(mins => 15 * k), a.ip, a.agent
FROM sample_credentials sc
CROSS JOIN generate_series(1, 12) AS k
JOIN sample_actors a ON a.n = 1 + k % 4
WHERE sc.label = 'AWS Console';

-- Today's changes go through the app's path: the request's user, address and browser are set for
-- the transaction, and the audit trigger records them. The admin rotates the AWS root password after
-- that burst; Sofia removes the old site's login from the vault (a soft delete, logged as 'delete').
DO $$
BEGIN
    PERFORM set_config('app.user_id', (SELECT id::text FROM users WHERE email = 'admin@example.com'), true);
    PERFORM set_config('app.ip_address', '2001:db8:4::a', true);
    PERFORM set_config('app.user_agent', 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15', true);
    UPDATE credentials
    SET encrypted_value = encrypt_credential_value('Enigma-8Rotors-Reflector'),
        notes = 'Root account: MFA on the hardware key. Rotated after the access review.'
    WHERE id IN (SELECT id FROM sample_credentials WHERE label = 'AWS Console');

    PERFORM set_config('app.user_id', (SELECT id::text FROM users WHERE email = 'sofia.rossi@example.com'), true);
    PERFORM set_config('app.ip_address', '2001:db8::17', true);
    PERFORM set_config('app.user_agent', 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1', true);
    UPDATE credentials
    SET deleted_at = now()
    WHERE id IN (SELECT id FROM sample_credentials WHERE label = 'Old WordPress Admin');

    PERFORM set_config('app.user_id', '', true);
    PERFORM set_config('app.ip_address', '', true);
    PERFORM set_config('app.user_agent', '', true);
END
$$;

-- Leave nothing behind in the session of whoever loaded this with psql.
DROP TABLE sample_actors, sample_credentials, sample_credential_values;
RESET app.encryption_key;
