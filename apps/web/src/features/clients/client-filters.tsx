/**
 * The client list's filters, kept in the query string (a filtered list is a link): search as you
 * type (debounced, so one request per pause, not per key), status, tags with any/all, owner and
 * sort. The URL is read leniently: a value the API would refuse is ignored, not an error page.
 */
import { type ClientListInput, ClientSort, ClientStatus, Id, Tag } from '@mini-crm/models';
import { useQuery } from '@tanstack/react-query';
import type { FormEvent } from 'react';
import { trpc } from '../../app/trpc.ts';
import { SelectField, TextField } from '../../ui/field.tsx';
import { clientStatusLabels, optionsOf } from '../../ui/labels.ts';
import { useUrlSearch } from '../../ui/url-state.ts';
import { UserSelect } from '../users/user-select.tsx';
import { TagInput } from './tag-input.tsx';

export const filterKeys = ['q', 'status', 'tags', 'match', 'owner', 'sort'] as const;
export type FilterKey = (typeof filterKeys)[number];
export type Filters = Record<FilterKey, string>;
export type SetFilters = (changes: Partial<Record<FilterKey, string | null>>) => void;

/** A page holds 50 rows: a screenful and a half, cheap for the keyset query at any depth. */
const pageSize = 50;

const sortLabels: Record<ClientSort, string> = {
  name: 'Name, A to Z',
  '-name': 'Name, Z to A',
  '-createdAt': 'Newest first',
  createdAt: 'Oldest first',
  '-updatedAt': 'Recently updated',
  updatedAt: 'Least recently updated',
};

const tagsOf = (text: string) =>
  [...new Set(text.split(',').flatMap((tag) => Tag.safeParse(tag).data ?? []))].slice(0, 50);

/** The clients.list input the URL describes (without the cursor: the infinite query adds it). */
export function listInputOf(filters: Filters) {
  const tags = tagsOf(filters.tags);
  return {
    search: filters.q.trim() ? filters.q.slice(0, 255) : null,
    status: ClientStatus.safeParse(filters.status).data ?? null,
    tags: tags.length > 0 ? tags : null,
    tagMatch: filters.match === 'all' ? ('all' as const) : ('any' as const),
    ownerId: Id.safeParse(filters.owner).data ?? null,
    sort: ClientSort.safeParse(filters.sort).data ?? 'name',
    limit: pageSize,
  } satisfies ClientListInput;
}

export const hasFilters = (filters: Filters) => Boolean(filters.q || filters.status || filters.tags || filters.owner);

export function ClientFilters({ filters, setFilters }: { filters: Filters; setFilters: SetFilters }) {
  const input = listInputOf(filters);
  const tags = useQuery(trpc.clients.tags.queryOptions(undefined, { staleTime: 60_000 }));
  const search = useUrlSearch(filters.q, (q) => setFilters({ q }), 300);

  // Enter applies the search at once instead of waiting for the pause.
  const submit = (event: FormEvent) => {
    event.preventDefault();
    search.submit();
  };

  const setTags = (next: string[]) => setFilters({ tags: next.join(',') });

  return (
    <search className="card" aria-label="Filter clients">
      <form className="toolbar client-filters" onSubmit={submit}>
        <TextField
          label="Search"
          type="search"
          value={search.text}
          onChange={(event) => search.setText(event.target.value)}
          placeholder="Name, company or e-mail"
          autoComplete="off"
        />
        <SelectField
          label="Status"
          value={input.status ?? ''}
          onChange={(event) => setFilters({ status: event.target.value })}
          options={optionsOf(clientStatusLabels, 'Any status')}
        />
        <UserSelect
          label="Owner"
          value={input.ownerId ?? ''}
          onChange={(owner) => setFilters({ owner })}
          emptyLabel="Anyone"
        />
        <SelectField
          label="Sort"
          value={input.sort}
          onChange={(event) => setFilters({ sort: event.target.value === 'name' ? null : event.target.value })}
          options={optionsOf(sortLabels)}
        />
        <div className="client-tag-filter">
          <TagInput
            label="Tags"
            tags={input.tags ?? []}
            onChange={setTags}
            suggestions={tags.data}
            hint="Pick or type tags, Enter after each"
          />
          {/* Any or all matters only from two tags on. */}
          {(input.tags?.length ?? 0) > 1 && (
            <SelectField
              label="Match"
              value={input.tagMatch}
              onChange={(event) => setFilters({ match: event.target.value === 'all' ? 'all' : null })}
              options={[
                { value: 'any', label: 'Any of the tags' },
                { value: 'all', label: 'All of the tags' },
              ]}
            />
          )}
        </div>
      </form>
    </search>
  );
}
