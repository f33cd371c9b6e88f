/**
 * Create or edit a client, in a dialog. The form validates with the API's own schemas
 * (ClientCreateInput / ClientUpdateInput) before sending, and the API's field errors land under the
 * same fields; a failed save keeps what was typed. Only managers and admins see the owner picker: a
 * user's new client is theirs, and they cannot hand one to someone else.
 */
import { ClientCreateInput, type ClientStatus, ClientUpdateInput } from '@mini-crm/models';
import { useMutation, useQuery } from '@tanstack/react-query';
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { isStaff, useUser } from '../../app/session.tsx';
import { queryClient, type RouterOutputs, trpc } from '../../app/trpc.ts';
import { Dialog, DialogActions } from '../../ui/dialog.tsx';
import { FormError, SelectField, TextAreaField, TextField } from '../../ui/field.tsx';
import { useFormErrors } from '../../ui/form.ts';
import { clientStatusLabels, optionsOf } from '../../ui/labels.ts';
import { TimeZoneField } from '../../ui/time-zone-field.tsx';
import { UserSelect } from '../users/user-select.tsx';
import { TagInput } from './tag-input.tsx';

export type Client = RouterOutputs['clients']['get'];

type Props = {
  /** The client to edit; none for a new one. */
  client?: Client;
  onClose: () => void;
  onSaved: (client: Client) => void;
};

/** The form's state: text as typed ('' for empty), tags as chips. */
function initialValues(client: Client | undefined, user: { id: string; timezone: string }) {
  return {
    name: client?.name ?? '',
    company: client?.company ?? '',
    email: client?.email ?? '',
    phone: client?.phone ?? '',
    status: client?.status ?? ('active' as ClientStatus),
    tags: client?.tags ?? ([] as string[]),
    // A new client most likely works where the team does.
    timezone: client?.timezone ?? user.timezone,
    websiteUrl: client?.websiteUrl ?? '',
    notes: client?.notes ?? '',
    ownerId: client ? (client.ownerId ?? '') : user.id,
  };
}

/** Every mutation of a client changes lists, tag counts and the dashboard's clients by status. */
export function invalidateClients() {
  void queryClient.invalidateQueries(trpc.clients.pathFilter());
  void queryClient.invalidateQueries(trpc.dashboard.pathFilter());
}

export function ClientFormDialog({ client, onClose, onSaved }: Props) {
  const user = useUser();
  const canChooseOwner = isStaff(user);
  const [values, setValues] = useState(() => initialValues(client, user));
  const set = <K extends keyof typeof values>(key: K, value: (typeof values)[K]) =>
    setValues((current) => ({ ...current, [key]: value }));
  const form = useFormErrors();
  const formRef = useRef<HTMLFormElement>(null);
  // After a refused save the cursor goes to the first field to correct (its message is read with it).
  useEffect(() => {
    if (Object.keys(form.errors).length > 0) {
      formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
    }
  }, [form.errors]);
  const tags = useQuery(trpc.clients.tags.queryOptions(undefined, { staleTime: 60_000 }));

  const options = {
    onSuccess: (saved: Client) => {
      invalidateClients();
      onSaved(saved);
    },
    onError: form.fail,
  };
  const create = useMutation(trpc.clients.create.mutationOptions(options));
  const update = useMutation(trpc.clients.update.mutationOptions(options));
  const isPending = create.isPending || update.isPending;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const { ownerId, ...fields } = values;
    if (client) {
      // The owner is sent only when a manager or admin changed it (a deactivated owner stays as is).
      const ownerChange = canChooseOwner && ownerId !== (client.ownerId ?? '') ? { ownerId: ownerId || null } : {};
      const input = form.check(ClientUpdateInput, { id: client.id, ...fields, ...ownerChange });
      if (input) update.mutate(input);
    } else {
      const input = form.check(ClientCreateInput, { ...fields, ...(canChooseOwner && { ownerId: ownerId || null }) });
      if (input) create.mutate(input);
    }
  };

  return (
    <Dialog title={client ? `Edit ${client.name}` : 'New client'} onClose={onClose}>
      <form ref={formRef} onSubmit={submit} noValidate>
        <FormError message={form.formError} />
        <TextField
          label="Name"
          value={values.name}
          onChange={(event) => set('name', event.target.value)}
          error={form.errors.name}
          autoComplete="off"
        />
        <TextField
          label="Company"
          value={values.company}
          onChange={(event) => set('company', event.target.value)}
          error={form.errors.company}
          autoComplete="off"
        />
        <div className="form-row">
          <TextField
            label="E-mail"
            type="email"
            value={values.email}
            onChange={(event) => set('email', event.target.value)}
            error={form.errors.email}
            autoComplete="off"
          />
          <TextField
            label="Phone"
            type="tel"
            value={values.phone}
            onChange={(event) => set('phone', event.target.value)}
            error={form.errors.phone}
            autoComplete="off"
          />
        </div>
        <TextField
          label="Website"
          type="url"
          value={values.websiteUrl}
          onChange={(event) => set('websiteUrl', event.target.value)}
          error={form.errors.websiteUrl}
          placeholder="https://example.com"
          autoComplete="off"
        />
        <div className="form-row">
          <SelectField
            label="Status"
            value={values.status}
            onChange={(event) => set('status', event.target.value as ClientStatus)}
            options={optionsOf(clientStatusLabels)}
            error={form.errors.status}
          />
          {canChooseOwner && (
            <UserSelect
              label="Owner"
              value={values.ownerId}
              onChange={(ownerId) => set('ownerId', ownerId)}
              emptyLabel="No owner"
              error={form.errors.ownerId}
            />
          )}
        </div>
        <TagInput
          label="Tags"
          tags={values.tags}
          onChange={(next) => set('tags', next)}
          suggestions={tags.data}
          error={form.errors.tags}
        />
        <TimeZoneField
          value={values.timezone}
          onChange={(zone) => set('timezone', zone)}
          error={form.errors.timezone}
        />
        <TextAreaField
          label="Notes"
          value={values.notes}
          onChange={(event) => set('notes', event.target.value)}
          error={form.errors.notes}
        />
        {form.errors.ownerId && !canChooseOwner && <FormError message={form.errors.ownerId} />}
        <DialogActions
          submitLabel={client ? 'Save changes' : 'Create client'}
          isPending={isPending}
          onCancel={onClose}
        />
      </form>
    </Dialog>
  );
}
