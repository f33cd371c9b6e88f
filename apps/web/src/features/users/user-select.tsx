/**
 * A <select> of active users, for owner and assignee pickers and filters. A small team's users fit
 * in one page of users.list (100), which every role may read.
 */
import { useQuery } from '@tanstack/react-query';
import { trpc } from '../../app/trpc.ts';
import { SelectField } from '../../ui/field.tsx';

type Props = {
  label: string;
  value: string;
  onChange: (userId: string) => void;
  /** The first option's text, meaning "nobody" or "anyone" (value ""). */
  emptyLabel: string;
  error?: string | undefined;
  disabled?: boolean;
};

export const activeUsersQuery = () =>
  trpc.users.list.queryOptions({ isActive: true, limit: 100 }, { staleTime: 5 * 60_000 });

export function UserSelect({ label, value, onChange, emptyLabel, error, disabled }: Props) {
  const users = useQuery(activeUsersQuery());
  const options = [
    { value: '', label: users.isPending ? 'Loading users…' : emptyLabel },
    ...(users.data?.items ?? []).map((user) => ({ value: user.id, label: user.name })),
  ];
  return (
    <SelectField
      label={label}
      value={value}
      onChange={(event) => onChange(event.target.value)}
      options={options}
      error={error ?? (users.isError ? 'Could not load the users' : undefined)}
      disabled={disabled === true || users.isPending}
    />
  );
}
