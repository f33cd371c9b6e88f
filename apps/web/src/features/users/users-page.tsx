/**
 * /users, for admins: the team's accounts with search and filters in the URL, create, edit (role
 * included), deactivate and reactivate, reset a password. Anyone else who opens the address gets a
 * clear "not allowed" (the navigation does not offer it to them) and no request is made.
 */
import { keepPreviousData, useInfiniteQuery, useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { isAdmin, useUser } from '../../app/session.tsx';
import { queryClient, trpc } from '../../app/trpc.ts';
import { Badge } from '../../ui/badge.tsx';
import { ConfirmDialog } from '../../ui/dialog.tsx';
import { messageOf } from '../../ui/errors.ts';
import { SelectField, TextField } from '../../ui/field.tsx';
import { optionsOf, roleLabels } from '../../ui/labels.ts';
import { LoadMore, loadedItems } from '../../ui/load-more.tsx';
import { Empty, ErrorState, Loading } from '../../ui/states.tsx';
import { useUrlFilters, useUrlSearch } from '../../ui/url-state.ts';
import { ResetPasswordDialog, type User, UserFormDialog } from './user-dialogs.tsx';

const filterKeys = ['q', 'role', 'status'] as const;
const statusOptions = [
  { value: '', label: 'Active and deactivated' },
  { value: 'active', label: 'Active' },
  { value: 'deactivated', label: 'Deactivated' },
];

type Dialogs =
  | { kind: 'create' }
  | { kind: 'edit'; user: User }
  | { kind: 'reset'; user: User }
  | { kind: 'deactivate'; user: User };

export function UsersPage() {
  const me = useUser();
  if (!isAdmin(me)) {
    return (
      <>
        <h1>Users</h1>
        <div className="error-state" role="alert">
          <p>Not allowed: only admins manage users. Ask an admin if you need an account changed.</p>
        </div>
      </>
    );
  }
  return <UserAdmin />;
}

function UserAdmin() {
  const me = useUser();
  const [filters, setFilters] = useUrlFilters(filterKeys);
  const search = useUrlSearch(filters.q, (q) => setFilters({ q }));
  const [dialog, setDialog] = useState<Dialogs | null>(null);
  const [notice, setNotice] = useState('');

  const input = {
    search: filters.q || null,
    role: (filters.role || null) as User['role'] | null,
    isActive: filters.status === 'active' ? true : filters.status === 'deactivated' ? false : null,
    limit: 50,
  };
  const list = useInfiniteQuery(
    trpc.users.list.infiniteQueryOptions(input, {
      getNextPageParam: (page) => page.nextCursor ?? undefined,
      placeholderData: keepPreviousData,
    }),
  );

  const reactivate = useMutation(
    trpc.users.reactivate.mutationOptions({
      onSuccess: (user) => {
        void queryClient.invalidateQueries(trpc.users.pathFilter());
        setNotice(`${user.name} is active again and can sign in.`);
      },
      onError: (error) => setNotice(messageOf(error)),
    }),
  );

  const done = (message: string) => {
    setDialog(null);
    setNotice(message);
  };
  const users = loadedItems(list);
  const hasFilters = filterKeys.some((key) => filters[key]);

  return (
    <>
      <div className="page-header">
        <h1>Users</h1>
        <button type="button" className="primary" onClick={() => setDialog({ kind: 'create' })}>
          New user
        </button>
      </div>
      <p role="status" className="notice">
        {notice}
      </p>
      <form className="toolbar" aria-label="Filter users" onSubmit={(event) => event.preventDefault()}>
        <TextField label="Search" type="search" value={search.text} onChange={(e) => search.setText(e.target.value)} />
        <SelectField
          label="Role"
          value={filters.role}
          onChange={(e) => setFilters({ role: e.target.value })}
          options={optionsOf(roleLabels, 'Any role')}
        />
        <SelectField
          label="Status"
          value={filters.status}
          onChange={(e) => setFilters({ status: e.target.value })}
          options={statusOptions}
        />
      </form>
      {list.isPending ? (
        <Loading label="Loading users…" />
      ) : list.isError && users.length === 0 ? (
        <ErrorState error={list.error} onRetry={() => list.refetch()} />
      ) : users.length === 0 ? (
        <Empty>{hasFilters ? 'No user matches these filters.' : 'No users yet.'}</Empty>
      ) : (
        <>
          {list.isError && <ErrorState error={list.error} onRetry={() => list.refetch()} />}
          <div className="table-wrap" aria-busy={list.isPlaceholderData || undefined}>
            <table aria-label="Users">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">E-mail</th>
                  <th scope="col">Role</th>
                  <th scope="col">Status</th>
                  <th scope="col">Time zone</th>
                  <th scope="col">Actions</th>
                </tr>
              </thead>
              <tbody>
                {users.map((user) => (
                  <tr key={user.id}>
                    <td>
                      {user.name} {user.id === me.id && <span className="muted">(you)</span>}
                    </td>
                    <td>{user.email}</td>
                    <td>{roleLabels[user.role]}</td>
                    <td>
                      {user.isActive ? <Badge tone="ok">Active</Badge> : <Badge tone="danger">Deactivated</Badge>}
                    </td>
                    <td>{user.timezone}</td>
                    <td>
                      <div className="actions row-actions">
                        <button
                          type="button"
                          aria-label={`Edit ${user.name}`}
                          onClick={() => setDialog({ kind: 'edit', user })}
                        >
                          Edit
                        </button>
                        <button
                          type="button"
                          aria-label={`Reset password of ${user.name}`}
                          onClick={() => setDialog({ kind: 'reset', user })}
                        >
                          Reset password
                        </button>
                        {user.isActive ? (
                          <button
                            type="button"
                            aria-label={`Deactivate ${user.name}`}
                            onClick={() => setDialog({ kind: 'deactivate', user })}
                          >
                            Deactivate
                          </button>
                        ) : (
                          <button
                            type="button"
                            aria-label={`Reactivate ${user.name}`}
                            disabled={reactivate.isPending}
                            onClick={() => reactivate.mutate({ id: user.id })}
                          >
                            Reactivate
                          </button>
                        )}
                      </div>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <LoadMore list={list} noun="users" />
        </>
      )}
      {dialog?.kind === 'create' && <UserFormDialog onClose={() => setDialog(null)} onDone={done} />}
      {dialog?.kind === 'edit' && <UserFormDialog user={dialog.user} onClose={() => setDialog(null)} onDone={done} />}
      {dialog?.kind === 'reset' && (
        <ResetPasswordDialog user={dialog.user} onClose={() => setDialog(null)} onDone={done} />
      )}
      {dialog?.kind === 'deactivate' && (
        <DeactivateDialog user={dialog.user} onClose={() => setDialog(null)} onDone={done} />
      )}
    </>
  );
}

function DeactivateDialog({ user, onClose, onDone }: { user: User; onClose: () => void; onDone: (m: string) => void }) {
  const deactivate = useMutation(
    trpc.users.deactivate.mutationOptions({
      onSuccess: (updated) => {
        void queryClient.invalidateQueries(trpc.users.pathFilter());
        onDone(`${updated.name} is deactivated and was signed out everywhere.`);
      },
    }),
  );
  return (
    <ConfirmDialog
      title={`Deactivate ${user.name}?`}
      message={
        <p>
          {user.name} is signed out everywhere and cannot sign in until reactivated. Their clients, tasks and audit
          history stay.
        </p>
      }
      confirmLabel="Deactivate"
      isPending={deactivate.isPending}
      error={deactivate.isError ? messageOf(deactivate.error) : null}
      onConfirm={() => deactivate.mutate({ id: user.id })}
      onClose={onClose}
    />
  );
}
