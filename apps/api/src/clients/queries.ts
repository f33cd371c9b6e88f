/**
 * SQL of clients.*. Rows carry the owner's uuid, never owner_user_id, so no internal id reaches a
 * response; the internal ids read here (for writes) stay in the router.
 */
import { ClientSort, ClientStatus, type TagMatch } from '@mini-crm/models';
import { type CommonQueryMethods, type FragmentSqlToken, sql } from 'slonik';
import { z } from 'zod';
import { prepared } from '../db.ts';
import { exactTotal, type Total, toTotal } from '../pagination.ts';
import { Count, Timestamp, TotalRow } from '../rows.ts';
import { allOf, cappedCount, limitOf, searchPattern } from '../sql-fragments.ts';

export const ClientRow = z.object({
  uuid: z.uuid(),
  name: z.string(),
  company: z.string().nullable(),
  email: z.string().nullable(),
  phone: z.string().nullable(),
  status: ClientStatus,
  tags: z.array(z.string()),
  timezone: z.string(),
  website_url: z.string().nullable(),
  owner_uuid: z.uuid().nullable(),
  owner_name: z.string().nullable(),
  owner_email: z.string().nullable(),
  created_at: Timestamp,
  updated_at: Timestamp,
});
export type ClientRow = z.output<typeof ClientRow>;

/** client_overview's figures; its counts are bigint. Overdue follows the transaction's TimeZone. */
export const ClientDetailRow = ClientRow.extend({
  notes: z.string().nullable(),
  task_count: Count,
  pending_tasks: Count,
  in_progress_tasks: Count,
  overdue_tasks: Count,
  completed_tasks: Count,
  credential_count: Count,
});
export type ClientDetailRow = z.output<typeof ClientDetailRow>;

const clientColumns = sql.fragment`
  c.uuid, c.name, c.company, c.email, c.phone, c.status, c.tags, c.timezone, c.website_url,
  c.created_at, c.updated_at
`;
/** For queries on clients c joined to its owner u. */
const ownerColumns = sql.fragment`u.uuid AS owner_uuid, u.name AS owner_name, u.email AS owner_email`;

// ---------------------------------------------------------------------------------------------
// clients.list: keyset pages in one of six orders
// ---------------------------------------------------------------------------------------------

/**
 * Each order: its column, and the key that goes into the cursor as text. Timestamps travel as
 * microsecond ISO strings in UTC: the epoch milliseconds slonik reads would cut ties inside one
 * millisecond and skip or repeat rows.
 */
const sortKeys = {
  name: { column: sql.fragment`c.name`, key: sql.fragment`c.name`, cast: sql.fragment`::text` },
  createdAt: {
    column: sql.fragment`c.created_at`,
    key: sql.fragment`to_char(c.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`,
    cast: sql.fragment`::timestamptz`,
  },
  updatedAt: {
    column: sql.fragment`c.updated_at`,
    key: sql.fragment`to_char(c.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`,
    cast: sql.fragment`::timestamptz`,
  },
};

const sortOf = (sort: ClientSort) => {
  const isDescending = sort.startsWith('-');
  return { ...sortKeys[sort.replace('-', '') as keyof typeof sortKeys], isDescending };
};

const MicrosecondIso = z
  .string()
  .regex(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/)
  .refine((value) => !Number.isNaN(Date.parse(value)));

const NameKey = z
  .string()
  .max(255)
  .refine((value) => !value.includes('\u0000'));

/**
 * The cursor of each sort: [sort, the last row's sort key, its uuid]. It names its sort, so a cursor
 * handed to another order is refused (decodeCursor answers BAD_REQUEST) instead of giving wrong rows.
 * Built once: building a zod schema costs more than using it. Built at each request, they were 4 %
 * of the list's CPU.
 */
const cursorOf = (sort: ClientSort) =>
  z.tuple([z.literal(sort), sort.endsWith('name') ? NameKey : MicrosecondIso, z.uuid()]);
const clientCursors = Object.fromEntries(ClientSort.options.map((sort) => [sort, cursorOf(sort)])) as Record<
  ClientSort,
  ReturnType<typeof cursorOf>
>;
export type ClientCursor = [ClientSort, string, string];

export const clientCursor = (sort: ClientSort) => clientCursors[sort];

export type ClientFilters = {
  search: string | null;
  status: ClientStatus | null;
  tags: string[];
  tagMatch: TagMatch;
  ownerId: string | null;
};

function filterConditions(filters: ClientFilters) {
  const conditions = [sql.fragment`TRUE`];
  if (filters.search !== null) {
    // idx_clients_search (trigrams) serves each ILIKE; for one or two characters the pattern is a prefix.
    const pattern = searchPattern(filters.search);
    conditions.push(sql.fragment`(c.name ILIKE ${pattern} OR c.company ILIKE ${pattern} OR c.email ILIKE ${pattern})`);
  }
  if (filters.status !== null) conditions.push(sql.fragment`c.status = ${filters.status}`);
  if (filters.tags.length > 0) {
    // && and @> are what the GIN index idx_clients_tags serves.
    const tags = sql.array(filters.tags, 'text');
    conditions.push(filters.tagMatch === 'all' ? sql.fragment`c.tags @> ${tags}` : sql.fragment`c.tags && ${tags}`);
  }
  if (filters.ownerId !== null) {
    conditions.push(sql.fragment`c.owner_user_id = (SELECT id FROM users WHERE uuid = ${filters.ownerId}::uuid)`);
  }
  return conditions;
}

/**
 * `rest_count`: for a search, how many clients match from the cursor on, up to searchSortCap + 1
 * (on the first page, the search's size: countClients need not run); null otherwise.
 */
const ClientListRow = ClientRow.extend({ sort_key: z.string(), rest_count: Count.nullable() });
export type ClientListRow = z.output<typeof ClientListRow>;

/**
 * A search reads and sorts at most this many of its matches for a page; past it, the page walks
 * the order's index (see listClients).
 */
const searchSortCap = 2500;

/** One page (limit + 1 rows, for toPage) after the cursor's row, in the order of `sort`, ties by uuid. */
export function listClients(
  db: CommonQueryMethods,
  filters: ClientFilters,
  sort: ClientSort,
  after: ClientCursor | null,
  limit: number,
) {
  const { column, key, cast, isDescending } = sortOf(sort);
  const conditions = allOf(filterConditions(filters));
  // The single-column bound lets an index on the sort column start the scan at the cursor.
  const rest = after
    ? isDescending
      ? sql.fragment`${conditions} AND ${column} <= ${after[1]}${cast} AND (${column}, c.uuid) < (${after[1]}${cast}, ${after[2]}::uuid)`
      : sql.fragment`${conditions} AND ${column} >= ${after[1]}${cast} AND (${column}, c.uuid) > (${after[1]}${cast}, ${after[2]}::uuid)`
    : conditions;
  const direction = isDescending ? sql.fragment`DESC` : sql.fragment`ASC`;
  const rows = (restCount: FragmentSqlToken) => sql.fragment`
    SELECT ${clientColumns}, ${ownerColumns}, ${key} AS sort_key, ${restCount} AS rest_count
    FROM clients c
    LEFT JOIN users u ON u.id = c.owner_user_id
  `;
  const inOrder = sql.fragment`ORDER BY ${column} ${direction}, c.uuid ${direction} ${limitOf(limit + 1)}`;
  if (filters.search === null) {
    return db.any(
      prepared(
        sql.type(ClientListRow)`/* clients.list */ ${rows(sql.fragment`NULL::bigint`)} WHERE ${rest} ${inOrder}`,
        hasValueFreePlan(filters) && after === null,
      ),
    );
  }
  // A search: its matches after the cursor come from the trigram index unordered. Up to
  // searchSortCap of them are sorted for the page; with more, they are common enough that walking
  // the order's index finds a page's worth soon. The planner chooses between the two by estimate,
  // and at 100,000 clients chose the walk for a word in 1 % of them: 5,175 rows read
  // (8 ms) where sorting its 1,023 matches took 2.5 ms. Only one of the two branches runs.
  // Counted once (counted), read by both branches' guards and by every row.
  const restCount = sql.fragment`(SELECT counted.n FROM counted)`;
  const isFew = sql.fragment`${restCount} <= ${searchSortCap}`;
  return db.any(sql.type(ClientListRow)`
    /* clients.list */
    WITH rest AS MATERIALIZED (
      SELECT c.id, ${column} AS sort_value, c.uuid FROM clients c WHERE ${rest} ${limitOf(searchSortCap + 1)}
    ), counted AS MATERIALIZED (
      SELECT count(*) AS n FROM rest
    )
    SELECT * FROM (
      (
        ${rows(restCount)}
        JOIN (
          SELECT r.id FROM rest r WHERE ${isFew}
          ORDER BY r.sort_value ${direction}, r.uuid ${direction} ${limitOf(limit + 1)}
        ) AS page ON page.id = c.id
      )
      UNION ALL
      (${rows(restCount)} WHERE ${rest} AND NOT ${isFew} ${inOrder})
    ) AS listed
    ORDER BY listed.sort_key ${direction}, listed.uuid ${direction}
  `);
}

/**
 * A list's first page and its count are prepared (db.ts) unless a search or tags filter them: how
 * many clients match those decides whether an index of the order or the trigram/tag index is the
 * better start. A page after a cursor is planned for its cursor (db.ts `prepared`).
 */
const hasValueFreePlan = (filters: ClientFilters) => filters.search === null && filters.tags.length === 0;

/**
 * The list's size: exact from the maintained client_status_counts when only a status (or nothing)
 * filters it, or from client_tag_counts when only one tag does; else counted up to totalCap (in no
 * order: the trigram and tag indexes find matches unordered).
 */
export async function countClients(db: CommonQueryMethods, filters: ClientFilters): Promise<Total> {
  const isNotSearchedOrOwned = filters.search === null && filters.ownerId === null;
  const tags = new Set(filters.tags);
  if (isNotSearchedOrOwned && filters.status === null && tags.size === 1) {
    return exactTotal(
      await db.oneFirst(
        prepared(sql.type(TotalRow)`
          /* clients.countByTag */
          SELECT COALESCE((SELECT t.client_count FROM client_tag_counts t WHERE t.tag = ${[...tags][0] ?? ''}), 0) AS total
        `),
      ),
    );
  }
  if (isNotSearchedOrOwned && tags.size === 0) {
    const status = filters.status === null ? sql.fragment`TRUE` : sql.fragment`s.status = ${filters.status}`;
    return exactTotal(
      await db.oneFirst(
        prepared(sql.type(TotalRow)`
          /* clients.countByStatus */
          SELECT COALESCE(sum(s.client_count), 0) AS total FROM client_status_counts s WHERE ${status}
        `),
      ),
    );
  }
  return toTotal(
    await db.oneFirst(
      prepared(
        sql.type(TotalRow)`
          /* clients.count */ ${cappedCount(sql.fragment`clients c`, allOf(filterConditions(filters)))}
        `,
        hasValueFreePlan(filters),
      ),
    ),
  );
}

// ---------------------------------------------------------------------------------------------
// One client, tags
// ---------------------------------------------------------------------------------------------

/** The client with notes, its owner and client_overview's task and credential figures. */
export const findClient = (db: CommonQueryMethods, uuid: string) =>
  db.maybeOne(
    prepared(sql.type(ClientDetailRow)`
      /* clients.get */
      SELECT ${clientColumns}, c.notes, c.owner_uuid, c.owner_name, c.owner_email,
        c.task_count, c.pending_tasks, c.in_progress_tasks, c.overdue_tasks, c.completed_tasks, c.credential_count
      FROM client_overview c
      WHERE c.uuid = ${uuid}
    `),
  );

/** Clients carrying the tag, through the schema's find_clients_by_tag (by name, as it orders). */
export const listClientsByTag = (db: CommonQueryMethods, tag: string) =>
  db.any(sql.type(ClientRow)`
    /* clients.byTag */
    SELECT ${clientColumns}, ${ownerColumns}
    FROM find_clients_by_tag(${tag}) c
    LEFT JOIN users u ON u.id = c.owner_user_id
    ORDER BY c.name, c.id
  `);

const TagCountRow = z.object({ tag: z.string(), client_count: Count });

/** Every tag in use with the number of clients carrying it, most used first (maintained: client_tag_counts). */
export const countTags = (db: CommonQueryMethods) =>
  db.any(sql.type(TagCountRow)`
    /* clients.tags */
    SELECT tag, client_count FROM client_tag_counts WHERE client_count > 0 ORDER BY client_count DESC, tag
  `);

// ---------------------------------------------------------------------------------------------
// Writes
// ---------------------------------------------------------------------------------------------

export type ClientValues = {
  name: string;
  company: string | null;
  email: string | null;
  phone: string | null;
  status: ClientStatus;
  tags: string[];
  timezone: string;
  websiteUrl: string | null;
  notes: string | null;
  ownerUserId: number | null;
};

const UuidRow = z.object({ uuid: z.uuid() });

export const insertClient = (db: CommonQueryMethods, client: ClientValues) =>
  db.oneFirst(sql.type(UuidRow)`
    /* clients.create */
    INSERT INTO clients (name, company, email, phone, status, tags, timezone, website_url, notes, owner_user_id)
    VALUES (
      ${client.name}, ${client.company}, ${client.email}, ${client.phone}, ${client.status},
      ${sql.array(client.tags, 'text')}, ${client.timezone}, ${client.websiteUrl}, ${client.notes},
      ${client.ownerUserId}
    )
    RETURNING uuid
  `);

export type ClientChanges = { [K in keyof ClientValues]?: ClientValues[K] | undefined };

const columnOf: Record<keyof ClientValues, string> = {
  name: 'name',
  company: 'company',
  email: 'email',
  phone: 'phone',
  status: 'status',
  tags: 'tags',
  timezone: 'timezone',
  websiteUrl: 'website_url',
  notes: 'notes',
  ownerUserId: 'owner_user_id',
};

/** Sets only the given columns; with none, nothing is written (updated_at stays). */
export async function updateClient(db: CommonQueryMethods, clientId: number, changes: ClientChanges) {
  const sets = [];
  for (const field of Object.keys(columnOf) as (keyof ClientValues)[]) {
    const value = changes[field];
    if (value === undefined) continue;
    const bound = Array.isArray(value) ? sql.array(value, 'text') : value;
    sets.push(sql.fragment`${sql.identifier([columnOf[field]])} = ${bound}`);
  }
  if (sets.length === 0) return;
  await db.query(sql.unsafe`
    /* clients.update */
    UPDATE clients SET ${sql.join(sets, sql.fragment`, `)} WHERE id = ${clientId}
  `);
}

const LockedClientRow = z.object({ id: z.number().int(), uuid: z.uuid() });

/**
 * The client, locked for the delete: a credential inserted meanwhile needs a key-share lock on it,
 * so it either committed before this (and is counted below) or waits and then finds no client.
 */
export const lockClientForDelete = (db: CommonQueryMethods, uuid: string) =>
  db.maybeOne(sql.type(LockedClientRow)`
    /* clients.lockForDelete */ SELECT id, uuid FROM clients WHERE uuid = ${uuid} FOR UPDATE
  `);

const ExistsRow = z.object({ is_found: z.boolean() });

/** Any credential, soft-deleted ones included: deleting the client would cascade away their audit trail. */
export const hasCredentials = (db: CommonQueryMethods, clientId: number) =>
  db.oneFirst(sql.type(ExistsRow)`
    /* clients.hasCredentials */
    SELECT EXISTS (SELECT FROM credentials WHERE client_id = ${clientId}) AS is_found
  `);

/** Deletes the client; its tasks go with it (ON DELETE CASCADE). */
export const deleteClient = (db: CommonQueryMethods, clientId: number) =>
  db.query(sql.unsafe`/* clients.delete */ DELETE FROM clients WHERE id = ${clientId}`);
