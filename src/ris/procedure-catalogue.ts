import type { RequestContext } from '../platform/context.js';
import { conflict, notFound } from '../platform/errors.js';
import { DEFAULT_PROCEDURES } from './default-procedures.js';
import type { ProcedureId } from './ids.js';
import { validateProcedure, type Procedure, type ProcedureInput } from './procedure.js';
import {
  deleteProcedure,
  findProcedure,
  findProcedureByCode,
  insertProcedure,
  listProcedures,
  updateProcedure,
} from './procedure-repo.js';
import type { RisDeps } from './ris-deps.js';
import { auditedChange, auditedRead, withConstraints } from './ris-transaction.js';

const duplicateCode = (p: { codingScheme: string; code: string }) => () =>
  conflict(`procedure ${p.codingScheme} ${p.code} is already in the catalogue`);

/** The procedure catalogue: what can be ordered, for how long it books a room, and what it bills. */
export function createProcedureCatalogue(deps: RisDeps) {
  return {
    list: (ctx: RequestContext) =>
      auditedRead(deps, ctx, { action: 'procedure.list' }, (db) => listProcedures(db)),

    get: (ctx: RequestContext, id: ProcedureId) =>
      auditedRead(deps, ctx, { action: 'procedure.read', detail: { id } }, async (db) => {
        const procedure = await findProcedure(db, id);
        if (!procedure) throw notFound('procedure', String(id));
        return procedure;
      }),

    create: (ctx: RequestContext, input: ProcedureInput): Promise<Procedure> =>
      auditedChange(
        deps,
        ctx,
        { action: 'procedure.create', detail: { code: input.code, codingScheme: input.codingScheme } },
        async (trx) => {
          const valid = validateProcedure(input);
          const id = await withConstraints(() => insertProcedure(trx, valid), {
            unique: duplicateCode(valid),
          });
          return { id, ...valid };
        },
        (p) => ({ detail: { id: p.id } }),
      ),

    update: (ctx: RequestContext, id: ProcedureId, input: ProcedureInput): Promise<Procedure> =>
      auditedChange(deps, ctx, { action: 'procedure.update', detail: { id } }, async (trx) => {
        const valid = validateProcedure(input);
        const found = await withConstraints(() => updateProcedure(trx, id, valid), {
          unique: duplicateCode(valid),
        });
        if (!found) throw notFound('procedure', String(id));
        return { id, ...valid };
      }),

    /** Entries that orders refer to stay: the order's meaning must not change under it. */
    remove: (ctx: RequestContext, id: ProcedureId): Promise<void> =>
      auditedChange(deps, ctx, { action: 'procedure.delete', detail: { id } }, async (trx) => {
        const found = await withConstraints(() => deleteProcedure(trx, id), {
          foreignKey: () => conflict(`procedure ${id} is used by orders; it cannot be removed`),
        });
        if (!found) throw notFound('procedure', String(id));
      }),

    /** Adds the default entries the catalogue lacks (by coding scheme and code); returns those added. */
    seedDefaults: (ctx: RequestContext): Promise<Procedure[]> =>
      auditedChange(
        deps,
        ctx,
        { action: 'procedure.seed' },
        async (trx) => {
          const added: Procedure[] = [];
          for (const input of DEFAULT_PROCEDURES) {
            const valid = validateProcedure(input);
            if ((await findProcedureByCode(trx, valid.codingScheme, valid.code)) !== undefined) continue;
            added.push({ id: await insertProcedure(trx, valid), ...valid });
          }
          return added;
        },
        (added) => ({ detail: { added: added.map((p) => p.code) } }),
      ),
  };
}

export type ProcedureCatalogue = ReturnType<typeof createProcedureCatalogue>;
