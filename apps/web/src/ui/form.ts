/**
 * Forms validate with the same zod schemas the API parses with (@mini-crm/models), so a message
 * appears under its field before anything is sent; what only the server can know (a taken e-mail)
 * comes back as data.fieldErrors and lands under the same field.
 */
import { useState } from 'react';
import type { z } from 'zod';
import { type FieldErrors, fieldErrorsOf, messageOf } from './errors.ts';

export type Validated<T> = { ok: true; data: T } | { ok: false; errors: FieldErrors };

/** Runs the schema; issues become one message per top-level field ("tags.2" → "tags"). */
export function validate<S extends z.ZodType>(schema: S, values: unknown): Validated<z.output<S>> {
  const result = schema.safeParse(values);
  if (result.success) return { ok: true, data: result.data };
  const errors: FieldErrors = {};
  for (const issue of result.error.issues) {
    const field = String(issue.path[0] ?? 'form');
    errors[field] ??= issue.message;
  }
  return { ok: false, errors };
}

/**
 * A form's error state: field messages and one form-level message. `fail(error)` takes an API error
 * and splits it into the two; `check(schema, values)` validates before sending.
 */
export function useFormErrors() {
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  return {
    errors,
    formError,
    clear() {
      setErrors({});
      setFormError(null);
    },
    check<S extends z.ZodType>(schema: S, values: unknown): z.output<S> | null {
      const result = validate(schema, values);
      if (result.ok) {
        setErrors({});
        setFormError(null);
        return result.data;
      }
      setErrors(result.errors);
      setFormError('Please correct the marked fields.');
      return null;
    },
    fail(error: unknown) {
      const { id: _record, ...fields } = fieldErrorsOf(error); // about the record, not a field: messageOf says it
      setErrors(fields);
      setFormError(Object.keys(fields).length > 0 ? 'Please correct the marked fields.' : messageOf(error));
    },
  };
}

export type FormErrors = ReturnType<typeof useFormErrors>;
