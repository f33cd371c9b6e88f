import { beforeAll, describe, expect, it } from 'vitest';
import { inTestTransaction, useTestDatabase } from '../src/testing.ts';
import { insertClient, insertCredential, insertUser, one, sqlError, testKey } from './rows.ts';

const db = useTestDatabase();

let alice: number;
let bob: number;
let clientId: number;
beforeAll(async () => {
  alice = (await insertUser(db.pool, { name: 'Alice' })).id;
  bob = (await insertUser(db.pool, { name: 'Bob' })).id;
  clientId = (await insertClient(db.pool)).id;
});

const browser = 'Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0';
const aliceAtOffice = () => ({
  'app.user_id': String(alice),
  'app.ip_address': '192.0.2.10',
  'app.user_agent': browser,
});

type AuditRow = { action: string; user_id: number | null; ip_address: string | null; user_agent: string | null };

async function auditRows(credentialId: number, action?: string) {
  const { rows } = await db.pool.query<AuditRow>(
    `SELECT action, user_id, ip_address, user_agent FROM credential_audit_logs
     WHERE credential_id = $1 AND ($2::text IS NULL OR action = $2) ORDER BY id`,
    [credentialId, action ?? null],
  );
  return rows;
}

async function credentialCount(label: string) {
  return (await one<{ n: number }>(db.pool, 'SELECT count(*)::int AS n FROM credentials WHERE label = $1', [label])).n;
}

describe('credential audit trigger', () => {
  it('records create, update and a soft delete once each, with who, from where and with what', async () => {
    const { id } = await inTestTransaction(db.pool, { settings: aliceAtOffice() }, (client) =>
      insertCredential(client, { client_id: clientId, label: 'Router' }),
    );
    expect(await auditRows(id)).toEqual([
      { action: 'create', user_id: alice, ip_address: '192.0.2.10', user_agent: browser },
    ]);

    const bobAtHome = {
      'app.user_id': String(bob),
      'app.ip_address': '2001:0DB8:0:0::1',
      'app.user_agent': 'curl/8.5',
    };
    await inTestTransaction(db.pool, { settings: bobAtHome }, (client) =>
      client.query("UPDATE credentials SET username = 'admin', notes = 'rotated' WHERE id = $1", [id]),
    );
    await inTestTransaction(db.pool, { settings: aliceAtOffice() }, (client) =>
      client.query('UPDATE credentials SET deleted_at = now() WHERE id = $1', [id]),
    );

    expect(await auditRows(id)).toEqual([
      { action: 'create', user_id: alice, ip_address: '192.0.2.10', user_agent: browser },
      { action: 'update', user_id: bob, ip_address: '2001:db8::1', user_agent: 'curl/8.5' },
      { action: 'delete', user_id: alice, ip_address: '192.0.2.10', user_agent: browser },
    ]);
    // The row is still there (soft delete), and the address is a real INET, not text.
    const stored = await one<{ deleted: boolean; in_range: boolean }>(
      db.pool,
      `SELECT (SELECT deleted_at IS NOT NULL FROM credentials WHERE id = $1) AS deleted,
              bool_and(ip_address << inet '2001:db8::/32') AS in_range
       FROM credential_audit_logs WHERE credential_id = $1 AND family(ip_address) = 6`,
      [id],
    );
    expect(stored).toEqual({ deleted: true, in_range: true });
  });

  it('records later changes to a deleted credential as updates, not as another delete', async () => {
    const { id } = await insertCredential(db.pool, { client_id: clientId });
    await db.pool.query('UPDATE credentials SET deleted_at = now() WHERE id = $1', [id]);
    await db.pool.query("UPDATE credentials SET notes = 'kept for the record' WHERE id = $1", [id]);
    await db.pool.query('UPDATE credentials SET deleted_at = NULL WHERE id = $1', [id]);
    expect((await auditRows(id)).map((row) => row.action)).toEqual(['create', 'delete', 'update', 'update']);
  });

  it('leaves user, address and agent NULL when the request set no context', async () => {
    const client = await db.pool.connect();
    try {
      // The same pooled connection served a request with context first: none of it may leak.
      await client.query('BEGIN');
      await client.query(
        "SELECT set_config('app.user_id', $1, true), set_config('app.ip_address', '192.0.2.99', true)",
        [String(alice)],
      );
      await client.query('COMMIT');
      const { id } = await insertCredential(client, { client_id: clientId });
      await client.query("UPDATE credentials SET label = 'Renamed' WHERE id = $1", [id]);
      expect(await auditRows(id)).toEqual([
        { action: 'create', user_id: null, ip_address: null, user_agent: null },
        { action: 'update', user_id: null, ip_address: null, user_agent: null },
      ]);
    } finally {
      client.release();
    }
  });

  it.each([
    { setting: 'app.ip_address', value: 'not-an-ip', code: '22P02' },
    { setting: 'app.ip_address', value: '192.0.2.300', code: '22P02' },
    { setting: 'app.user_id', value: 'alice', code: '22P02' },
    { setting: 'app.user_id', value: '999999', code: '23503' },
  ])(
    'fails the write whole when $setting is $value (no credential without its audit row)',
    async ({ setting, value, code }) => {
      const label = `Half-written ${setting} ${value}`;
      const error = await sqlError(
        inTestTransaction(db.pool, { settings: { [setting]: value } }, (client) =>
          insertCredential(client, { client_id: clientId, label }),
        ),
      );
      expect(error.code).toBe(code);
      expect(await credentialCount(label)).toBe(0);
    },
  );
});

describe('reveal_credential', () => {
  it('returns the plaintext and records one decrypt with the context, per call', async () => {
    const { id } = await insertCredential(db.pool, { client_id: clientId, secret: 's3cret!', key: testKey });
    const revealed = await inTestTransaction(db.pool, { settings: aliceAtOffice() }, async (client) => {
      const row = await one<{ secret: string }>(client, 'SELECT reveal_credential($1, $2) AS secret', [id, testKey]);
      return row.secret;
    });
    expect(revealed).toBe('s3cret!');
    expect(await auditRows(id, 'decrypt')).toEqual([
      { action: 'decrypt', user_id: alice, ip_address: '192.0.2.10', user_agent: browser },
    ]);

    // Without a key argument it uses app.encryption_key.
    const again = await inTestTransaction(
      db.pool,
      { settings: { ...aliceAtOffice(), 'app.encryption_key': testKey } },
      async (client) => {
        const row = await one<{ secret: string }>(client, 'SELECT reveal_credential($1) AS secret', [id]);
        return row.secret;
      },
    );
    expect(again).toBe('s3cret!');
    expect(await auditRows(id, 'decrypt')).toHaveLength(2);
  });

  it('fails with MC002 for a wrong key and records no decrypt', async () => {
    const { id } = await insertCredential(db.pool, { client_id: clientId, secret: 's3cret!', key: testKey });
    expect(
      await sqlError(
        inTestTransaction(db.pool, { settings: aliceAtOffice() }, (client) =>
          client.query('SELECT reveal_credential($1, $2)', [id, 'wrong']),
        ),
      ),
    ).toEqual({ code: 'MC002', message: 'credential decryption failed: wrong key or corrupt data' });
    // Also as a lone statement outside any explicit transaction.
    expect((await sqlError(db.pool.query('SELECT reveal_credential($1, $2)', [id, 'wrong']))).code).toBe('MC002');
    expect(await auditRows(id, 'decrypt')).toEqual([]);
  });

  it('fails with MC001 when no key is given or configured, and records no decrypt', async () => {
    const { id } = await insertCredential(db.pool, { client_id: clientId, secret: 's3cret!', key: testKey });
    const error = await sqlError(
      inTestTransaction(db.pool, { settings: aliceAtOffice() }, (client) =>
        client.query('SELECT reveal_credential($1)', [id]),
      ),
    );
    expect(error.code).toBe('MC001');
    expect(await auditRows(id, 'decrypt')).toEqual([]);
  });

  it('fails with MC003 for a missing or soft-deleted credential', async () => {
    const { id: deleted } = await insertCredential(db.pool, { client_id: clientId, secret: 'gone', key: testKey });
    await db.pool.query('UPDATE credentials SET deleted_at = now() WHERE id = $1', [deleted]);
    const missing = deleted + 1_000_000;
    for (const id of [missing, deleted]) {
      expect(await sqlError(db.pool.query('SELECT reveal_credential($1, $2)', [id, testKey]))).toEqual({
        code: 'MC003',
        message: `credential ${id} not found`,
      });
    }
    expect(await auditRows(deleted, 'decrypt')).toEqual([]);
  });

  it('never reveals a secret it could not audit (malformed app.ip_address)', async () => {
    const { id } = await insertCredential(db.pool, { client_id: clientId, secret: 's3cret!', key: testKey });
    const error = await sqlError(
      inTestTransaction(db.pool, { settings: { 'app.ip_address': 'somewhere' } }, (client) =>
        client.query('SELECT reveal_credential($1, $2)', [id, testKey]),
      ),
    );
    expect(error.code).toBe('22P02');
    expect(await auditRows(id, 'decrypt')).toEqual([]);
  });
});

describe('view_credential', () => {
  it('records one view with the context', async () => {
    const { id } = await insertCredential(db.pool, { client_id: clientId, secret: 's3cret!', key: testKey });
    await inTestTransaction(db.pool, { settings: aliceAtOffice() }, (client) =>
      client.query('SELECT view_credential($1)', [id]),
    );
    expect(await auditRows(id)).toEqual([
      { action: 'create', user_id: null, ip_address: null, user_agent: null },
      { action: 'view', user_id: alice, ip_address: '192.0.2.10', user_agent: browser },
    ]);
  });

  it('fails with MC003 for a missing or soft-deleted credential', async () => {
    const { id: deleted } = await insertCredential(db.pool, { client_id: clientId });
    await db.pool.query('UPDATE credentials SET deleted_at = now() WHERE id = $1', [deleted]);
    for (const id of [deleted + 1_000_000, deleted]) {
      expect((await sqlError(db.pool.query('SELECT view_credential($1)', [id]))).code).toBe('MC003');
    }
    expect(await auditRows(deleted, 'view')).toEqual([]);
  });
});
