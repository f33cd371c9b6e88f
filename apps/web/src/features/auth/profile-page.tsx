/** The signed-in user's own account: name, time zone, password. */
import { ChangePasswordInput, UpdateProfileInput } from '@mini-crm/models';
import { useMutation } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useUser } from '../../app/session.tsx';
import { queryClient, trpc } from '../../app/trpc.ts';
import { FormError, TextField } from '../../ui/field.tsx';
import { useFormErrors } from '../../ui/form.ts';
import { TimeZoneField } from '../../ui/time-zone-field.tsx';

export function ProfilePage() {
  return (
    <>
      <h1>Your profile</h1>
      <div className="columns">
        <ProfileForm />
        <PasswordForm />
      </div>
    </>
  );
}

function ProfileForm() {
  const user = useUser();
  const [name, setName] = useState(user.name);
  const [timezone, setTimezone] = useState(user.timezone);
  const [saved, setSaved] = useState(false);
  const form = useFormErrors();
  const save = useMutation(
    trpc.auth.updateProfile.mutationOptions({
      onSuccess: (me) => {
        setSaved(true);
        queryClient.setQueryData(trpc.auth.me.queryKey(), me);
        // Due dates and "today" follow the user's zone: everything read before is stale.
        void queryClient.invalidateQueries();
      },
      onError: form.fail,
    }),
  );
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSaved(false);
    const input = form.check(UpdateProfileInput, { name, timezone });
    if (input) save.mutate(input);
  };
  return (
    <form className="card" onSubmit={submit} noValidate>
      <h2>Details</h2>
      <FormError message={form.formError} />
      <p className="muted">{user.email}</p>
      <TextField label="Name" value={name} onChange={(event) => setName(event.target.value)} error={form.errors.name} />
      <TimeZoneField value={timezone} onChange={setTimezone} error={form.errors.timezone} />
      <button type="submit" className="primary" disabled={save.isPending}>
        Save
      </button>
      {saved && <p role="status">Saved.</p>}
    </form>
  );
}

function PasswordForm() {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [saved, setSaved] = useState(false);
  const form = useFormErrors();
  const change = useMutation(
    trpc.auth.changePassword.mutationOptions({
      onSuccess: () => {
        setSaved(true);
        setCurrent('');
        setNext('');
      },
      onError: form.fail,
    }),
  );
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSaved(false);
    const input = form.check(ChangePasswordInput, { current, next });
    if (input) change.mutate(input);
  };
  return (
    <form className="card" onSubmit={submit} noValidate>
      <h2>Change password</h2>
      <FormError message={form.formError} />
      <TextField
        label="Current password"
        type="password"
        autoComplete="current-password"
        value={current}
        onChange={(event) => setCurrent(event.target.value)}
        error={form.errors.current}
      />
      <TextField
        label="New password"
        type="password"
        autoComplete="new-password"
        value={next}
        onChange={(event) => setNext(event.target.value)}
        error={form.errors.next}
        hint="At least 10 characters. Other devices are signed out."
      />
      <button type="submit" className="primary" disabled={change.isPending}>
        Change password
      </button>
      {saved && <p role="status">Password changed. Other sessions were signed out.</p>}
    </form>
  );
}
