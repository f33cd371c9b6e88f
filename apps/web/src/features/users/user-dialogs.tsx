/**
 * The admin's user dialogs: create, edit (name, e-mail, role, time zone) and reset a password. Each
 * validates with the API's schema first; the API's lock-out guards ("you cannot change your own
 * role", "the last active admin cannot lose the admin role") come back as field messages and land
 * under the field, or above the form when they are about the account as a whole.
 */
import { ResetPasswordInput, UserCreateInput, type UserRole, UserUpdateInput } from '@mini-crm/models';
import { useMutation } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { queryClient, type RouterOutputs, trpc } from '../../app/trpc.ts';
import { Dialog } from '../../ui/dialog.tsx';
import { FormError, SelectField, TextField } from '../../ui/field.tsx';
import { useFormErrors } from '../../ui/form.ts';
import { optionsOf, roleLabels } from '../../ui/labels.ts';
import { TimeZoneField } from '../../ui/time-zone-field.tsx';

export type User = RouterOutputs['users']['list']['items'][number];

const roleOptions = optionsOf(roleLabels);

/** A message about the account itself (field "id") is the form's message, not a field's. */
const invalidateUsers = () => queryClient.invalidateQueries(trpc.users.pathFilter());

type Done = (message: string) => void;

export function CreateUserDialog({ onClose, onDone }: { onClose: () => void; onDone: Done }) {
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [role, setRole] = useState<UserRole>('user');
  const [timezone, setTimezone] = useState('UTC');
  const [password, setPassword] = useState('');
  const form = useFormErrors();
  const create = useMutation(
    trpc.users.create.mutationOptions({
      onSuccess: (user) => {
        void invalidateUsers();
        onDone(`${user.name} can now sign in as ${user.email}.`);
      },
      onError: form.fail,
    }),
  );
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const input = form.check(UserCreateInput, { email, name, role, timezone, password });
    if (input) create.mutate(input);
  };
  return (
    <Dialog title="New user" onClose={onClose}>
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
        <TextField
          label="Password"
          type="password"
          autoComplete="new-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          error={form.errors.password}
          hint="At least 10 characters. Tell it to the user in person; they can change it under their profile."
        />
        <footer className="dialog-actions">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={create.isPending}>
            {create.isPending ? 'Creating…' : 'Create user'}
          </button>
        </footer>
      </form>
    </Dialog>
  );
}

export function EditUserDialog({ user, onClose, onDone }: { user: User; onClose: () => void; onDone: Done }) {
  const [email, setEmail] = useState(user.email);
  const [name, setName] = useState(user.name);
  const [role, setRole] = useState<UserRole>(user.role);
  const [timezone, setTimezone] = useState(user.timezone);
  const form = useFormErrors();
  const update = useMutation(
    trpc.users.update.mutationOptions({
      onSuccess: (updated) => {
        void invalidateUsers();
        onDone(
          updated.role === user.role
            ? `${updated.name} saved.`
            : `${updated.name} is now ${roleLabels[updated.role].toLowerCase()}; they were signed out everywhere.`,
        );
      },
      onError: form.fail,
    }),
  );
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const input = form.check(UserUpdateInput, { id: user.id, email, name, role, timezone });
    if (input) update.mutate(input);
  };
  return (
    <Dialog title={`Edit ${user.name}`} onClose={onClose}>
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
        <footer className="dialog-actions">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={update.isPending}>
            {update.isPending ? 'Saving…' : 'Save'}
          </button>
        </footer>
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
        <footer className="dialog-actions">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={reset.isPending}>
            {reset.isPending ? 'Saving…' : 'Reset password'}
          </button>
        </footer>
      </form>
    </Dialog>
  );
}
