/**
 * `pnpm crm rotate-key`: re-encrypts every credential recorded at an older key version with the
 * current key, in batches, each batch one transaction. PostgreSQL decrypts and encrypts within one
 * UPDATE, so no plaintext is written anywhere or seen by this process. Stopped or killed, a run
 * leaves whole batches done and the rest untouched: running it again finishes the rest, since it only
 * ever picks credentials still at an older version. The API keeps serving meanwhile (it decrypts
 * each credential with the key of the version it records).
 *
 * Each re-encrypted credential gets an 'update' audit row (the credentials trigger) naming the admin
 * given with --as, and the user agent "mini-crm rotate-key (key version 1 → 2)".
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { DatabasePool } from 'slonik';
import { inRequestTransaction, type RequestScope } from '../db.ts';
import { checkEncryptionKeys } from './check.ts';
import { type EncryptionKeys, type KeyVersion, keyForVersion } from './keyring.ts';
import { countCredentialsByVersion, findUndecryptable, findUserId, reencryptBatch } from './queries.ts';

export type RotateOptions = {
  /** The e-mail of the active admin the audit rows name. */
  actorEmail: string;
  batchSize: number;
  /** Stop after this many batches (a rotation spread over quiet hours); the next run goes on. */
  maxBatches?: number | undefined;
  isUsingDemoKey?: boolean;
  log: (line: string) => void;
  /** How long to wait for credentials other transactions hold before giving up (ms). */
  lockWaitMs?: number;
};

export type RotateResult = { reencrypted: number; left: number };

/** A rotation that cannot start or go on; its message says why and what to do. */
export class RotationError extends Error {
  override name = 'RotationError';
}

export async function rotateKeys(
  pool: DatabasePool,
  keys: EncryptionKeys,
  options: RotateOptions,
): Promise<RotateResult> {
  const { log } = options;
  const scope = await auditScope(pool, options.actorEmail);
  const pending = [...(await countCredentialsByVersion(pool))].filter(([version]) => version !== keys.current.version);
  const sources = pending.map(([version, count]) => {
    const key = keyForVersion(keys, version);
    if (key === undefined) {
      throw new RotationError(
        `${count} credential(s) are at key version ${version}, whose key is not configured: add ` +
          `"${version}:<key>" to CRM_PREVIOUS_ENCRYPTION_KEYS. Nothing was changed.`,
      );
    }
    return { source: { version, key }, count };
  });
  // A wrong key stops here, before anything changes.
  await checkEncryptionKeys(pool, keys, options);
  const total = sources.reduce((sum, { count }) => sum + count, 0);
  if (total === 0) {
    log(`nothing to do: every credential is at key version ${keys.current.version}`);
    return { reencrypted: 0, left: 0 };
  }
  log(`re-encrypting ${total} credential(s) with key version ${keys.current.version}, ${options.batchSize} per batch`);

  let reencrypted = 0;
  let batches = 0;
  for (const { source } of sources) {
    const batchScope = {
      ...scope,
      userAgent: `mini-crm rotate-key (key version ${source.version} → ${keys.current.version})`,
    };
    let waitedSince: number | null = null;
    while (options.maxBatches === undefined || batches < options.maxBatches) {
      const changed = await runBatch(pool, batchScope, source, keys.current, options.batchSize);
      if (changed > 0) {
        batches += 1;
        reencrypted += changed;
        waitedSince = null;
        log(`batch ${batches}: ${changed} re-encrypted from version ${source.version} (${reencrypted} of ${total})`);
        continue;
      }
      // An empty batch: done with this version, or its last rows are held by a reveal or an edit.
      const left = (await countCredentialsByVersion(pool)).get(source.version) ?? 0;
      if (left === 0) break;
      waitedSince ??= Date.now();
      if (Date.now() - waitedSince > (options.lockWaitMs ?? 30_000)) {
        throw new RotationError(
          `${left} credential(s) at key version ${source.version} stayed locked by other transactions; ` +
            `${reencrypted} were re-encrypted. Run the command again to finish.`,
        );
      }
      await sleep(200);
    }
  }

  const left = [...(await countCredentialsByVersion(pool))]
    .filter(([version]) => version !== keys.current.version)
    .reduce((sum, [, count]) => sum + count, 0);
  if (left === 0) {
    log(
      `done: ${reencrypted} credential(s) re-encrypted; every credential is at key version ${keys.current.version}. ` +
        'The older keys can now leave CRM_PREVIOUS_ENCRYPTION_KEYS.',
    );
  } else if (options.maxBatches !== undefined && batches >= options.maxBatches) {
    log(
      `stopped after ${batches} batch(es) (--max-batches): ${reencrypted} re-encrypted, ${left} left; run again to finish`,
    );
  } else {
    log(
      `${reencrypted} re-encrypted, but ${left} credential(s) were written at an older key version meanwhile ` +
        '(an API instance still on the old CRM_ENCRYPTION_KEY_VERSION?); run again to finish',
    );
  }
  return { reencrypted, left };
}

/** The audit identity of the run: an active admin, from nowhere in particular (no IP). */
async function auditScope(pool: DatabasePool, email: string): Promise<RequestScope> {
  const userId = await findUserId(pool, email);
  const scope: RequestScope = { userId, ip: null, userAgent: 'mini-crm rotate-key', timeZone: 'UTC' };
  const role = userId === null ? null : await inRequestTransaction(pool, scope, async (_tx, caller) => caller.role);
  if (role !== 'admin') throw new RotationError(`--as ${email}: not an active admin; the audit rows must name one`);
  return scope;
}

/** One batch in one transaction; a value the old key does not open stops the run, naming it. */
async function runBatch(pool: DatabasePool, scope: RequestScope, from: KeyVersion, to: KeyVersion, size: number) {
  try {
    return await inRequestTransaction(pool, scope, async (tx, caller) => {
      // The admin may have been deactivated or demoted since the run began.
      if (caller.role !== 'admin') throw new RotationError('the --as account is no longer an active admin');
      return (await reencryptBatch(tx, from, to, size)).length;
    });
  } catch (error) {
    if ((error as { code?: unknown } | null)?.code !== 'MC002') throw error;
    const uuids = await findUndecryptable(pool, from, 5);
    throw new RotationError(
      `credential(s) ${uuids.join(', ')} at key version ${from.version} do not decrypt with that version's key ` +
        '(damaged, or stored under another key); the batch holding them was left unchanged.',
    );
  }
}
