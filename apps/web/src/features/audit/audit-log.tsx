/**
 * The filterable audit log: action, user, credential and a day range, all kept in the URL (a
 * filtered log is a link), newest first with keyset "Load more". The filters validate with the
 * API's AuditListInput, so a range that ends before it starts is named under "To", not sent.
 */
import { AuditListInput } from '@mini-crm/models';
import { skipToken, useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { useUser } from '../../app/session.tsx';
import { trpc } from '../../app/trpc.ts';
import { Field, SelectField } from '../../ui/field.tsx';
import { validate } from '../../ui/form.ts';
import { auditActionLabels, optionsOf } from '../../ui/labels.ts';
import { LoadMore, loadedItems } from '../../ui/load-more.tsx';
import { Empty, ErrorState, Loading } from '../../ui/states.tsx';
import { useUrlFilters } from '../../ui/url-state.ts';
import { AuditEntryTable } from './audit-entry-table.tsx';
import { dayStartIn } from './day-range.ts';

export const filterKeys = ['action', 'user', 'credential', 'from', 'to'] as const;

const pageSize = 25;

export function AuditLog() {
  const user = useUser();
  const [filters, setFilters] = useUrlFilters(filterKeys);
  const input = {
    action: filters.action || null,
    userId: filters.user || null,
    credentialId: filters.credential || null,
    from: filters.from ? dayStartIn(filters.from, user.timezone) : null,
    to: filters.to ? dayStartIn(filters.to, user.timezone, 1) : null,
    limit: pageSize,
  };
  const checked = validate(AuditListInput, input);
  const errors = checked.ok ? {} : checked.errors;
  const log = useInfiniteQuery(
    trpc.audit.list.infiniteQueryOptions(checked.ok ? checked.data : skipToken, {
      getNextPageParam: (page) => page.nextCursor ?? undefined,
    }),
  );
  const entries = loadedItems(log);
  const hasFilters = filterKeys.some((key) => filters[key]);

  return (
    <section aria-labelledby="audit-log-heading" className="card">
      <h2 id="audit-log-heading">Log</h2>
      <form className="toolbar" aria-label="Filter the log" onSubmit={(event) => event.preventDefault()}>
        <SelectField
          label="Action"
          value={filters.action}
          onChange={(event) => setFilters({ action: event.target.value })}
          options={optionsOf(auditActionLabels, 'Any action')}
          error={errors.action}
        />
        <UserFilter value={filters.user} onChange={(value) => setFilters({ user: value })} error={errors.userId} />
        <CredentialFilter
          value={filters.credential}
          onChange={(value) => setFilters({ credential: value })}
          error={errors.credentialId}
        />
        <DayField
          label="From"
          value={filters.from}
          onChange={(value) => setFilters({ from: value })}
          error={errors.from}
        />
        <DayField label="To" value={filters.to} onChange={(value) => setFilters({ to: value })} error={errors.to} />
        {hasFilters && (
          <button type="button" onClick={() => setFilters(Object.fromEntries(filterKeys.map((key) => [key, null])))}>
            Clear filters
          </button>
        )}
      </form>
      {!checked.ok ? (
        <Empty>Correct the filters above to see the log.</Empty>
      ) : log.isPending ? (
        <Loading label="Loading the log…" />
      ) : log.isError ? (
        <ErrorState error={log.error} onRetry={() => log.refetch()} />
      ) : entries.length === 0 ? (
        <Empty>{hasFilters ? 'No entries match these filters.' : 'Nothing has been recorded yet.'}</Empty>
      ) : (
        <>
          <AuditEntryTable
            entries={entries}
            columns={['when', 'action', 'credential', 'client', 'user', 'ip', 'browser']}
            caption="Audit log, newest first"
            isCaptionHidden
          />
          <LoadMore list={log} noun="entries" />
        </>
      )}
    </section>
  );
}

type FilterProps = { value: string; onChange: (value: string) => void; error?: string | undefined };

/** Every user, deactivated ones too: their past actions are what an audit asks about. */
function UserFilter({ value, onChange, error }: FilterProps) {
  const users = useQuery(trpc.users.list.queryOptions({ limit: 100 }, { staleTime: 5 * 60_000 }));
  const options = [
    { value: '', label: users.isPending ? 'Loading users…' : 'Anyone' },
    ...(users.data?.items ?? []).map((u) => ({
      value: u.id,
      label: u.isActive ? u.name : `${u.name} (deactivated)`,
    })),
  ];
  return (
    <SelectField
      label="User"
      value={value}
      onChange={(event) => onChange(event.target.value)}
      options={options}
      error={error ?? (users.isError ? 'Could not load the users' : undefined)}
    />
  );
}

/**
 * The credentials the caller may see, from audit.summary: its first page of 100 (the most it gives).
 * One beyond them is still reached by its name in the panels, a link that sets this filter.
 */
function CredentialFilter({ value, onChange, error }: FilterProps) {
  const summary = useQuery(trpc.audit.summary.queryOptions({ limit: 100 }));
  const options = [
    { value: '', label: summary.isPending ? 'Loading credentials…' : 'Any credential' },
    ...(summary.data?.items ?? []).map((row) => ({
      value: row.credential.id,
      label: `${row.credential.label} — ${row.client.name}${row.isDeleted ? ' (deleted)' : ''}`,
    })),
  ];
  // A link to a credential the list does not hold (yet) still filters; say what it is.
  if (value && summary.data && !options.some((option) => option.value === value)) {
    options.push({ value, label: 'The credential in the link' });
  }
  return (
    <SelectField
      label="Credential"
      value={value}
      onChange={(event) => onChange(event.target.value)}
      options={options}
      error={error ?? (summary.isError ? 'Could not load the credentials' : undefined)}
    />
  );
}

function DayField({ label, value, onChange, error }: FilterProps & { label: string }) {
  return (
    <Field label={label} error={error}>
      {(control) => <input {...control} type="date" value={value} onChange={(event) => onChange(event.target.value)} />}
    </Field>
  );
}
