/** clients.list / byTag / tags: keyset pages in every order, the filters, the tag helpers. */
import type { ClientSort } from '@mini-crm/models';
import { describe, expect, it } from 'vitest';
import { useTestApi } from '../../test/api.ts';
import type { CrmClient } from '../client.ts';

const api = useTestApi();

type Row = { name: string; company?: string | null; email?: string | null; status?: string; tags?: string[] };

/** Inserts clients in SQL and returns their uuids in input order. */
async function insertClients(rows: Row[], ownerId: number | null = null) {
  const ids: string[] = [];
  for (const row of rows) {
    const { rows: made } = await api.db.query<{ uuid: string }>(
      `INSERT INTO clients (name, company, email, status, tags, owner_user_id)
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING uuid`,
      [row.name, row.company ?? null, row.email ?? null, row.status ?? 'active', row.tags ?? [], ownerId],
    );
    ids.push(made[0]?.uuid ?? '');
  }
  return ids;
}

type ListInput = Parameters<CrmClient['clients']['list']['query']>[0];

/** Every page of a list, following nextCursor; checks total on each page. */
async function walk(client: CrmClient, input: ListInput, expectedTotal: number) {
  const ids: string[] = [];
  let cursor: string | null = null;
  for (let pages = 0; pages < 50; pages++) {
    const page: Awaited<ReturnType<CrmClient['clients']['list']['query']>> = await client.clients.list.query({
      ...input,
      cursor,
    });
    expect(page.total).toBe(expectedTotal);
    ids.push(...page.items.map((item) => item.id));
    cursor = page.nextCursor;
    if (!cursor) return ids;
  }
  throw new Error('the pages never ended');
}

describe('clients.list pagination', () => {
  it('walks every client exactly once in each of the six orders, ties included', async () => {
    const user = await api.signIn('user');
    // 30 clients, 10 names three times each; created_at ties and values a microsecond apart in one
    // millisecond; updated_at all equal.
    const names = Array.from({ length: 30 }, (_, i) => `Pager ${String.fromCharCode(65 + (i % 10))}`);
    const ids = await insertClients(names.map((name) => ({ name, tags: ['pager'] })));
    await api.db.query(
      `UPDATE clients SET created_at = TIMESTAMPTZ '2024-05-01 10:00:00.000100+00' + (id % 4) * INTERVAL '1 microsecond'
       WHERE uuid = ANY($1::uuid[])`,
      [ids],
    );
    await api.db.query(
      `UPDATE clients SET updated_at = TIMESTAMPTZ '2024-06-01 00:00:00+00' WHERE uuid = ANY($1::uuid[])`,
      [ids],
    );

    const byNameThenId = ids
      .map((id, i) => ({ id, name: names[i] ?? '' }))
      .sort((a, b) => (a.name === b.name ? (a.id < b.id ? -1 : 1) : a.name < b.name ? -1 : 1))
      .map((row) => row.id);
    const sqlOrder = async (column: string, direction: string) =>
      (
        await api.db.query<{ uuid: string }>(
          `SELECT uuid FROM clients WHERE 'pager' = ANY(tags) ORDER BY ${column} ${direction}, uuid ${direction}`,
        )
      ).rows.map((row) => row.uuid);
    const expected: Record<ClientSort, string[]> = {
      name: byNameThenId,
      '-name': [...byNameThenId].reverse(),
      createdAt: await sqlOrder('created_at', 'ASC'),
      '-createdAt': await sqlOrder('created_at', 'DESC'),
      updatedAt: await sqlOrder('updated_at', 'ASC'),
      '-updatedAt': await sqlOrder('updated_at', 'DESC'),
    };
    expect(expected.createdAt).not.toEqual(expected.updatedAt); // the orders really differ

    for (const sort of Object.keys(expected) as ClientSort[]) {
      const seen = await walk(user, { tags: ['pager'], sort, limit: 7 }, 30);
      expect(seen, sort).toEqual(expected[sort]);
    }
    // A page size that divides the rows evenly still ends with nextCursor null and no empty page.
    const first = await user.clients.list.query({ tags: ['pager'], limit: 30 });
    expect(first.items).toHaveLength(30);
    expect(first.nextCursor).toBeNull();
  });

  it('pages a search in each of the six orders, whether it has a few matches or thousands', async () => {
    const user = await api.signIn('user');
    // 2,600 matches: more than a search sorts for its page (searchSortCap), until the cursor is deep.
    await api.db.query(
      `INSERT INTO clients (name, company, created_at, updated_at)
       SELECT 'Searched ' || (g * 7919 % 2600), CASE WHEN g <= 40 THEN 'Fewmatch Co' ELSE 'Manymatch Co' END,
              TIMESTAMPTZ '2024-01-01 00:00:00+00' + (g % 97) * INTERVAL '1 second', TIMESTAMPTZ '2024-06-01 00:00:00+00'
       FROM generate_series(1, 2600) g`,
    );
    const columnOf = { name: 'name', createdAt: 'created_at', updatedAt: 'updated_at' } as const;
    for (const [company, search, limit, total] of [
      ['Fewmatch Co', 'fewmatch', 7, 40],
      ['Manymatch Co', 'manymatch', 100, 1000],
    ] as const) {
      for (const sort of ['name', '-name', 'createdAt', '-createdAt', 'updatedAt', '-updatedAt'] as const) {
        const direction = sort.startsWith('-') ? 'DESC' : 'ASC';
        const { rows } = await api.db.query<{ uuid: string }>(
          `SELECT uuid FROM clients WHERE company = $1
           ORDER BY ${columnOf[sort.replace('-', '') as keyof typeof columnOf]} ${direction}, uuid ${direction}`,
          [company],
        );
        const seen = await walk(user, { search, sort, limit }, total);
        expect(seen, `${search} by ${sort}`).toEqual(rows.map((row) => row.uuid));
      }
    }
    await api.db.query("DELETE FROM clients WHERE company IN ('Fewmatch Co', 'Manymatch Co')");
  });

  it('refuses a cursor of another order, a made-up cursor and a forged key as BAD_REQUEST on cursor', async () => {
    const user = await api.signIn('user');
    await insertClients([{ name: 'Cursor A' }, { name: 'Cursor B' }]);
    const page = await user.clients.list.query({ search: 'cursor', limit: 1, sort: 'name' });
    expect(page.nextCursor).toEqual(expect.any(String));
    const badCursor = { data: { code: 'BAD_REQUEST' }, message: expect.stringContaining('cursor') };
    for (const sort of ['-name', 'createdAt', '-updatedAt'] as const) {
      await expect(user.clients.list.query({ search: 'cursor', cursor: page.nextCursor, sort })).rejects.toMatchObject(
        badCursor,
      );
    }
    const forged = (key: unknown) => Buffer.from(JSON.stringify(key)).toString('base64url');
    for (const cursor of [
      'not-a-cursor',
      forged(['createdAt', 'yesterday', crypto.randomUUID()]),
      forged(['createdAt', '2024-13-45T99:00:00.000000Z', crypto.randomUUID()]),
      forged(['name', 42, crypto.randomUUID()]),
      forged(['name', 'Cursor A', 'not-a-uuid']),
      forged(['name', 'nul\u0000', crypto.randomUUID()]),
    ]) {
      for (const sort of ['name', 'createdAt'] as const) {
        await expect(user.clients.list.query({ cursor, sort }), cursor).rejects.toMatchObject(badCursor);
      }
    }
  });
});

describe('clients.list filters', () => {
  it('searches name, company and e-mail in any letter case, with % and _ as plain characters', async () => {
    const user = await api.signIn('user');
    const [percent, hundred, under, plain, byCompany, byEmail] = await insertClients([
      { name: 'Sale 50% Off' },
      { name: 'Sale 500 Items' },
      { name: 'Snake a_b Co' },
      { name: 'Snake axb Co' },
      { name: 'Someone', company: 'Zebracorp Industries' },
      { name: 'Another', email: 'boss@zebramail.example' },
    ]);
    expect((await user.clients.list.query({ search: '50%' })).items.map((c) => c.id)).toEqual([percent]);
    expect((await user.clients.list.query({ search: 'sale 50' })).items.map((c) => c.id)).toEqual([percent, hundred]);
    expect((await user.clients.list.query({ search: 'A_B' })).items.map((c) => c.id)).toEqual([under]);
    expect((await user.clients.list.query({ search: 'axb' })).items.map((c) => c.id)).toEqual([plain]);
    const zebra = await user.clients.list.query({ search: 'ZEBRA' });
    expect(zebra.items.map((c) => c.id).sort()).toEqual([byCompany, byEmail].sort());
    expect(zebra.total).toBe(2);
    // A blank search box lists everyone.
    const all = await user.clients.list.query({ search: '   ', limit: 100 });
    expect(all.total).toBe((await api.db.query('SELECT 1 FROM clients')).rowCount);
  });

  it('searches one or two characters as the start of the name, company or e-mail (an index serves both)', async () => {
    const user = await api.signIn('user');
    const [qName, qCompany, qEmail] = await insertClients([
      { name: 'Qwerty Labs' },
      { name: 'Nobody', company: 'Qz Holdings' },
      { name: 'Someone Else', email: 'qz@mail.example' },
      { name: 'Iraq Qz Import' }, // q and qz inside, not at the start
    ]);
    const ids = async (search: string) =>
      (await user.clients.list.query({ search, limit: 100 })).items.map((c) => c.id);
    expect((await ids('q')).sort()).toEqual([qName, qCompany, qEmail].sort());
    expect((await ids('QZ')).sort()).toEqual([qCompany, qEmail].sort());
    // From three characters on, anywhere.
    expect(await ids('q i')).toEqual([]);
    expect((await ids('qz ')).length).toBe(2);
  });

  it('counts past a thousand matches as "1000+", and counts a status, one tag or everyone exactly', async () => {
    const user = await api.signIn('user');
    await api.db.query(
      `INSERT INTO clients (name, status, tags) SELECT 'Many ' || g, 'archived', ARRAY['many'] FROM generate_series(1, 1005) g`,
    );
    const tagged = await user.clients.list.query({ tags: ['many'], limit: 5 });
    expect(tagged).toMatchObject({ total: 1005, totalIsCapped: false });
    expect(tagged.items).toHaveLength(5);
    expect(await user.clients.list.query({ tags: ['many', 'Many'], tagMatch: 'all', limit: 1 })).toMatchObject({
      total: 1005,
      totalIsCapped: false,
    });
    expect(await user.clients.list.query({ tags: ['no-such-tag'], limit: 1 })).toMatchObject({
      total: 0,
      totalIsCapped: false,
    });
    expect(await user.clients.list.query({ tags: ['many', 'other'], limit: 1 })).toMatchObject({
      total: 1000,
      totalIsCapped: true,
    });
    expect(await user.clients.list.query({ tags: ['many'], status: 'archived', limit: 1 })).toMatchObject({
      total: 1000,
      totalIsCapped: true,
    });
    const searched = await user.clients.list.query({ search: 'many', limit: 5 });
    expect(searched).toMatchObject({ total: 1000, totalIsCapped: true });
    const { rows } = await api.db.query<{ archived: number; all: number }>(
      "SELECT count(*) FILTER (WHERE status = 'archived')::int AS archived, count(*)::int AS all FROM clients",
    );
    expect(await user.clients.list.query({ status: 'archived', limit: 1 })).toMatchObject({
      total: rows[0]?.archived,
      totalIsCapped: false,
    });
    expect(await user.clients.list.query({ limit: 1 })).toMatchObject({ total: rows[0]?.all, totalIsCapped: false });
    await api.db.query("DELETE FROM clients WHERE name LIKE 'Many %'");
  });

  it('gives the same total whether the first page holds every match or not', async () => {
    const user = await api.signIn('user');
    await insertClients([{ name: 'Fits one' }, { name: 'Fits two' }, { name: 'Fits three' }, { name: 'Fits four' }]);
    for (const limit of [2, 3, 4, 5]) {
      const page = await user.clients.list.query({ search: 'fits ', limit });
      expect(page, `a page of ${limit}`).toMatchObject({ total: 4, totalIsCapped: false });
      expect(page.items).toHaveLength(Math.min(limit, 4));
      expect(page.nextCursor === null, `a page of ${limit}`).toBe(limit >= 4);
    }
    const second = await user.clients.list.query({
      search: 'fits ',
      limit: 3,
      cursor: (await user.clients.list.query({ search: 'fits ', limit: 3 })).nextCursor,
    });
    expect(second).toMatchObject({ total: 4, nextCursor: null });
    expect(second.items).toHaveLength(1);
  });

  it('filters by status, by tags (any or all) and by owner, combined with AND', async () => {
    const user = await api.signIn('user');
    const [redBlue, red, blueProspect] = await insertClients(
      [
        { name: 'Tagged red blue', tags: ['f-red', 'f-blue'] },
        { name: 'Tagged red', tags: ['f-red'] },
        { name: 'Tagged blue', tags: ['f-blue'], status: 'prospect' },
      ],
      api.accounts.otherUser.internalId,
    );
    const [mine] = await insertClients([{ name: 'Tagged mine', tags: ['f-red'] }], api.accounts.user.internalId);
    const ids = async (input: ListInput) => (await user.clients.list.query(input)).items.map((c) => c.id);

    expect(await ids({ tags: ['f-red', 'f-blue'] })).toEqual([blueProspect, mine, red, redBlue]);
    expect(await ids({ tags: ['F-Red ', 'f-blue'], tagMatch: 'all' })).toEqual([redBlue]);
    expect(await ids({ tags: ['f-red'], tagMatch: 'any' })).toEqual([mine, red, redBlue]);
    expect(await ids({ tags: [], search: 'tagged' })).toHaveLength(4);
    expect(await ids({ status: 'prospect', search: 'tagged' })).toEqual([blueProspect]);
    expect(await ids({ ownerId: api.accounts.user.id, search: 'tagged' })).toEqual([mine]);
    expect(await ids({ ownerId: api.accounts.otherUser.id, tags: ['f-red'] })).toEqual([red, redBlue]);
    expect(await user.clients.list.query({ ownerId: crypto.randomUUID() })).toEqual({
      items: [],
      nextCursor: null,
      total: 0,
      totalIsCapped: false,
    });
  });

  it('gives items with the owner and no internal id, notes or figures', async () => {
    const user = await api.signIn('user');
    const [id] = await insertClients(
      [{ name: 'Shape Check', company: 'Shape Ltd', email: 'shape@example.com', tags: ['shape'] }],
      api.accounts.manager.internalId,
    );
    const [orphan] = await insertClients([{ name: 'Shape Orphan', tags: ['shape'] }]);
    const page = await user.clients.list.query({ tags: ['shape'] });
    expect(page.items).toEqual([
      {
        id,
        name: 'Shape Check',
        company: 'Shape Ltd',
        email: 'shape@example.com',
        phone: null,
        status: 'active',
        tags: ['shape'],
        timezone: 'UTC',
        websiteUrl: null,
        ownerId: api.accounts.manager.id,
        owner: { id: api.accounts.manager.id, name: 'Test manager', email: api.accounts.manager.email },
        createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
        updatedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      },
      expect.objectContaining({ id: orphan, ownerId: null, owner: null }),
    ]);
  });

  it('refuses bad filters and page sizes, naming the field', async () => {
    const user = await api.signIn('manager');
    const cases: [Record<string, unknown>, string][] = [
      [{ limit: 0 }, 'limit'],
      [{ limit: 101 }, 'limit'],
      [{ status: 'deleted' }, 'status'],
      [{ sort: 'email' }, 'sort'],
      [{ sort: 'name; DROP TABLE clients' }, 'sort'],
      [{ tagMatch: 'some' }, 'tagMatch'],
      [{ ownerId: '1' }, 'ownerId'],
      [{ tags: 'vip' }, 'tags'],
      [{ tags: [''] }, 'tags.0'],
    ];
    for (const [input, field] of cases) {
      await expect(user.clients.list.query(input as ListInput), field).rejects.toMatchObject({
        data: { code: 'BAD_REQUEST', fieldErrors: { [field]: expect.any(Array) } },
      });
    }
  });

  it('needs a session, and a deactivated user has none', async () => {
    const gone = await api.signIn('deactivated');
    await expect(api.anonymous().clients.list.query({})).rejects.toMatchObject({ data: { code: 'UNAUTHORIZED' } });
    await expect(gone.clients.list.query({})).rejects.toMatchObject({ data: { code: 'UNAUTHORIZED' } });
    await expect(api.anonymous().clients.tags.query()).rejects.toMatchObject({ data: { code: 'UNAUTHORIZED' } });
  });
});

describe('clients.byTag and clients.tags', () => {
  it('finds the clients carrying one tag, by name, with their owner', async () => {
    const user = await api.signIn('user');
    const [zulu, alpha] = await insertClients(
      [
        { name: 'Zulu Tagged', tags: ['bt-gold', 'bt-x'] },
        { name: 'Alpha Tagged', tags: ['bt-gold'] },
        { name: 'Beta Untagged', tags: ['bt-x'] },
      ],
      api.accounts.otherUser.internalId,
    );
    const found = await user.clients.byTag.query({ tag: '  BT-Gold ' });
    expect(found.map((c) => c.id)).toEqual([alpha, zulu]);
    expect(found[0]).toMatchObject({
      name: 'Alpha Tagged',
      tags: ['bt-gold'],
      ownerId: api.accounts.otherUser.id,
      owner: { id: api.accounts.otherUser.id, name: 'Test otherUser', email: api.accounts.otherUser.email },
    });
    expect(await user.clients.byTag.query({ tag: 'bt-none' })).toEqual([]);
    for (const tag of ['', '   ', 'x'.repeat(51)]) {
      await expect(user.clients.byTag.query({ tag })).rejects.toMatchObject({
        data: { code: 'BAD_REQUEST', fieldErrors: { tag: expect.any(Array) } },
      });
    }
  });

  it('counts the clients per tag, most used first, then by tag', async () => {
    const user = await api.signIn('user');
    await api.db.query('DELETE FROM clients');
    await insertClients([
      { name: 'T1', tags: ['tc-b', 'tc-a'] },
      { name: 'T2', tags: ['tc-b', 'tc-c'] },
      { name: 'T3', tags: ['tc-c', 'tc-b'] },
      { name: 'T4', tags: ['tc-d'] },
      { name: 'T5', tags: [] },
    ]);
    expect(await user.clients.tags.query()).toEqual([
      { tag: 'tc-b', count: 3 },
      { tag: 'tc-c', count: 2 },
      { tag: 'tc-a', count: 1 },
      { tag: 'tc-d', count: 1 },
    ]);
  });
});
