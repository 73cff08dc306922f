import type { RequestContext } from '../platform/context.js';
import { invalid, notFound } from '../platform/errors.js';
import { positiveId } from './order.js';
import type { ReportTemplate, ReportTemplateInput } from './report-template.js';
import { validateTemplate } from './report-template.js';
import {
  deleteTemplate,
  findTemplate,
  insertTemplate,
  listTemplates,
  updateTemplate,
} from './report-template-repo.js';
import { reportDb } from './report-tables.js';
import type { RisDeps } from './ris-deps.js';
import { auditedChange, auditedRead, withConstraints } from './ris-transaction.js';

/** Report templates: CRUD, audited like the catalogue. */
export function createReportTemplates(deps: RisDeps) {
  const load = async (db: Parameters<typeof findTemplate>[0], id: number) => {
    const template = await findTemplate(db, id);
    if (!template) throw notFound('report template', String(id));
    return template;
  };
  const unknownProcedure = (procedureId: number | null) => () =>
    invalid(`procedure ${procedureId} is not in the catalogue`);
  return {
    list: (ctx: RequestContext, procedureId?: number): Promise<ReportTemplate[]> =>
      auditedRead(deps, ctx, { action: 'report-template.list', detail: { procedureId } }, (db) =>
        listTemplates(
          reportDb(db),
          procedureId === undefined ? undefined : positiveId('procedureId', procedureId),
        ),
      ),

    get: (ctx: RequestContext, id: number) =>
      auditedRead(deps, ctx, { action: 'report-template.read', detail: { id } }, (db) =>
        load(reportDb(db), id),
      ),

    create: (ctx: RequestContext, input: ReportTemplateInput) =>
      auditedChange(
        deps,
        ctx,
        { action: 'report-template.create', detail: { name: input.name, procedureId: input.procedureId } },
        async (trx) => {
          const template = validateTemplate(input);
          const db = reportDb(trx);
          const id = await withConstraints(() => insertTemplate(db, template), {
            foreignKey: unknownProcedure(template.procedureId),
          });
          return load(db, id);
        },
        (t) => ({ detail: { id: t.id } }),
      ),

    update: (ctx: RequestContext, id: number, input: ReportTemplateInput) =>
      auditedChange(deps, ctx, { action: 'report-template.update', detail: { id } }, async (trx) => {
        const template = validateTemplate(input);
        const db = reportDb(trx);
        const updated = await withConstraints(() => updateTemplate(db, id, template), {
          foreignKey: unknownProcedure(template.procedureId),
        });
        if (!updated) throw notFound('report template', String(id));
        return load(db, id);
      }),

    remove: (ctx: RequestContext, id: number): Promise<void> =>
      auditedChange(deps, ctx, { action: 'report-template.delete', detail: { id } }, async (trx) => {
        if (!(await deleteTemplate(reportDb(trx), id))) throw notFound('report template', String(id));
      }),
  };
}

export type ReportTemplates = ReturnType<typeof createReportTemplates>;
