/**
 * Audit entries as a table, wherever they are shown: the audit log, a credential's activity beside
 * it and the dashboard's recent activity. Each view names the columns it needs, in its order; a
 * column looks the same in all of them. Times in the reader's zone.
 */
import type { AuditAction } from '@mini-crm/models';
import { Fragment, type ReactElement } from 'react';
import { Link } from 'wouter';
import { useUser } from '../../app/session.tsx';
import type { RouterOutputs } from '../../app/trpc.ts';
import { Badge, type Tone } from '../../ui/badge.tsx';
import { auditActionLabels } from '../../ui/labels.ts';
import { formatDateTime } from '../../ui/time.ts';
import { shortUserAgent } from './user-agent.ts';

export type AuditEntry = RouterOutputs['audit']['list']['items'][number];

/** A reveal is what an audit looks for; a delete cannot be undone. */
const actionTones: Record<AuditAction, Tone> = {
  view: 'neutral',
  decrypt: 'warn',
  create: 'neutral',
  update: 'neutral',
  delete: 'danger',
};

const columns = {
  when: {
    header: 'When',
    cell: (entry: AuditEntry, timeZone: string) => (
      <td className="nowrap">
        <time dateTime={entry.createdAt}>{formatDateTime(entry.createdAt, timeZone)}</time>
      </td>
    ),
  },
  action: {
    header: 'Action',
    cell: (entry: AuditEntry) => (
      <td>
        <Badge tone={actionTones[entry.action]}>{auditActionLabels[entry.action]}</Badge>
      </td>
    ),
  },
  credential: {
    header: 'Credential',
    cell: (entry: AuditEntry) => (
      <td>
        {entry.credential.label} {entry.credential.isDeleted && <Badge tone="danger">deleted</Badge>}
      </td>
    ),
  },
  client: {
    header: 'Client',
    cell: (entry: AuditEntry) => (
      <td>
        <Link href={`/clients/${entry.client.id}`}>{entry.client.name}</Link>
      </td>
    ),
  },
  user: {
    header: 'User',
    cell: (entry: AuditEntry) => <td>{entry.user ? entry.user.name : <span className="muted">system</span>}</td>,
  },
  ip: {
    header: 'IP',
    cell: (entry: AuditEntry) => <td>{entry.ipAddress ?? <span className="muted">unknown</span>}</td>,
  },
  browser: {
    header: 'Browser',
    cell: (entry: AuditEntry) => <td title={entry.userAgent ?? undefined}>{shortUserAgent(entry.userAgent)}</td>,
  },
} satisfies Record<string, { header: string; cell: (entry: AuditEntry, timeZone: string) => ReactElement }>;

export type AuditColumn = keyof typeof columns;

type Props = {
  entries: readonly AuditEntry[];
  columns: readonly AuditColumn[];
  /** The table's name; `isCaptionHidden` when a heading above already says it. */
  caption: string;
  isCaptionHidden?: boolean;
};

export function AuditEntryTable({ entries, columns: shown, caption, isCaptionHidden = false }: Props) {
  const user = useUser();
  // Without a link inside, the scroll box itself must take the focus, so a keyboard can scroll it sideways.
  const isFocusable = !shown.includes('client');
  return (
    <section
      className="table-wrap"
      aria-label={isFocusable ? `${caption}, scrollable` : undefined}
      tabIndex={isFocusable ? 0 : undefined}
    >
      <table>
        <caption className={isCaptionHidden ? 'visually-hidden' : undefined}>{caption}</caption>
        <thead>
          <tr>
            {shown.map((column) => (
              <th key={column} scope="col">
                {columns[column].header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {entries.map((entry) => (
            <tr key={entry.id}>
              {shown.map((column) => (
                <Fragment key={column}>{columns[column].cell(entry, user.timezone)}</Fragment>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
