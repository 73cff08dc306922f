import { nowIso } from '../platform/db/index.js';
import type { ProcedureId } from './ids.js';
import type { ChargeCode, Procedure, ValidProcedure } from './procedure.js';
import type { RisExecutor } from './ris-transaction.js';

export async function listProcedures(db: RisExecutor, ids?: readonly number[]): Promise<Procedure[]> {
  if (ids !== undefined && ids.length === 0) return [];
  let query = db.selectFrom('procedure_code').selectAll();
  if (ids !== undefined) query = query.where('id', 'in', ids);
  const rows = await query.orderBy('modality').orderBy('code').orderBy('id').execute();
  if (rows.length === 0) return [];
  const charges = await db
    .selectFrom('procedure_charge')
    .selectAll()
    .where(
      'procedure_ref',
      'in',
      rows.map((r) => r.id!),
    )
    .orderBy('procedure_ref')
    .orderBy('position')
    .execute();
  const byProcedure = new Map<number, ChargeCode[]>();
  for (const c of charges) {
    const list = byProcedure.get(c.procedure_ref) ?? [];
    list.push({
      code: c.charge_code,
      codingScheme: c.coding_scheme,
      modifiers: c.modifiers === '' ? [] : c.modifiers.split(','),
      quantity: c.quantity,
    });
    byProcedure.set(c.procedure_ref, list);
  }
  return rows.map((r) => ({
    id: r.id! as ProcedureId,
    code: r.code,
    codingScheme: r.coding_scheme,
    meaning: r.meaning,
    modality: r.modality,
    bodyPart: r.body_part,
    durationMinutes: r.duration_minutes,
    charges: byProcedure.get(r.id!) ?? [],
  }));
}

export async function findProcedure(db: RisExecutor, id: number): Promise<Procedure | undefined> {
  return (await listProcedures(db, [id]))[0];
}

export async function findProcedureByCode(db: RisExecutor, codingScheme: string, code: string) {
  const row = await db
    .selectFrom('procedure_code')
    .select('id')
    .where('coding_scheme', '=', codingScheme)
    .where('code', '=', code)
    .executeTakeFirst();
  return row?.id as ProcedureId | undefined;
}

export async function insertProcedure(db: RisExecutor, procedure: ValidProcedure): Promise<ProcedureId> {
  const now = nowIso();
  const row = await db
    .insertInto('procedure_code')
    .values({
      code: procedure.code,
      coding_scheme: procedure.codingScheme,
      meaning: procedure.meaning,
      modality: procedure.modality,
      body_part: procedure.bodyPart,
      duration_minutes: procedure.durationMinutes,
      created_at: now,
      updated_at: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await insertCharges(db, row.id!, procedure.charges);
  return row.id! as ProcedureId;
}

/** Replaces the entry and its charge lines; false when there is no such entry. */
export async function updateProcedure(db: RisExecutor, id: number, procedure: ValidProcedure) {
  const result = await db
    .updateTable('procedure_code')
    .set({
      code: procedure.code,
      coding_scheme: procedure.codingScheme,
      meaning: procedure.meaning,
      modality: procedure.modality,
      body_part: procedure.bodyPart,
      duration_minutes: procedure.durationMinutes,
      updated_at: nowIso(),
    })
    .where('id', '=', id)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) === 0) return false;
  await db.deleteFrom('procedure_charge').where('procedure_ref', '=', id).execute();
  await insertCharges(db, id, procedure.charges);
  return true;
}

export async function deleteProcedure(db: RisExecutor, id: number): Promise<boolean> {
  const result = await db.deleteFrom('procedure_code').where('id', '=', id).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

async function insertCharges(db: RisExecutor, procedureRef: number, charges: ChargeCode[]) {
  if (charges.length === 0) return;
  await db
    .insertInto('procedure_charge')
    .values(
      charges.map((c, position) => ({
        procedure_ref: procedureRef,
        position,
        charge_code: c.code,
        coding_scheme: c.codingScheme,
        modifiers: c.modifiers.join(','),
        quantity: c.quantity,
      })),
    )
    .execute();
}
