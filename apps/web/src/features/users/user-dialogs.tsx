/**
 * The admin's user dialogs: create or edit (name, e-mail, role, time zone) and reset a password. Each
 * validates with the API's schema first; the API's lock-out guards ("you cannot change your own
 * role", "the last active admin cannot lose the admin role") come back as field messages and land
 * under the field, or above the form when they are about the account as a whole.
 */
import { ResetPasswordInput, UserCreateInput, type UserRole, UserUpdateInput } from '@mini-crm/models';
import { useMutation } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { queryClient, type RouterOutputs, trpc } from '../../app/trpc.ts';
import { Dialog, DialogActions } from '../../ui/dialog.tsx';
import { FormError, SelectField, TextField } from '../../ui/field.tsx';
import { useFormErrors } from '../../ui/form.ts';
import { optionsOf, roleLabels } from '../../ui/labels.ts';
import { TimeZoneField } from '../../ui/time-zone-field.tsx';

export type User = RouterOutputs['users']['list']['items'][number];

const roleOptions = optionsOf(roleLabels);

const invalidateUsers = () => queryClient.invalidateQueries(trpc.users.pathFilter());

type Done = (message: string) => void;

/** Create a user (with a first password), or edit one (`user`): name, e-mail, role, time zone. */
export function UserFormDialog({ user, onClose, onDone }: { user?: User; onClose: () => void; onDone: Done }) {
  const [email, setEmail] = useState(user?.email ?? '');
  const [name, setName] = useState(user?.name ?? '');
  const [role, setRole] = useState<UserRole>(user?.role ?? 'user');
  const [timezone, setTimezone] = useState(user?.timezone ?? 'UTC');
  const [password, setPassword] = useState('');
  const form = useFormErrors();
  const create = useMutation(
    trpc.users.create.mutationOptions({
      onSuccess: (created) => {
        void invalidateUsers();
        onDone(`${created.name} can now sign in as ${created.email}.`);
      },
      onError: form.fail,
    }),
  );
  const update = useMutation(
    trpc.users.update.mutationOptions({
      onSuccess: (updated) => {
        void invalidateUsers();
        onDone(
          updated.role === user?.role
            ? `${updated.name} saved.`
            : `${updated.name} is now ${roleLabels[updated.role].toLowerCase()}; they were signed out everywhere.`,
        );
      },
      onError: form.fail,
    }),
  );
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const fields = { email, name, role, timezone };
    if (user) {
      const input = form.check(UserUpdateInput, { id: user.id, ...fields });
      if (input) update.mutate(input);
    } else {
      const input = form.check(UserCreateInput, { ...fields, password });
      if (input) create.mutate(input);
    }
  };
  return (
    <Dialog title={user ? `Edit ${user.name}` : 'New user'} onClose={onClose}>
      <form onSubmit={submit} noValidate>
        <FormError message={form.formError} />
        <TextField label="Name" value={name} onChange={(e) => setName(e.target.value)} error={form.errors.name} />
        <TextField
          label="E-mail"
          type="email"
          autoComplete="off"
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          error={form.errors.email}
        />
        <SelectField
          label="Role"
          value={role}
          onChange={(e) => setRole(e.target.value as UserRole)}
          options={roleOptions}
          error={form.errors.role}
        />
        <TimeZoneField value={timezone} onChange={setTimezone} error={form.errors.timezone} />
        {!user && (
          <TextField
            label="Password"
            type="password"
            autoComplete="new-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            error={form.errors.password}
            hint="At least 10 characters. Tell it to the user in person; they can change it under their profile."
          />
        )}
        <DialogActions
          submitLabel={user ? 'Save' : 'Create user'}
          pendingLabel={user ? 'Saving…' : 'Creating…'}
          isPending={create.isPending || update.isPending}
          onCancel={onClose}
        />
      </form>
    </Dialog>
  );
}

export function ResetPasswordDialog({ user, onClose, onDone }: { user: User; onClose: () => void; onDone: Done }) {
  const [password, setPassword] = useState('');
  const form = useFormErrors();
  const reset = useMutation(
    trpc.users.resetPassword.mutationOptions({
      onSuccess: () => {
        void invalidateUsers();
        onDone(`${user.name}’s password was reset; they were signed out everywhere.`);
      },
      onError: form.fail,
    }),
  );
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const input = form.check(ResetPasswordInput, { id: user.id, password });
    if (input) reset.mutate(input);
  };
  return (
    <Dialog title={`Reset ${user.name}’s password`} onClose={onClose}>
      <form onSubmit={submit} noValidate>
        <FormError message={form.formError} />
        <TextField
          label="New password"
          type="password"
          autoComplete="new-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          error={form.errors.password}
          hint="At least 10 characters. Their other sessions end."
        />
        <DialogActions submitLabel="Reset password" isPending={reset.isPending} onCancel={onClose} />
      </form>
    </Dialog>
  );
}
