/**
 * After a run: what the database holds of the run's writes, whether any record is half made, and the
 * figures each fault test prints.
 *
 * A half record would be a credential without its 'create' audit row (the trigger writes both in one
 * transaction), a stored secret that does not decrypt to what was sent, a task whose client is gone,
 * or a break in the audit log's hash chain.
 */
import { type AuditChainReport, verifyAuditChain, withClient } from '@mini-crm/database';
import { countByStatus, secretOf, type Tally, type WriteKind, writeKinds } from './load.ts';

export type Inspection = {
  found: Record<WriteKind, Set<string>>;
  credentialsWithoutOneCreateRow: string[];
  credentialsNotDecrypting: string[];
  tasksWithoutClient: string[];
  decryptRows: number;
  auditChain: AuditChainReport;
};

const tables: Record<WriteKind, { table: string; column: string }> = {
  client: { table: 'clients', column: 'name' },
  task: { table: 'tasks', column: 'title' },
  credential: { table: 'credentials', column: 'label' },
};

export async function inspect(ownerUrl: string, tally: Tally, encryptionKey: string): Promise<Inspection> {
  const pattern = (kind: WriteKind) => `${tally.runId} ${kind} %`;
  const inspection = await withClient(ownerUrl, async (client) => {
    const found = {} as Record<WriteKind, Set<string>>;
    for (const kind of writeKinds) {
      const { table, column } = tables[kind];
      const { rows } = await client.query<{ name: string }>(
        `SELECT ${column} AS name FROM ${table} WHERE ${column} LIKE $1`,
        [pattern(kind)],
      );
      found[kind] = new Set(rows.map((row) => row.name));
    }
    const credentials = await client.query<{ label: string; creates: number; decrypts: number; value: string | null }>(
      `SELECT c.label,
              (SELECT count(*)::int FROM credential_audit_logs a WHERE a.credential_id = c.id AND a.action = 'create') AS creates,
              (SELECT count(*)::int FROM credential_audit_logs a WHERE a.credential_id = c.id AND a.action = 'decrypt') AS decrypts,
              decrypt_credential_value(c.encrypted_value, $2) AS value
       FROM credentials c WHERE c.label LIKE $1`,
      [pattern('credential'), encryptionKey],
    );
    const orphans = await client.query<{ title: string }>(
      `SELECT t.title FROM tasks t LEFT JOIN clients c ON c.id = t.client_id WHERE t.title LIKE $1 AND c.id IS NULL`,
      [pattern('task')],
    );
    return {
      found,
      credentialsWithoutOneCreateRow: credentials.rows.filter((row) => row.creates !== 1).map((row) => row.label),
      credentialsNotDecrypting: credentials.rows
        .filter((row) => row.value !== secretOf(row.label))
        .map((row) => row.label),
      tasksWithoutClient: orphans.rows.map((row) => row.title),
      decryptRows: credentials.rows.reduce((sum, row) => sum + row.decrypts, 0),
    };
  });
  return { ...inspection, auditChain: await verifyAuditChain(ownerUrl) };
}

/** Acknowledged writes the database does not hold: must be none, whatever happened. */
export const lostWrites = (tally: Tally, inspection: Inspection) =>
  writeKinds.flatMap((kind) =>
    [...tally.writes[kind].acknowledged].filter((name) => !inspection.found[kind].has(name)),
  );

/** Rows no request was answered for or left unanswered: refused writes that exist anyway. */
export const unexplainedWrites = (tally: Tally, inspection: Inspection) =>
  writeKinds.flatMap((kind) =>
    [...inspection.found[kind]].filter(
      (name) => !tally.writes[kind].acknowledged.has(name) && !tally.writes[kind].unknown.has(name),
    ),
  );

/** The figures a fault test prints: requests, answers by status, writes acknowledged against found. */
export function describeRun(title: string, tally: Tally, inspection: Inspection, extra: string[] = []): string {
  const seconds = Math.max(1, Math.max(...tally.answers.map((answer) => answer.endedAt), 0) / 1000);
  const lines = [
    `── ${title} ──`,
    `requests: ${tally.answers.length} (${Math.round(tally.answers.length / seconds)}/s)`,
    `answers by status: ${JSON.stringify(countByStatus(tally.answers))}`,
    ...writeKinds.map((kind) => {
      const outcomes = tally.writes[kind];
      return (
        `${kind} writes: acknowledged ${outcomes.acknowledged.size}, found ${inspection.found[kind].size}, ` +
        `unknown (no answer or 5xx) ${outcomes.unknown.size}, refused ${outcomes.refused.size}`
      );
    }),
    `reveals (each writes an audit row): acknowledged ${tally.reveals.acknowledged}, unknown ${tally.reveals.unknown}, ` +
      `'decrypt' audit rows found ${inspection.decryptRows}`,
    `half records: credentials without exactly one 'create' audit row ${inspection.credentialsWithoutOneCreateRow.length}, ` +
      `secrets not decrypting to what was sent ${inspection.credentialsNotDecrypting.length}, ` +
      `tasks without their client ${inspection.tasksWithoutClient.length}`,
    `audit chain: ${inspection.auditChain.rowsChecked} rows, ${inspection.auditChain.firstBroken ? `BROKEN: ${inspection.auditChain.firstBroken.reason}` : 'intact'}`,
    ...extra,
  ];
  return lines.join('\n');
}
