/**
 * The client list: filters in the URL, keyset pages of 50 ("Load more"), so it stays quick at
 * 100,000 clients; the previous rows stay on screen while a new filter loads. Each name links to
 * the client's page, where editing, archiving and deleting happen.
 */
import type { ClientSort } from '@mini-crm/models';
import { keepPreviousData, useInfiniteQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { Link, useLocation, useSearch } from 'wouter';
import { useUser } from '../../app/session.tsx';
import { trpc } from '../../app/trpc.ts';
import { TagList } from '../../ui/badge.tsx';
import { LoadMore, loadedItems } from '../../ui/load-more.tsx';
import { Empty, ErrorState, Loading } from '../../ui/states.tsx';
import { formatDateTime } from '../../ui/time.ts';
import { useUrlFilters } from '../../ui/url-state.ts';
import { ClientFilters, filterKeys, hasFilters, listInputOf } from './client-filters.tsx';
import { ClientFormDialog } from './client-form.tsx';
import { ClientStatusBadge } from './client-status.tsx';
import { rememberListSearch } from './list-link.ts';

/** aria-sort for a column header, when the list is ordered by it. */
const sortOf = (sort: ClientSort, column: 'name' | 'updatedAt') => {
  if (sort.replace('-', '') !== column) return undefined;
  return sort.startsWith('-') ? ('descending' as const) : ('ascending' as const);
};

export function ClientsPage() {
  const user = useUser();
  const [, navigate] = useLocation();
  const [filters, setFilters] = useUrlFilters(filterKeys);
  const [isCreating, setCreating] = useState(false);
  const search = useSearch();
  useEffect(() => rememberListSearch(search), [search]);
  const input = listInputOf(filters);
  const list = useInfiniteQuery(
    trpc.clients.list.infiniteQueryOptions(input, {
      getNextPageParam: (page) => page.nextCursor,
      placeholderData: keepPreviousData,
    }),
  );
  const clients = loadedItems(list);

  return (
    <>
      <div className="page-header">
        <h1>Clients</h1>
        <button type="button" className="primary" onClick={() => setCreating(true)}>
          New client
        </button>
      </div>
      <ClientFilters filters={filters} setFilters={setFilters} />
      {list.isPending ? (
        <Loading label="Loading clients…" />
      ) : list.isError && clients.length === 0 ? (
        <ErrorState error={list.error} onRetry={() => list.refetch()} />
      ) : clients.length === 0 ? (
        <Empty>
          {hasFilters(filters) ? 'No client matches these filters.' : 'No clients yet: create the first one.'}{' '}
          {hasFilters(filters) && (
            <button
              type="button"
              className="link-button"
              onClick={() => setFilters({ q: null, status: null, tags: null, owner: null, match: null })}
            >
              Clear the filters
            </button>
          )}
        </Empty>
      ) : (
        <>
          {list.isError && <ErrorState error={list.error} onRetry={() => list.refetch()} />}
          <div className="table-wrap" aria-busy={list.isPlaceholderData || undefined}>
            <table aria-label="Clients">
              <thead>
                <tr>
                  <th scope="col" aria-sort={sortOf(input.sort, 'name')}>
                    Name
                  </th>
                  <th scope="col">Company</th>
                  <th scope="col">Status</th>
                  <th scope="col">Tags</th>
                  <th scope="col">Owner</th>
                  <th scope="col" aria-sort={sortOf(input.sort, 'updatedAt')}>
                    Updated
                  </th>
                </tr>
              </thead>
              <tbody>
                {clients.map((client) => (
                  <tr key={client.id}>
                    <td>
                      <Link href={`/clients/${client.id}`}>{client.name}</Link>
                    </td>
                    <td>{client.company ?? <span className="muted">—</span>}</td>
                    <td>
                      <ClientStatusBadge status={client.status} />
                    </td>
                    <td>
                      <TagList tags={client.tags} />
                    </td>
                    <td>{client.owner?.name ?? <span className="muted">No owner</span>}</td>
                    <td className="nowrap">{formatDateTime(client.updatedAt, user.timezone)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <LoadMore list={list} noun="clients" />
        </>
      )}
      {isCreating && (
        <ClientFormDialog
          onClose={() => setCreating(false)}
          onSaved={(client) => {
            setCreating(false);
            navigate(`/clients/${client.id}`);
          }}
        />
      )}
    </>
  );
}
