/**
 * The credential audit views (audit.*). Filters of audit.list combine with AND; `from` is inclusive
 * and `to` exclusive, both ISO 8601 date-times with an offset ("2026-05-01T00:00:00Z").
 */
import { z } from 'zod';
import { Id, PageInput } from './common.ts';
import { AuditAction } from './enums.ts';

const DateTime = z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time with an offset' });

export const AuditListInput = PageInput.extend({
  credentialId: Id.nullish(),
  /** The acting user's id. */
  userId: Id.nullish(),
  action: AuditAction.nullish(),
  from: DateTime.nullish(),
  to: DateTime.nullish(),
}).refine((input) => !input.from || !input.to || Date.parse(input.from) <= Date.parse(input.to), {
  path: ['to'],
  message: 'must not be before from',
});
export type AuditListInput = z.input<typeof AuditListInput>;

/** A page of audit.summary (by client, then label); left out: the first page of the default size. */
export const AuditSummaryInput = PageInput.optional().default({ limit: 25 });
export type AuditSummaryInput = z.input<typeof AuditSummaryInput>;
