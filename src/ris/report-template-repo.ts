import { nowIso } from '../platform/db/index.js';
import type { ProcedureId } from './ids.js';
import type { ReportSection } from './report.js';
import type { ReportTemplate, ValidTemplate } from './report-template.js';
import type { ReportDb, ReportTables } from './report-tables.js';

const toTemplate = (r: ReportTables['report_template']): ReportTemplate => ({
  id: r.id!,
  procedureId: r.procedure_ref as ProcedureId | null,
  name: r.name,
  sections: JSON.parse(r.sections) as ReportSection[],
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

/** Templates of a procedure (and those for any procedure), or all when no procedure is given. */
export async function listTemplates(db: ReportDb, procedureId?: number): Promise<ReportTemplate[]> {
  let query = db.selectFrom('report_template').selectAll();
  if (procedureId !== undefined) {
    query = query.where((eb) =>
      eb.or([eb('procedure_ref', '=', procedureId), eb('procedure_ref', 'is', null)]),
    );
  }
  // The procedure's own before the general ones; then by id, so the first is the oldest.
  const rows = await query
    .orderBy('procedure_ref', (ob) => ob.desc().nullsLast())
    .orderBy('id')
    .execute();
  return rows.map(toTemplate);
}

export async function findTemplate(db: ReportDb, id: number): Promise<ReportTemplate | undefined> {
  const row = await db.selectFrom('report_template').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toTemplate(row);
}

export async function insertTemplate(db: ReportDb, t: ValidTemplate): Promise<number> {
  const now = nowIso();
  const row = await db
    .insertInto('report_template')
    .values({
      procedure_ref: t.procedureId,
      name: t.name,
      sections: JSON.stringify(t.sections),
      created_at: now,
      updated_at: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id!;
}

export async function updateTemplate(db: ReportDb, id: number, t: ValidTemplate): Promise<boolean> {
  const result = await db
    .updateTable('report_template')
    .set({
      procedure_ref: t.procedureId,
      name: t.name,
      sections: JSON.stringify(t.sections),
      updated_at: nowIso(),
    })
    .where('id', '=', id)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function deleteTemplate(db: ReportDb, id: number): Promise<boolean> {
  const result = await db.deleteFrom('report_template').where('id', '=', id).executeTakeFirst();
  return Number(result.numDeletedRows) === 1;
}
