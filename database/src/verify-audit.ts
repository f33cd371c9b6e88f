/**
 * `pnpm db verify-audit`: walks the credential audit log's hash chain (postgresql_mini_crm_003_hardening.sql)
 * in chain order, recomputes each row's hash from its content, checks that each row links to the
 * one before it and that the chain ends where its head says, and names the first row where it does
 * not. Rows a deliberate purge removed (ON DELETE CASCADE) are walked through by their purge records.
 *
 * What it proves: no audit row was changed, removed or inserted out of turn since it was written,
 * short of someone who also rewrote every later hash and the head. Record the head it prints
 * somewhere else now and then (a ticket, a log): a rewritten chain no longer ends there.
 */
import type pg from 'pg';
import { withClient } from './migrate.ts';

export type BrokenLink = {
  chainPosition: number;
  /** The audit row it names: null when the newest rows are missing and there is no row to name. */
  id: number | null;
  uuid: string | null;
  reason: string;
};

export type AuditChainReport = {
  /** Audit rows whose hash was recomputed from their content. */
  rowsChecked: number;
  /** Links of purged rows the walk went through (their content is gone, their hashes are kept). */
  purgedRows: number;
  /** The chain's newest link as credential_audit_chain_head records it. */
  head: { chainPosition: number; rowHash: string };
  /** The first place the chain does not hold; null: intact. */
  firstBroken: BrokenLink | null;
};

type Link = {
  chain_position: string;
  id: number;
  uuid: string;
  prev_hash: string;
  row_hash: string;
  /** Recomputed from the row as it is now; null for a purge record. */
  content_hash: string | null;
};

const zeroHash = '0'.repeat(64);
const batchSize = 1000;

// Live rows and purge records, merged in chain order; a purge record has no content to rehash.
const chainQuery = `
  DECLARE audit_chain NO SCROLL CURSOR FOR
  SELECT chain_position, id, uuid::text AS uuid, encode(prev_hash, 'hex') AS prev_hash,
         encode(row_hash, 'hex') AS row_hash, encode(credential_audit_row_hash(a), 'hex') AS content_hash
  FROM credential_audit_logs a
  UNION ALL
  SELECT chain_position, audit_id, audit_uuid::text, encode(prev_hash, 'hex'), encode(row_hash, 'hex'), NULL
  FROM credential_audit_purges
  ORDER BY chain_position`;

/** Walks the whole chain in one read-only snapshot, so appends made meanwhile do not disturb it. */
export function verifyAuditChain(url: string): Promise<AuditChainReport> {
  return withClient(url, async (client) => {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    try {
      return await walk(client);
    } finally {
      await client.query('ROLLBACK');
    }
  });
}

async function walk(client: pg.Client): Promise<AuditChainReport> {
  const headRow = await client.query<{ chain_position: string; row_hash: string }>(
    "SELECT chain_position, encode(row_hash, 'hex') AS row_hash FROM credential_audit_chain_head",
  );
  const head = {
    chainPosition: Number(headRow.rows[0]?.chain_position ?? 0),
    rowHash: headRow.rows[0]?.row_hash ?? '',
  };
  const report: AuditChainReport = { rowsChecked: 0, purgedRows: 0, head, firstBroken: null };
  let expectedPosition = 1;
  let expectedPrev = zeroHash;

  await client.query(chainQuery);
  for (;;) {
    const { rows } = await client.query<Link>(`FETCH ${batchSize} FROM audit_chain`);
    for (const link of rows) {
      const position = Number(link.chain_position);
      const reason = brokenReason(link, position, expectedPosition, expectedPrev);
      if (link.content_hash === null) report.purgedRows += 1;
      else report.rowsChecked += 1;
      if (reason) {
        report.firstBroken = { chainPosition: position, id: link.id, uuid: link.uuid, reason };
        return report;
      }
      expectedPosition = position + 1;
      expectedPrev = link.row_hash;
    }
    if (rows.length < batchSize) break;
  }

  const last = expectedPosition - 1;
  if (head.chainPosition !== last || head.rowHash !== expectedPrev) {
    report.firstBroken = {
      chainPosition: last + 1,
      id: null,
      uuid: null,
      reason:
        head.chainPosition > last
          ? `the newest rows are missing: the chain head records position ${head.chainPosition}, the last row is at ${last}`
          : `the chain head (position ${head.chainPosition}) does not match the last row (position ${last})`,
    };
  }
  return report;
}

function brokenReason(link: Link, position: number, expectedPosition: number, expectedPrev: string): string | null {
  if (position < expectedPosition) {
    return `chain position ${position} appears twice`;
  }
  if (position > expectedPosition) {
    const missing = position - 1 > expectedPosition ? `s ${expectedPosition}–${position - 1}` : ` ${expectedPosition}`;
    return `the row before it is missing: chain position${missing} has no audit row and no purge record (deleted behind the triggers' back)`;
  }
  if (link.content_hash !== null && link.content_hash !== link.row_hash) {
    return 'its content does not match its row_hash: the row was changed after it was written';
  }
  if (link.prev_hash !== expectedPrev) {
    return `its prev_hash does not match the row_hash of chain position ${position - 1}: that row was changed (and rehashed) or replaced after this one was written`;
  }
  return null;
}

/** The lines `pnpm db verify-audit` prints. */
export function describeAuditReport(report: AuditChainReport): string[] {
  const purged = report.purgedRows > 0 ? `, and ${report.purgedRows} purged rows by their purge records` : '';
  const lines = [`checked ${report.rowsChecked} audit rows${purged}`];
  const broken = report.firstBroken;
  if (broken === null) {
    lines.push(`audit chain intact; head: position ${report.head.chainPosition}, sha256 ${report.head.rowHash}`);
  } else {
    const row = broken.id === null ? '' : ` at audit row ${broken.id} (uuid ${broken.uuid})`;
    lines.push(`AUDIT CHAIN BROKEN${row}, chain position ${broken.chainPosition}: ${broken.reason}`);
  }
  return lines;
}
