/**
 * Create or edit a credential in a dialog. The fields validate with the API's own schemas before
 * anything is sent; the generator fills the secret field from crypto.getRandomValues. Editing never
 * loads the stored secret: a blank secret keeps it, a new one replaces it.
 */
import { CredentialCreateInput, CredentialUpdateInput } from '@mini-crm/models';
import { useMutation } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { queryClient, type RouterOutputs, trpc } from '../../app/trpc.ts';
import { Dialog, DialogActions } from '../../ui/dialog.tsx';
import { Field, FormError, TextAreaField, TextField } from '../../ui/field.tsx';
import { useFormErrors } from '../../ui/form.ts';
import { defaultLength, generatePassword, maxLength, minLength } from './password-generator.ts';

export type Credential = RouterOutputs['credentials']['list'][number];

type Props = { clientId: string; credential?: Credential; onClose: () => void };

export function CredentialForm({ clientId, credential, onClose }: Props) {
  const isEdit = credential !== undefined;
  const [label, setLabel] = useState(credential?.label ?? '');
  const [username, setUsername] = useState(credential?.username ?? '');
  const [value, setValue] = useState('');
  const [url, setUrl] = useState(credential?.url ?? '');
  const [notes, setNotes] = useState(credential?.notes ?? '');
  const [isValueVisible, setValueVisible] = useState(false);
  const form = useFormErrors();

  const onSuccess = () => {
    void queryClient.invalidateQueries(trpc.credentials.pathFilter());
    // The audit trigger wrote a 'create' or 'update' row.
    void queryClient.invalidateQueries(trpc.audit.pathFilter());
    onClose();
  };
  const create = useMutation(trpc.credentials.create.mutationOptions({ onSuccess, onError: form.fail }));
  const update = useMutation(trpc.credentials.update.mutationOptions({ onSuccess, onError: form.fail }));
  const isPending = create.isPending || update.isPending;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const fields = { label, username, url, notes };
    if (credential) {
      // A blank secret field means "keep the stored one".
      const input = form.check(CredentialUpdateInput, { id: credential.id, ...fields, ...(value && { value }) });
      if (input) update.mutate(input);
    } else {
      const input = form.check(CredentialCreateInput, { clientId, ...fields, value });
      if (input) create.mutate(input);
    }
  };

  return (
    <Dialog title={isEdit ? `Edit ${credential.label}` : 'New credential'} onClose={onClose}>
      <form onSubmit={submit} noValidate>
        <FormError message={form.formError} />
        <TextField
          label="Label"
          value={label}
          onChange={(event) => setLabel(event.target.value)}
          error={form.errors.label}
          autoComplete="off"
        />
        <TextField
          label="Username"
          value={username}
          onChange={(event) => setUsername(event.target.value)}
          error={form.errors.username}
          autoComplete="off"
        />
        <TextField
          label={isEdit ? 'New secret' : 'Secret'}
          type={isValueVisible ? 'text' : 'password'}
          value={value}
          onChange={(event) => setValue(event.target.value)}
          error={form.errors.value}
          autoComplete="new-password"
          spellCheck={false}
          {...(isEdit && { hint: 'Leave blank to keep the stored secret.' })}
        />
        <label className="inline-check">
          <input type="checkbox" checked={isValueVisible} onChange={(event) => setValueVisible(event.target.checked)} />
          Show the secret while typing
        </label>
        <PasswordGenerator onGenerate={setValue} />
        <TextField
          label="URL"
          type="url"
          inputMode="url"
          value={url}
          onChange={(event) => setUrl(event.target.value)}
          error={form.errors.url}
          placeholder="https://"
        />
        <TextAreaField
          label="Notes"
          value={notes}
          onChange={(event) => setNotes(event.target.value)}
          error={form.errors.notes}
        />
        <DialogActions submitLabel={isEdit ? 'Save' : 'Create credential'} isPending={isPending} onCancel={onClose} />
      </form>
    </Dialog>
  );
}

/** Length and symbols, then "Generate" fills the secret field. */
function PasswordGenerator({ onGenerate }: { onGenerate: (password: string) => void }) {
  const [length, setLength] = useState(String(defaultLength));
  const [useSymbols, setUseSymbols] = useState(true);
  const [generated, setGenerated] = useState('');
  const parsed = Number(length);
  const isValidLength = Number.isInteger(parsed) && parsed >= minLength && parsed <= maxLength;
  return (
    <fieldset className="generator">
      <legend>Password generator</legend>
      <Field
        label="Length"
        error={isValidLength ? undefined : `must be a whole number from ${minLength} to ${maxLength}`}
      >
        {(control) => (
          <input
            {...control}
            type="number"
            min={minLength}
            max={maxLength}
            value={length}
            onChange={(event) => setLength(event.target.value)}
          />
        )}
      </Field>
      <label className="inline-check">
        <input type="checkbox" checked={useSymbols} onChange={(event) => setUseSymbols(event.target.checked)} />
        Include symbols
      </label>
      <button
        type="button"
        disabled={!isValidLength}
        onClick={() => {
          onGenerate(generatePassword({ length: parsed, useSymbols }));
          setGenerated(`A ${parsed}-character password is in the secret field.`);
        }}
      >
        Generate password
      </button>
      <span role="status" className="muted">
        {generated}
      </span>
    </fieldset>
  );
}
