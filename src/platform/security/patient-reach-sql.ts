import { sql, type Expression, type SqlBool } from '../db/index.js';
import type { ReachablePatients } from './policy.js';

/**
 * The SQL condition "this patient key column is within reach", for searches that filter a data-level limit
 * in the query itself (so totals and pages count only what the caller may see). Undefined when every patient
 * is within reach. The keys are integers Lantern read from its own tables, written as literals: a referring
 * physician's few hundred patients would otherwise be as many bind parameters (SQLite allows 32,766).
 */
export function reachCondition(column: string, reach: ReachablePatients): Expression<SqlBool> | undefined {
  if (reach.kind === 'all') return undefined;
  const keys = [...reach.patientKeys];
  if (keys.length === 0) return sql<SqlBool>`1 = 0`;
  if (!keys.every(Number.isSafeInteger)) throw new Error('patient keys must be integers');
  return sql<SqlBool>`${sql.ref(column)} in (${sql.raw(keys.join(','))})`;
}
