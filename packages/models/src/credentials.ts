/**
 * The credential vault (credentials.*). The API parses with these schemas and the SPA's forms
 * validate with the same objects. The secret (`value`) is stored exactly as typed: it is not
 * trimmed, since a password's spaces are part of it.
 */
import { z } from 'zod';
import { HttpUrl, hasNoNul, Id, noNulMessage, optionalText, requiredText } from './common.ts';

/** A secret: 1 to 10 000 characters; PostgreSQL text cannot hold NUL, so it is refused by name. */
export const CredentialValue = z.string().min(1, 'is required').max(10_000).refine(hasNoNul, noNulMessage);

export const CredentialListInput = z.object({ clientId: Id });
export type CredentialListInput = z.input<typeof CredentialListInput>;

export const CredentialIdInput = z.object({ id: Id });
export type CredentialIdInput = z.input<typeof CredentialIdInput>;

/** The editable fields; blank optional text is stored as NULL. */
const credentialFields = {
  label: requiredText(255),
  username: optionalText(255),
  value: CredentialValue,
  url: HttpUrl,
  notes: optionalText(10_000),
};

export const CredentialCreateInput = z.object({ clientId: Id, ...credentialFields });
export type CredentialCreateInput = z.input<typeof CredentialCreateInput>;

/**
 * Only the fields present change; null or blank clears username, url or notes. `value` left out
 * keeps the secret; a secret cannot be cleared, only replaced (or the credential deleted).
 */
export const CredentialUpdateInput = z.object({
  id: Id,
  label: credentialFields.label.optional(),
  username: credentialFields.username.optional(),
  value: credentialFields.value.optional(),
  url: credentialFields.url.optional(),
  notes: credentialFields.notes.optional(),
});
export type CredentialUpdateInput = z.input<typeof CredentialUpdateInput>;
