/**
 * API errors in words. The API already phrases its messages for people ("email: already in use",
 * "the database is unavailable; try again shortly"); this adds the cases it cannot phrase (no
 * network, a proxy's error page) and pulls out the per-field messages for forms.
 */
import { TRPCClientError } from '@trpc/client';
import { httpStatusOf } from '../app/trpc.ts';

export type FieldErrors = Record<string, string>;

/** "you cannot deactivate yourself" → "You cannot deactivate yourself." */
export const sentence = (phrase: string) =>
  `${phrase.charAt(0).toUpperCase()}${phrase.slice(1)}${/[.!?]$/.test(phrase) ? '' : '.'}`;

export function messageOf(error: unknown): string {
  if (error instanceof TRPCClientError) {
    // A refusal about the record itself ("id: you cannot deactivate yourself") names no field to fix.
    const fields = fieldErrorsOf(error);
    if (Object.keys(fields).length === 1 && fields.id) return sentence(fields.id);
    const status = httpStatusOf(error);
    if (status === null && /fetch|network/i.test(error.message)) {
      return 'Cannot reach the server. Check your connection and try again.';
    }
    if (status === 401 && error.message === 'sign in first') return 'Your session has ended. Please sign in again.';
    if (status === 403) return `Not allowed: ${error.message}.`;
    // The API's messages are lower-case phrases ("wrong e-mail or password"); show them as sentences.
    return sentence(error.message || 'something went wrong; please try again');
  }
  if (error instanceof Error) return error.message;
  return 'Something went wrong. Please try again.';
}

/** The API's per-field messages (data.fieldErrors), first message per field. */
export function fieldErrorsOf(error: unknown): FieldErrors {
  if (!(error instanceof TRPCClientError)) return {};
  const fields = (error.data as { fieldErrors?: Record<string, string[]> | null } | undefined)?.fieldErrors;
  if (!fields) return {};
  return Object.fromEntries(
    Object.entries(fields)
      .filter(([, messages]) => messages.length > 0)
      // "tags.2" → "tags": the form shows one message under the whole field.
      .map(([path, messages]) => [path.split('.')[0] ?? path, messages[0] ?? '']),
  );
}
