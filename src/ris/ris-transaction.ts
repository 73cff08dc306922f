import type { RequestContext } from '../platform/context.js';
import type { Kysely, Transaction } from '../platform/db/index.js';
import {
  recordAudit,
  recordAuditAlone,
  recordAuditFailure,
  type AuditEntry,
} from '../platform/security/index.js';
import { failureNaming } from './order-audit.js';
import type { RisDeps } from './ris-deps.js';
import type { RisTables } from './tables.js';

export type RisExecutor = Kysely<RisTables> | Transaction<RisTables>;

/**
 * What a success adds to the audit record: the result's patient, study and details. It may read (the
 * change's own transaction, or the database for a read), e.g. the Patient ID of the orders involved.
 */
export type AuditDescription<T> = (
  result: T,
  db: RisExecutor,
) => Partial<AuditEntry> | Promise<Partial<AuditEntry>>;

const risDb = (deps: RisDeps) => deps.database.kysely as Kysely<RisTables>;

/**
 * A change and its audit record in one transaction. On failure nothing of the change remains, and the
 * failure is audited on its own (with the error's code), then rethrown.
 */
export async function auditedChange<T>(
  deps: RisDeps,
  ctx: RequestContext,
  entry: AuditEntry,
  work: (trx: Transaction<RisTables>) => Promise<T>,
  describe?: AuditDescription<T>,
): Promise<T> {
  try {
    return await (deps.database.kysely as Kysely<RisTables>).transaction().execute(async (trx) => {
      const result = await work(trx);
      const more = (await describe?.(result, trx)) ?? {};
      await recordAudit(trx, ctx, { ...entry, ...more, detail: { ...entry.detail, ...more.detail } });
      return result;
    });
  } catch (error) {
    await recordAuditFailure(deps.database, ctx, await failureNaming(risDb(deps), entry), error);
    throw error;
  }
}

/** Work before a change's transaction (a call on another module's service): its failure is audited. */
export async function auditFailure<T>(
  deps: RisDeps,
  ctx: RequestContext,
  entry: AuditEntry,
  work: () => Promise<T>,
): Promise<T> {
  try {
    return await work();
  } catch (error) {
    await recordAuditFailure(deps.database, ctx, await failureNaming(risDb(deps), entry), error);
    throw error;
  }
}

/** A read of RIS data, audited on success and failure alike. */
export async function auditedRead<T>(
  deps: RisDeps,
  ctx: RequestContext,
  entry: AuditEntry,
  work: (db: Kysely<RisTables>) => Promise<T>,
  describe?: AuditDescription<T>,
): Promise<T> {
  try {
    const db = deps.database.kysely as Kysely<RisTables>;
    const result = await work(db);
    const more = (await describe?.(result, db)) ?? {};
    await recordAuditAlone(deps.database, ctx, {
      ...entry,
      ...more,
      detail: { ...entry.detail, ...more.detail },
    });
    return result;
  } catch (error) {
    await recordAuditFailure(deps.database, ctx, await failureNaming(risDb(deps), entry), error);
    throw error;
  }
}

// SQLite (better-sqlite3) and PostgreSQL name constraint failures differently; these read both.
const errorCode = (error: unknown) => String((error as { code?: unknown } | undefined)?.code ?? '');

export function isUniqueViolation(error: unknown): boolean {
  const code = errorCode(error);
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

export function isForeignKeyViolation(error: unknown): boolean {
  const code = errorCode(error);
  // SQLite reports a restrict reached through a cascade as SQLITE_CONSTRAINT_TRIGGER; the message says it.
  const sqliteForeignKey =
    code.startsWith('SQLITE_CONSTRAINT') && /FOREIGN KEY/.test(String((error as Error).message));
  return code === '23503' || code === 'SQLITE_CONSTRAINT_FOREIGNKEY' || sqliteForeignKey;
}

/** Runs a write whose unique or foreign key constraint stands for a domain rule, as that rule's error. */
export async function withConstraints<T>(
  work: () => Promise<T>,
  rules: { unique?: () => Error; foreignKey?: () => Error },
): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (rules.unique && isUniqueViolation(error)) throw rules.unique();
    if (rules.foreignKey && isForeignKeyViolation(error)) throw rules.foreignKey();
    throw error;
  }
}
