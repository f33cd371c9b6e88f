/**
 * The one mapping from database and validation errors to tRPC errors. A constraint names the field
 * it guards, so the caller reads "email: already in use", not a constraint name or a stack trace.
 * Anything unexpected becomes a 500 with a generic message and an id that is also in the log.
 */
import { randomUUID } from 'node:crypto';
import { TRPCError } from '@trpc/server';
import { getHTTPStatusCodeFromError } from '@trpc/server/http';
import {
  BackendTerminatedError,
  BackendTerminatedUnexpectedlyError,
  CheckIntegrityConstraintViolationError,
  ConnectionError,
  ForeignKeyIntegrityConstraintViolationError,
  IntegrityConstraintViolationError,
  InvalidInputError,
  NotFoundError,
  NotNullIntegrityConstraintViolationError,
  StatementCancelledError,
  StatementTimeoutError,
  UniqueIntegrityConstraintViolationError,
} from 'slonik';
import { ZodError } from 'zod';

/** Constraint → the input field it guards and what to tell the caller. */
const constraintMessages: Record<string, [field: string, message: string]> = {
  users_email_key: ['email', 'already in use'],
  idx_users_email_lower: ['email', 'already in use'],
  users_email_format: ['email', 'is not a valid e-mail address'],
  users_name_not_blank: ['name', 'is required'],
  users_role_valid: ['role', 'is not a role'],
  users_timezone_valid: ['timezone', 'is not a known time zone'],
  clients_name_not_blank: ['name', 'is required'],
  clients_email_format: ['email', 'is not a valid e-mail address'],
  clients_status_valid: ['status', 'is not a client status'],
  clients_timezone_valid: ['timezone', 'is not a known time zone'],
  clients_website_url_format: ['websiteUrl', 'must be an http(s) URL'],
  clients_owner_user_id_fkey: ['ownerId', 'is not a user'],
  tasks_title_not_blank: ['title', 'is required'],
  tasks_status_valid: ['status', 'is not a task status'],
  tasks_priority_valid: ['priority', 'is not a task priority'],
  tasks_due_date_range: ['dueDate', 'must be between 2000-01-01 and 2100-12-31'],
  tasks_client_id_fkey: ['clientId', 'is not a client'],
  tasks_assigned_user_id_fkey: ['assigneeId', 'is not a user'],
  credentials_label_not_blank: ['label', 'is required'],
  credentials_url_format: ['url', 'must be an http(s) URL'],
  credentials_client_id_fkey: ['clientId', 'is not a client'],
};

/** A BAD_REQUEST (or other 4xx) naming the field, in the same shape zod failures take. */
export function fieldError(field: string, message: string, code: TRPCError['code'] = 'BAD_REQUEST') {
  return new TRPCError({ code, message: `${field}: ${message}`, cause: new FieldError(field, message) });
}

export class FieldError extends Error {
  override name = 'FieldError';
  readonly field: string;
  constructor(field: string, message: string) {
    super(message);
    this.field = field;
  }
}

export const notFound = (what: string) => new TRPCError({ code: 'NOT_FOUND', message: `${what} not found` });
export const forbidden = (message = 'your role does not allow this') => new TRPCError({ code: 'FORBIDDEN', message });

type PgError = Error & { code?: string };

export const internalErrorPrefix = 'Internal error';

/** Maps what a procedure threw to the error the caller gets. `log` receives only 500s. */
export function toTRPCError(error: unknown, log: (id: string, error: Error) => void): TRPCError {
  // tRPC reports a failed input as BAD_REQUEST caused by the ZodError; say which fields, in words.
  if (error instanceof TRPCError && error.cause instanceof ZodError) {
    return new TRPCError({ code: 'BAD_REQUEST', message: zodMessage(error.cause), cause: error.cause });
  }
  const cause = error instanceof TRPCError && error.code === 'INTERNAL_SERVER_ERROR' ? error.cause : error;
  if (cause instanceof TRPCError) return cause;
  if (error instanceof TRPCError && error.code !== 'INTERNAL_SERVER_ERROR') return error;
  if (cause instanceof ZodError) return new TRPCError({ code: 'BAD_REQUEST', message: zodMessage(cause), cause });
  if (cause instanceof NotFoundError) return notFound('record');
  if (cause instanceof IntegrityConstraintViolationError) {
    const known = cause.constraint ? constraintMessages[cause.constraint] : undefined;
    const isUnique = cause instanceof UniqueIntegrityConstraintViolationError;
    if (known) return fieldError(known[0], known[1], isUnique ? 'CONFLICT' : 'BAD_REQUEST');
    if (isUnique) return new TRPCError({ code: 'CONFLICT', message: `${cause.constraint ?? 'value'}: already exists` });
    if (cause instanceof NotNullIntegrityConstraintViolationError)
      return fieldError(cause.column ?? 'value', 'is required');
    if (
      cause instanceof CheckIntegrityConstraintViolationError ||
      cause instanceof ForeignKeyIntegrityConstraintViolationError
    )
      return new TRPCError({ code: 'BAD_REQUEST', message: `violates the rule ${cause.constraint ?? 'of the table'}` });
  }
  if (cause instanceof InvalidInputError)
    return new TRPCError({ code: 'BAD_REQUEST', message: 'a value has the wrong format' });
  const code = (cause as PgError | undefined)?.code;
  // 22001 too long, 22007/22008 bad date or time, 22023 invalid parameter (a time zone, say).
  if (code === '22001') return new TRPCError({ code: 'BAD_REQUEST', message: 'a value is too long' });
  if (code === '22007' || code === '22008')
    return new TRPCError({ code: 'BAD_REQUEST', message: 'a date is not valid' });
  // 22021/22P05: a NUL or a character the database encoding cannot hold.
  if (code === '22021' || code === '22P05')
    return new TRPCError({ code: 'BAD_REQUEST', message: 'a value contains a character that cannot be stored' });
  if (code === '22023') return new TRPCError({ code: 'BAD_REQUEST', message: 'a value is not valid' });

  if (isDatabaseUnavailable(cause)) return databaseUnavailable();
  // The pool's statement_timeout (db.ts) or a lock wait ended the statement: busy, not broken.
  if (cause instanceof StatementTimeoutError || cause instanceof StatementCancelledError || code === '57014')
    return new TRPCError({
      code: 'SERVICE_UNAVAILABLE',
      message: 'the database took too long to answer; try again shortly',
    });

  const id = randomUUID();
  log(id, cause instanceof Error ? cause : new Error(String(cause)));
  return new TRPCError({ code: 'INTERNAL_SERVER_ERROR', message: `${internalErrorPrefix}; reference ${id}` });
}

/**
 * Whether a procedure failed on the request's own account (bad input, a missing record, a refused
 * role, a rule of the data: a 4xx), which leaves the database connection it ran on sound. The
 * database away, a timeout or anything unexpected (5xx) is not.
 */
export const isRequestsFault = (error: unknown) => getHTTPStatusCodeFromError(toTRPCError(error, () => {})) < 500;

const databaseUnavailable = () =>
  new TRPCError({ code: 'SERVICE_UNAVAILABLE', message: 'the database is unavailable; try again shortly' });

/** Refused or lost connections, a server shutting down or starting up: the request may simply be retried. */
function isDatabaseUnavailable(error: unknown): boolean {
  if (
    error instanceof ConnectionError ||
    error instanceof BackendTerminatedError ||
    error instanceof BackendTerminatedUnexpectedlyError
  )
    return true;
  const code = (error as PgError | undefined)?.code ?? '';
  // Node's socket errors; SQLSTATE class 08 (connection exception) and 57P01–57P03 (shutdown, startup).
  return (
    ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', '57P01', '57P02', '57P03'].includes(code) ||
    code.startsWith('08')
  );
}

/** "email: is not a valid e-mail address; name: is required" */
export function zodMessage(error: ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.') || 'input'}: ${issue.message}`).join('; ');
}

/** { "email": ["is not a valid e-mail address"] }, for forms that show errors beside their fields. */
export function fieldErrorsOf(error: unknown): Record<string, string[]> | null {
  if (error instanceof ZodError) {
    const fields: Record<string, string[]> = {};
    for (const issue of error.issues) {
      const path = issue.path.join('.') || 'input';
      fields[path] = [...(fields[path] ?? []), issue.message];
    }
    return fields;
  }
  if (error instanceof FieldError) return { [error.field]: [error.message] };
  return null;
}

/** What is safe to log about an error: never its query values, detail or parameters. */
export function loggableError(error: Error) {
  const code = (error as PgError).code;
  const constraint = (error as { constraint?: unknown }).constraint;
  return {
    type: error.name,
    message: error.message,
    ...(code && { code }),
    ...(typeof constraint === 'string' && { constraint }),
    stack: error.stack,
  };
}
