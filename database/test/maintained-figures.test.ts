/**
 * The figures migration 005 keeps up to date so that no page counts a whole table: clients per
 * status and per tag, and per credential the audit figures of credential_audit_summary. Each
 * writer's statement moves them; they always equal what counting the rows says, including after
 * statements of many rows, concurrent writers, a purge, and recount_maintained_figures(); and the
 * audit figures name the owner of their credential's client, as that client changes hands.
 */
import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { inTestTransaction, useTestDatabase } from '../src/testing.ts';
import { insertAuditLog, insertClient, insertCredential, insertUser, one, type Queryable } from './rows.ts';

const db = useTestDatabase();

const statusCounts = async (pool: Queryable) =>
  Object.fromEntries(
    (
      await pool.query<{ status: string; n: number }>('SELECT status, client_count::int AS n FROM client_status_counts')
    ).rows.map((row) => [row.status, row.n]),
  );

/** The maintained figures against counting the rows; empty when they agree. */
async function disagreements(pool: Queryable) {
  const { rows } = await pool.query<{ what: string }>(
    `(SELECT 'status ' || status AS what FROM (
        SELECT s.status, s.client_count, (SELECT count(*) FROM clients c WHERE c.status = s.status) AS actual
        FROM client_status_counts s) x WHERE client_count <> actual)
     UNION ALL
     (SELECT 'tag ' || COALESCE(t.tag, a.tag) FROM client_tag_counts t
      FULL JOIN (SELECT tag, count(DISTINCT id) AS n FROM clients, unnest(tags) AS tag GROUP BY tag) a USING (tag)
      WHERE COALESCE(t.client_count, 0) <> COALESCE(a.n, 0))
     UNION ALL
     (SELECT 'credential ' || v.credential_id FROM credential_audit_summary v
      LEFT JOIN credential_audit_stats s USING (credential_id)
      WHERE (COALESCE(s.access_count, 0), COALESCE(s.view_count, 0), COALESCE(s.decrypt_count, 0), s.last_accessed_at,
             COALESCE(s.unique_user_count, 0), COALESCE(s.unique_ip_count, 0))
            IS DISTINCT FROM (v.access_count, v.view_count, v.decrypt_count, v.last_accessed_at,
                              v.unique_user_count, v.unique_ip_count))
     UNION ALL
     (SELECT 'stats of a missing credential ' || s.credential_id FROM credential_audit_stats s
      WHERE NOT EXISTS (SELECT FROM credentials cd WHERE cd.id = s.credential_id))
     UNION ALL
     (SELECT 'owner of credential ' || s.credential_id FROM credential_audit_stats s
      JOIN credentials cd ON cd.id = s.credential_id JOIN clients cl ON cl.id = cd.client_id
      WHERE s.owner_user_id IS DISTINCT FROM cl.owner_user_id)`,
  );
  return rows.map((row) => row.what);
}

let ownerId: number;
beforeAll(async () => {
  ownerId = (await insertUser(db.pool)).id;
});

describe('clients per status and per tag', () => {
  it('has a row for every status from the start, so the dashboard reads four rows', async () => {
    expect(await statusCounts(db.pool)).toEqual({ active: 0, inactive: 0, prospect: 0, archived: 0 });
  });

  it('follows single and many-row inserts, updates and deletes', async () => {
    await insertClient(db.pool, { status: 'active', tags: ['vip', 'retail'] });
    await insertClient(db.pool, { status: 'prospect', tags: ['vip', 'vip'] }); // a repeated tag counts once
    await db.pool.query(
      `INSERT INTO clients (name, status, tags) SELECT 'Bulk ' || g, 'inactive', ARRAY['bulk'] FROM generate_series(1, 50) g`,
    );
    expect(await statusCounts(db.pool)).toMatchObject({ active: 1, prospect: 1, inactive: 50 });
    await db.pool.query(
      `UPDATE clients SET status = 'archived', tags = '{}' WHERE name LIKE 'Bulk %' AND name <= 'Bulk 3'`,
    );
    await db.pool.query(`UPDATE clients SET name = name || ' (renamed)' WHERE status = 'active'`); // no figure moves
    await db.pool.query(`DELETE FROM clients WHERE name LIKE 'Bulk 4%'`);
    expect(await disagreements(db.pool)).toEqual([]);
    const vip = await one<{ n: number }>(
      db.pool,
      "SELECT client_count::int AS n FROM client_tag_counts WHERE tag = 'vip'",
    );
    expect(vip.n).toBe(2);
  });

  it('rolls back with the statement that moved them', async () => {
    const before = await statusCounts(db.pool);
    await inTestTransaction(db.pool, { commit: false }, (client) =>
      client.query("INSERT INTO clients (name, status) VALUES ('Never', 'active')"),
    );
    expect(await statusCounts(db.pool)).toEqual(before);
  });

  it('counts every client of writers working at once, and two opposite status changes do not deadlock', async () => {
    const a = await insertClient(db.pool, { status: 'active' });
    const b = await insertClient(db.pool, { status: 'archived' });
    const first = new pg.Client({ connectionString: db.url });
    const second = new pg.Client({ connectionString: db.url });
    await first.connect();
    await second.connect();
    try {
      await first.query('BEGIN');
      await second.query('BEGIN');
      await first.query("UPDATE clients SET status = 'archived' WHERE id = $1", [a.id]);
      // Waits for `first` on the counter rows (taken in status order), then goes on: no cycle.
      const waiting = second.query("UPDATE clients SET status = 'active' WHERE id = $1", [b.id]);
      await first.query("INSERT INTO clients (name, status) VALUES ('Concurrent', 'prospect')");
      await first.query('COMMIT');
      await waiting;
      await second.query('COMMIT');
    } finally {
      await first.end();
      await second.end();
    }
    expect(await disagreements(db.pool)).toEqual([]);
  });
});

describe('audit figures per credential', () => {
  it('follow each audit row: events, views, decrypts, the newest one, distinct users and addresses', async () => {
    const client = await insertClient(db.pool, { owner_user_id: ownerId });
    const credential = await insertCredential(db.pool, { client_id: client.id, secret: 's3cret' }); // 'create' row
    const other = (await insertUser(db.pool)).id;
    const rows: [string, number | null, string | null][] = [
      ['view', ownerId, '10.0.0.1'],
      ['view', ownerId, '10.0.0.1'],
      ['decrypt', other, '10.0.0.2'],
      ['decrypt', null, null],
      ['update', other, '2001:db8::1'],
    ];
    for (const [action, userId, ip] of rows) {
      await insertAuditLog(db.pool, { credential_id: credential.id, action, user_id: userId, ip_address: ip });
    }
    const stats = await one(
      db.pool,
      `SELECT access_count::int, view_count::int, decrypt_count::int, unique_user_count::int, unique_ip_count::int
       FROM credential_audit_stats WHERE credential_id = $1`,
      [credential.id],
    );
    expect(stats).toEqual({
      access_count: 6,
      view_count: 2,
      decrypt_count: 2,
      unique_user_count: 2,
      unique_ip_count: 3,
    });
    expect(await disagreements(db.pool)).toEqual([]);
  });

  it('follow a statement of many rows, and go with a purged credential', async () => {
    const client = await insertClient(db.pool);
    const credential = await insertCredential(db.pool, { client_id: client.id, secret: 'bulk' });
    await db.pool.query(
      `INSERT INTO credential_audit_logs (credential_id, user_id, action, ip_address)
       SELECT $1, $2, (ARRAY['view', 'decrypt'])[1 + g % 2], format('10.9.%s.1', g % 7)::inet FROM generate_series(1, 300) g`,
      [credential.id, ownerId],
    );
    expect(await disagreements(db.pool)).toEqual([]);
    await db.pool.query('DELETE FROM credentials WHERE id = $1', [credential.id]);
    expect(await disagreements(db.pool)).toEqual([]);
  });

  it("name the owner of the credential's client as it changes hands, loses its owner or the credential moves", async () => {
    const ownerOf = async (credentialId: number) =>
      (
        await one<{ owner_user_id: number | null }>(
          db.pool,
          'SELECT owner_user_id FROM credential_audit_stats WHERE credential_id = $1',
          [credentialId],
        )
      ).owner_user_id;
    const first = await insertUser(db.pool);
    const second = await insertUser(db.pool);
    const client = await insertClient(db.pool, { owner_user_id: first.id });
    const moved = await insertCredential(db.pool, { client_id: client.id, secret: 'a' });
    const stays = await insertCredential(db.pool, { client_id: client.id, secret: 'b' });
    expect(await ownerOf(moved.id)).toBe(first.id);
    await db.pool.query('UPDATE clients SET owner_user_id = $1 WHERE id = $2', [second.id, client.id]);
    expect([await ownerOf(moved.id), await ownerOf(stays.id)]).toEqual([second.id, second.id]);
    await db.pool.query('DELETE FROM users WHERE id = $1', [second.id]); // clients.owner_user_id: ON DELETE SET NULL
    expect(await ownerOf(stays.id)).toBeNull();
    const elsewhere = await insertClient(db.pool, { owner_user_id: first.id });
    await db.pool.query('UPDATE credentials SET client_id = $1 WHERE id = $2', [elsewhere.id, moved.id]);
    expect([await ownerOf(moved.id), await ownerOf(stays.id)]).toEqual([first.id, null]);
    expect(await disagreements(db.pool)).toEqual([]);
  });

  it('are what recount_maintained_figures() computes from the rows', async () => {
    const before = await db.pool.query('SELECT * FROM credential_audit_stats ORDER BY credential_id');
    const statuses = await statusCounts(db.pool);
    await db.pool.query('SELECT recount_maintained_figures()');
    expect((await db.pool.query('SELECT * FROM credential_audit_stats ORDER BY credential_id')).rows).toEqual(
      before.rows,
    );
    expect(await statusCounts(db.pool)).toEqual(statuses);
  });
});
