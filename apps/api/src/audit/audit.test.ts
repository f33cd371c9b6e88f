/**
 * audit.*: the trail the vault writes, as each role sees it, and the spec's monitoring views on
 * hand-made audit rows (chosen times, users and addresses).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AccountName, testEncryptionKey, useTestApi } from '../../test/api.ts';
import { fixtures } from '../../test/fixtures.ts';

const api = useTestApi();
const userAgent = 'Vitest/1';
const secret = 'audit-plain-S3cret-5150';

afterAll(() => {
  expect(api.logs.some((line) => line.includes(secret) || line.includes(testEncryptionKey))).toBe(false);
});

const signIn = (name: AccountName) => api.signIn(name, { userAgent });
const userOf = (name: AccountName) => ({
  id: api.accounts[name].id,
  name: `Test ${name}`,
  email: api.accounts[name].email,
});

const make = fixtures(api);
const makeClient = (owner: 'user' | 'otherUser') => make.client(owner);

/**
 * One statement with the triggers off (session_replication_role = replica, a superuser's switch):
 * audit rows are append-only, so a row the audit trigger would write must never be written at all.
 */
async function withoutTriggers(statement: string, values: unknown[]) {
  const connection = await api.db.connect();
  try {
    await connection.query('BEGIN');
    await connection.query('SET LOCAL session_replication_role = replica');
    const { rows } = await connection.query<{ uuid: string }>(statement, values);
    await connection.query('COMMIT');
    return rows;
  } catch (error) {
    await connection.query('ROLLBACK');
    throw error;
  } finally {
    connection.release();
  }
}

/** A credential made in SQL with no audit rows at all (no 'create' row from the trigger). */
async function makeSilentCredential(clientId: string, label: string) {
  const [row] = await withoutTriggers(
    `INSERT INTO credentials (client_id, label, encrypted_value)
     SELECT id, $2, encrypt_credential_value('fixture-secret-value', $3) FROM clients WHERE uuid = $1 RETURNING uuid`,
    [clientId, label, testEncryptionKey],
  );
  if (!row) throw new Error('no credential');
  return row.uuid;
}

type HandMade = { action?: string; user?: AccountName | null; ip?: string | null; ago: string };

/** Audit rows at whole seconds in the past ('2 hours', '31 days'), as the monitoring views read them. */
async function addAuditRows(credentialId: string, rows: HandMade[]) {
  for (const row of rows) {
    await api.db.query(
      `INSERT INTO credential_audit_logs (credential_id, user_id, action, ip_address, user_agent, created_at)
       SELECT cd.id, $2, $3, $4::inet, 'hand-made', date_trunc('second', now()) - $5::interval
       FROM credentials cd WHERE cd.uuid = $1`,
      [
        credentialId,
        row.user ? api.accounts[row.user].internalId : null,
        row.action ?? 'view',
        row.ip ?? null,
        row.ago,
      ],
    );
  }
}

const times = <T>(n: number, make: (i: number) => T) => Array.from({ length: n }, (_, i) => make(i));

describe('audit.list', () => {
  it('shows what the vault recorded, newest first, with who, where and which credential', async () => {
    const client = await makeClient('user');
    const user = await signIn('user');
    const credential = await user.credentials.create.mutate({ clientId: client.id, label: 'Mail', value: secret });
    await user.credentials.get.query({ id: credential.id });
    await (await signIn('manager')).credentials.reveal.mutate({ id: credential.id });

    const page = await user.audit.list.query({ credentialId: credential.id });
    const entry = (action: string, who: AccountName) => ({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      action,
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      ipAddress: '127.0.0.1',
      userAgent,
      credential: { id: credential.id, label: 'Mail', isDeleted: false },
      client,
      user: userOf(who),
    });
    expect(page).toEqual({
      items: [entry('decrypt', 'manager'), entry('view', 'user'), entry('create', 'user')],
      nextCursor: null,
      total: 3,
      totalIsCapped: false,
    });
    expect(JSON.stringify(page)).not.toContain(secret);

    await user.credentials.delete.mutate({ id: credential.id });
    const afterDelete = await user.audit.list.query({ credentialId: credential.id });
    expect(afterDelete.items[0]).toMatchObject({ action: 'delete', credential: { isDeleted: true } });
    expect(afterDelete.total).toBe(4);
  });

  describe('visibility and filters', () => {
    let own = '';
    let foreign = '';
    beforeAll(async () => {
      own = await makeSilentCredential((await makeClient('user')).id, 'Own');
      foreign = await makeSilentCredential((await makeClient('otherUser')).id, 'Foreign');
      await addAuditRows(own, [
        { action: 'view', user: 'user', ip: '10.0.0.1', ago: '3 hours' },
        { action: 'decrypt', user: 'manager', ip: '10.0.0.2', ago: '2 hours' },
        { action: 'update', user: null, ip: null, ago: '1 hour' },
      ]);
      await addAuditRows(foreign, [
        { action: 'view', user: 'otherUser', ip: '10.0.0.3', ago: '150 minutes' },
        { action: 'decrypt', user: 'user', ip: '10.0.0.4', ago: '90 minutes' },
      ]);
    });

    const ids = (page: { items: { credential: { id: string } }[] }) => page.items.map((item) => item.credential.id);
    const inScope = (page: { items: { credential: { id: string } }[] }) =>
      ids(page).filter((id) => id === own || id === foreign);

    it('shows a user only the entries of credentials of clients they own, even their own actions elsewhere', async () => {
      const user = await signIn('user');
      const page = await user.audit.list.query({ limit: 100 });
      expect(inScope(page)).toEqual([own, own, own]);
      expect(page.items.every((item) => item.credential.id !== foreign)).toBe(true);
      expect(await user.audit.list.query({ credentialId: foreign })).toEqual({
        items: [],
        nextCursor: null,
        total: 0,
        totalIsCapped: false,
      });
      expect((await user.audit.list.query({ userId: api.accounts.user.id, limit: 100 })).items).not.toContainEqual(
        expect.objectContaining({ credential: expect.objectContaining({ id: foreign }) }),
      );
      const other = await signIn('otherUser');
      expect(inScope(await other.audit.list.query({ limit: 100 }))).toEqual([foreign, foreign]);
    });

    it('shows managers and admins every entry, in time order across credentials', async () => {
      for (const name of ['manager', 'admin'] as const) {
        const page = await (await signIn(name)).audit.list.query({ limit: 100 });
        expect(inScope(page)).toEqual([own, foreign, own, foreign, own]);
      }
    });

    it('filters by credential, user, action and time window, and counts what matches', async () => {
      const manager = await signIn('manager');
      const actions = async (input: Parameters<typeof manager.audit.list.query>[0]) => {
        const page = await manager.audit.list.query({ ...input, limit: 100 });
        const items = page.items.filter((item) => item.credential.id === own || item.credential.id === foreign);
        return items.map((item) => `${item.credential.id === own ? 'own' : 'foreign'}:${item.action}`);
      };
      expect(await actions({ credentialId: own })).toEqual(['own:update', 'own:decrypt', 'own:view']);
      expect(await actions({ userId: api.accounts.user.id, credentialId: foreign })).toEqual(['foreign:decrypt']);
      expect(await actions({ action: 'decrypt' })).toEqual(['foreign:decrypt', 'own:decrypt']);
      const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000).toISOString();
      expect(await actions({ from: hoursAgo(2.6), to: hoursAgo(1.2) })).toEqual([
        'foreign:decrypt',
        'own:decrypt',
        'foreign:view',
      ]);
      const entry = (await manager.audit.list.query({ credentialId: own, action: 'update' })).items[0];
      expect(entry).toMatchObject({ user: null, ipAddress: null, userAgent: 'hand-made' });
      expect((await manager.audit.list.query({ credentialId: own, limit: 1 })).total).toBe(3);
    });

    it('refuses malformed filters by field', async () => {
      const admin = await signIn('admin');
      const badRequestOn = (field: string) => ({
        data: { code: 'BAD_REQUEST', fieldErrors: { [field]: expect.any(Array) } },
      });
      await expect(admin.audit.list.query({ action: 'peek' as never })).rejects.toMatchObject(badRequestOn('action'));
      await expect(admin.audit.list.query({ credentialId: '7' })).rejects.toMatchObject(badRequestOn('credentialId'));
      await expect(admin.audit.list.query({ from: 'yesterday' })).rejects.toMatchObject(badRequestOn('from'));
      await expect(
        admin.audit.list.query({ from: '2026-02-01T00:00:00Z', to: '2026-01-01T00:00:00Z' }),
      ).rejects.toMatchObject(badRequestOn('to'));
      await expect(admin.audit.list.query({ limit: 101 })).rejects.toMatchObject(badRequestOn('limit'));
      await expect(admin.audit.list.query({ cursor: 'not-a-cursor' })).rejects.toMatchObject({
        data: { code: 'BAD_REQUEST' },
      });
    });
  });

  it('pages newest first without gaps or repeats, ties broken by insertion order', async () => {
    const credential = await makeSilentCredential((await makeClient('user')).id, 'Paged');
    // 7 entries; three share one timestamp.
    await addAuditRows(credential, [
      ...times(4, (i) => ({ ago: `${10 - i} minutes`, action: 'view' })),
      ...times(3, () => ({ ago: '1 minute', action: 'decrypt' })),
    ]);
    const expected = (
      await api.db.query<{ uuid: string }>(
        `SELECT a.uuid FROM credential_audit_logs a JOIN credentials cd ON cd.id = a.credential_id
         WHERE cd.uuid = $1 ORDER BY a.created_at DESC, a.id DESC`,
        [credential],
      )
    ).rows.map((row) => row.uuid);

    const user = await signIn('user');
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: Awaited<ReturnType<typeof user.audit.list.query>> = await user.audit.list.query({
        credentialId: credential,
        limit: 3,
        cursor,
      });
      expect(page.total).toBe(7);
      seen.push(...page.items.map((item) => item.id));
      cursor = page.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toEqual(expected);
  });

  it("gives a user's newest entries across all their credentials, however those fall among them", async () => {
    const client = (await makeClient('user')).id;
    const busy = await makeSilentCredential(client, 'Busy');
    const tiedEarlier = await makeSilentCredential(client, 'Tied, written first');
    const tiedLater = await makeSilentCredential(client, 'Tied, written second');
    const quiet = await makeSilentCredential(client, 'Quiet');
    // Ahead of now, so that they are the newest of the log: one credential holds the three newest
    // entries, two share the next second, and one of those also has an older entry.
    await addAuditRows(
      busy,
      times(3, (i) => ({ ago: `-${50 - i} seconds` })),
    );
    await addAuditRows(tiedEarlier, [{ ago: '-40 seconds' }, { ago: '-30 seconds' }]);
    await addAuditRows(tiedLater, [{ ago: '-40 seconds' }]);
    await addAuditRows(quiet, [{ ago: '-20 seconds' }]);
    const newest = (
      await api.db.query<{ uuid: string; credential: string }>(
        `SELECT a.uuid, cd.uuid AS credential FROM credential_audit_logs a
         JOIN credentials cd ON cd.id = a.credential_id JOIN clients cl ON cl.id = cd.client_id
         WHERE cl.owner_user_id = $1 ORDER BY a.created_at DESC, a.id DESC LIMIT 12`,
        [api.accounts.user.internalId],
      )
    ).rows;
    expect(newest.slice(0, 7).map((row) => row.credential)).toEqual([
      busy,
      busy,
      busy,
      tiedLater,
      tiedEarlier,
      tiedEarlier,
      quiet,
    ]);

    const user = await signIn('user');
    for (let limit = 1; limit <= 10; limit++) {
      const page = await user.audit.list.query({ limit });
      expect(
        page.items.map((item) => item.id),
        `a page of ${limit}`,
      ).toEqual(newest.slice(0, limit).map((row) => row.uuid));
    }
    const { recentCredentialActivity } = await user.dashboard.summary.query();
    expect(recentCredentialActivity.map((item) => item.id)).toEqual(
      newest.slice(0, recentCredentialActivity.length).map((row) => row.uuid),
    );
    expect(recentCredentialActivity.length).toBeGreaterThanOrEqual(7);
  });

  it("moves a client's entries to its new owner's newest page, and a lagging figure never shows them to the old", async () => {
    const client = (await makeClient('user')).id;
    const handedOver = await makeSilentCredential(client, 'Handed over');
    await addAuditRows(handedOver, [{ ago: '-90 seconds' }]); // the newest entry of the log
    const newestOf = async (name: 'user' | 'otherUser') => {
      const session = await signIn(name);
      const { recentCredentialActivity } = await session.dashboard.summary.query();
      return {
        page: (await session.audit.list.query({ limit: 5 })).items.map((item) => item.credential.id),
        dashboard: recentCredentialActivity.map((item) => item.credential.id),
      };
    };
    const first = (newest: { page: string[]; dashboard: string[] }) => [newest.page[0], newest.dashboard[0]];
    const includes = (newest: { page: string[]; dashboard: string[] }) =>
      [newest.page, newest.dashboard].map((ids) => ids.includes(handedOver));
    expect(first(await newestOf('user'))).toEqual([handedOver, handedOver]);
    expect(includes(await newestOf('otherUser'))).toEqual([false, false]);

    await (await signIn('manager')).clients.update.mutate({ id: client, ownerId: api.accounts.otherUser.id });
    expect(includes(await newestOf('user'))).toEqual([false, false]);
    expect(first(await newestOf('otherUser'))).toEqual([handedOver, handedOver]);

    // The audit figures still naming the old owner (a credential created while its client changed
    // hands), written past the trigger that would set the owner right.
    const setFigureOwner = (name: 'user' | 'otherUser') =>
      withoutTriggers(
        `UPDATE credential_audit_stats SET owner_user_id = $1
         WHERE credential_id = (SELECT id FROM credentials WHERE uuid = $2)`,
        [api.accounts[name].internalId, handedOver],
      );
    await setFigureOwner('user');
    try {
      expect(includes(await newestOf('user'))).toEqual([false, false]);
    } finally {
      await setFigureOwner('otherUser');
    }
  });
});

describe('audit.summary', () => {
  it('counts each credential’s events, users and addresses as numbers, for the roles that may see them', async () => {
    const ownClient = await makeClient('user');
    const own = await makeSilentCredential(ownClient.id, 'Summarised');
    const foreign = await makeSilentCredential((await makeClient('otherUser')).id, 'Hidden');
    const quiet = await makeSilentCredential(ownClient.id, 'Quiet');
    await addAuditRows(own, [
      { action: 'view', user: 'user', ip: '10.1.0.1', ago: '5 days' },
      { action: 'view', user: 'user', ip: '10.1.0.1', ago: '4 days' },
      { action: 'view', user: 'manager', ip: '10.1.0.2', ago: '3 days' },
      { action: 'decrypt', user: 'manager', ip: '10.1.0.3', ago: '2 days' },
      { action: 'decrypt', user: 'user', ip: '10.1.0.2', ago: '1 day' },
      { action: 'update', user: 'user', ip: '10.1.0.1', ago: '2 hours' },
    ]);
    await addAuditRows(foreign, [{ action: 'view', user: 'otherUser', ip: '10.1.0.9', ago: '1 hour' }]);
    const { rows } = await api.db.query<{ at: Date }>(`SELECT date_trunc('second', now()) - interval '2 hours' AS at`);

    const { items: summary } = await (await signIn('user')).audit.summary.query({ limit: 100 });
    expect(summary.find((row) => row.credential.id === own)).toEqual({
      credential: { id: own, label: 'Summarised' },
      client: ownClient,
      isDeleted: false,
      accessCount: 6,
      viewCount: 3,
      decryptCount: 2,
      lastAccessedAt: rows[0]?.at.toISOString(),
      uniqueUserCount: 2,
      uniqueIpCount: 3,
    });
    expect(summary.find((row) => row.credential.id === quiet)).toMatchObject({
      accessCount: 0,
      lastAccessedAt: null,
      uniqueUserCount: 0,
    });
    expect(summary.some((row) => row.credential.id === foreign)).toBe(false);

    const manager = await signIn('manager');
    await manager.credentials.delete.mutate({ id: foreign });
    const { items: all } = await manager.audit.summary.query({ limit: 100 });
    expect(all.find((row) => row.credential.id === foreign)).toMatchObject({ isDeleted: true, accessCount: 2 });
    expect(all.some((row) => row.credential.id === own)).toBe(true);
  });

  it('comes a page at a time, by client name and label, each credential once, with the total', async () => {
    const names = ['Pager Zed', 'Pager Alpha', 'Pager Mid'];
    const clients = [];
    for (const name of names) clients.push(await make.client('user', { name }));
    const labels = ['b', 'a', 'c'];
    for (const client of clients) for (const label of labels) await makeSilentCredential(client.id, label);

    const user = await signIn('user');
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: Awaited<ReturnType<typeof user.audit.summary.query>> = await user.audit.summary.query({
        limit: 2,
        cursor,
      });
      expect(page).toMatchObject({ totalIsCapped: false });
      seen.push(
        ...page.items
          .filter((row) => row.client.name.startsWith('Pager'))
          .map((row) => `${row.client.name} ${row.credential.label}`),
      );
      cursor = page.nextCursor;
      pages++;
    } while (cursor && pages < 100);
    expect(seen).toEqual(
      ['Pager Alpha', 'Pager Mid', 'Pager Zed'].flatMap((name) => ['a', 'b', 'c'].map((label) => `${name} ${label}`)),
    );
    const first = await user.audit.summary.query();
    expect(first.items.length).toBeLessThanOrEqual(25);
    expect(first.total).toBe(
      Number(
        (
          await api.db.query(
            'SELECT count(*) FROM credentials cd JOIN clients c ON c.id = cd.client_id WHERE c.owner_user_id = $1',
            [api.accounts.user.internalId],
          )
        ).rows[0]?.count,
      ),
    );
    await expect(user.audit.summary.query({ cursor: 'not-a-cursor' })).rejects.toMatchObject({
      data: { httpStatus: 400 },
    });
  });
});

describe('audit.unusualAccess', () => {
  it('flags credentials with more than 10 events or more than 3 addresses in the last 24 hours', async () => {
    const ownClient = await makeClient('user');
    const foreignClient = await makeClient('otherUser');
    const busy = await makeSilentCredential(ownClient.id, 'Busy');
    const roaming = await makeSilentCredential(foreignClient.id, 'Roaming');
    const justBelow = await makeSilentCredential(ownClient.id, 'Just below');
    const longAgo = await makeSilentCredential(ownClient.id, 'Long ago');
    await addAuditRows(
      busy,
      times(11, (i) => ({ user: 'user', ip: '10.2.0.1', ago: `${i + 1} hours` })),
    );
    await addAuditRows(
      roaming,
      times(4, (i) => ({ user: i % 2 ? 'otherUser' : 'manager', ip: `10.2.1.${i}`, ago: `${i + 1} minutes` })),
    );
    await addAuditRows(justBelow, [
      ...times(7, () => ({ user: 'user' as const, ip: '10.2.2.1', ago: '1 hour' })),
      ...times(3, (i) => ({ user: 'user' as const, ip: `10.2.2.${(i % 2) + 2}`, ago: '23 hours' })),
      { user: 'user', ip: '10.2.2.9', ago: '25 hours' }, // the 11th event and 4th address, outside the window
    ]);
    await addAuditRows(
      longAgo,
      times(20, (i) => ({ ip: `10.2.3.${i}`, ago: '2 days' })),
    );

    const manager = await (await signIn('manager')).audit.unusualAccess.query();
    const flagged = manager.filter((row) => [busy, roaming, justBelow, longAgo].includes(row.credential.id));
    expect(flagged).toEqual([
      {
        credential: { id: busy, label: 'Busy', isDeleted: false },
        client: ownClient,
        accessCount: 11,
        uniqueIpCount: 1,
        uniqueUserCount: 1,
        lastAccessedAt: expect.any(String),
      },
      {
        credential: { id: roaming, label: 'Roaming', isDeleted: false },
        client: foreignClient,
        accessCount: 4,
        uniqueIpCount: 4,
        uniqueUserCount: 2,
        lastAccessedAt: expect.any(String),
      },
    ]);
    const user = await (await signIn('user')).audit.unusualAccess.query();
    expect(user.map((row) => row.credential.id)).toContain(busy);
    expect(user.map((row) => row.credential.id)).not.toContain(roaming);
  });
});

describe('audit.staleCredentials', () => {
  it('lists live credentials not accessed for 30 days or never, stalest first', async () => {
    const ownClient = await makeClient('user');
    const never = await makeSilentCredential(ownClient.id, 'Never used');
    const stale = await makeSilentCredential(ownClient.id, 'Stale');
    const fresh = await makeSilentCredential(ownClient.id, 'Fresh');
    const deleted = await makeSilentCredential(ownClient.id, 'Deleted');
    const foreign = await makeSilentCredential((await makeClient('otherUser')).id, 'Foreign stale');
    await addAuditRows(stale, [
      { action: 'create', ago: '90 days' },
      { action: 'decrypt', user: 'user', ip: '10.3.0.1', ago: '31 days' },
    ]);
    await addAuditRows(fresh, [
      { action: 'create', ago: '90 days' },
      { action: 'view', ago: '29 days' },
    ]);
    await addAuditRows(deleted, [{ action: 'create', ago: '90 days' }]);
    await withoutTriggers('UPDATE credentials SET deleted_at = now() WHERE uuid = $1', [deleted]); // no 'delete' row
    await addAuditRows(foreign, [{ action: 'create', ago: '60 days' }]);
    const { rows } = await api.db.query<{ at: Date }>(`SELECT date_trunc('second', now()) - interval '31 days' AS at`);

    const mine = (await (await signIn('user')).audit.staleCredentials.query()).filter((row) =>
      [never, stale, fresh, deleted, foreign].includes(row.credential.id),
    );
    expect(mine).toEqual([
      { credential: { id: never, label: 'Never used' }, client: ownClient, lastAccessedAt: null },
      { credential: { id: stale, label: 'Stale' }, client: ownClient, lastAccessedAt: rows[0]?.at.toISOString() },
    ]);
    const all = (await (await signIn('admin')).audit.staleCredentials.query()).map((row) => row.credential.id);
    expect(all).toEqual(expect.arrayContaining([never, stale, foreign]));
    expect(all).not.toContain(fresh);
    expect(all).not.toContain(deleted);
  });
});
