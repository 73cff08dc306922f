import { sql, type Database, type Expression, type Kysely, type SqlBool } from '../platform/db/index.js';
import { reachCondition, type ReachablePatients } from '../platform/security/index.js';
import type { PatientKey } from './patient-identity.js';
import type { PatientTables } from './tables.js';

/** Search conditions, already checked (patient-search.ts). */
export interface PatientSearchPlan {
  /** LIKE patterns on the lower-cased name: each matches the whole name or one of its components. */
  namePatterns?: string[];
  identifier?: { value: string; issuer?: string };
  birthDate?: { from?: string; to?: string };
  /** Last changed in [from, to): ISO UTC text, as stored. */
  updated?: { from?: string; to?: string };
  includeMerged: boolean;
  /** The page's order, key by key (ties broken by key); by name when not given. */
  order?: { column: 'patient_name' | 'birth_date' | 'updated_at'; descending: boolean }[];
  limit: number;
  offset: number;
  /** The patients the caller may see (a referring physician's); all when left out. */
  reach?: ReachablePatients;
}

export const LIKE_ESCAPE = '!';

/** One page of matching patient keys, in name order unless asked otherwise, and the total number of matches. */
export async function searchPatientKeys(
  database: Database,
  plan: PatientSearchPlan,
): Promise<{ total: number; keys: PatientKey[] }> {
  const db = database.kysely as Kysely<PatientTables>;
  const conditions = whereConditions(plan);
  const filtered = () => {
    const query = db.selectFrom('patient');
    return conditions.length === 0 ? query : query.where(sql<SqlBool>`${sql.join(conditions, sql` and `)}`);
  };
  const count = await filtered()
    .select(sql<number>`count(*)`.as('total'))
    .executeTakeFirstOrThrow();
  const total = Number(count.total);
  if (total === 0 || plan.limit === 0) return { total, keys: [] };
  let page = filtered().select('id');
  for (const { column, descending } of plan.order ?? [{ column: 'patient_name', descending: false }])
    page = page.orderBy(column, descending ? 'desc' : 'asc');
  const rows = await page.orderBy('id').limit(plan.limit).offset(plan.offset).execute();
  return { total, keys: rows.map((row) => row.id as PatientKey) };
}

function whereConditions(plan: PatientSearchPlan): Expression<SqlBool>[] {
  const parts: Expression<SqlBool>[] = [];
  const reachable = plan.reach && reachCondition('patient.id', plan.reach);
  if (reachable) parts.push(reachable);
  if (!plan.includeMerged) parts.push(sql<SqlBool>`patient.merged_into is null`);
  if (plan.namePatterns) {
    const name = sql`lower(patient.patient_name)`;
    const atoms = plan.namePatterns.map(
      (pattern) => sql<SqlBool>`${name} like ${pattern} escape ${LIKE_ESCAPE}`,
    );
    parts.push(sql<SqlBool>`(${sql.join(atoms, sql` or `)})`);
  }
  if (plan.identifier) {
    const { value, issuer } = plan.identifier;
    const primaryIssuer = issuer === undefined ? sql`` : sql` and p.issuer_of_patient_id = ${issuer}`;
    const otherIssuer = issuer === undefined ? sql`` : sql` and i.issuer = ${issuer}`;
    // A union of two index lookups: an `or` across the two tables would scan every patient.
    parts.push(
      sql<SqlBool>`patient.id in (select p.id from patient p where p.patient_id = ${value}${primaryIssuer} union select i.patient_ref from patient_identifier i where i.value = ${value}${otherIssuer})`,
    );
  }
  if (plan.birthDate?.from !== undefined)
    parts.push(sql<SqlBool>`patient.birth_date >= ${plan.birthDate.from}`);
  if (plan.birthDate?.to !== undefined) parts.push(sql<SqlBool>`patient.birth_date <= ${plan.birthDate.to}`);
  if (plan.updated?.from !== undefined) parts.push(sql<SqlBool>`patient.updated_at >= ${plan.updated.from}`);
  if (plan.updated?.to !== undefined) parts.push(sql<SqlBool>`patient.updated_at < ${plan.updated.to}`);
  return parts;
}
