// Set-up shared by the reading, report and charge tests: readers with names, orders driven to completion.
import { createContext, type RequestContext } from '../platform/context.js';
import { silentLogger } from '../platform/log/index.js';
import type { OrderId, ProcedureId } from './ids.js';
import type { Priority } from './order.js';
import type { RisFixture } from './ris-test-fixture.js';

/** A request context of a named user (a radiologist unless other roles are given, e.g. 'administrator'). */
export const userContext = (id: string, roles: string[] = ['radiologist']): RequestContext =>
  createContext(silentLogger(), { kind: 'user', id, roles }, { door: 'api' });

/** Places an order and walks it ordered → arrived → in-progress → completed. */
export async function completedOrder(
  f: RisFixture,
  patientId: string,
  procedureId: ProcedureId,
  priority: Priority = 'ROUTINE',
): Promise<OrderId> {
  const order = await f.ris.orders.place(f.ctx, {
    patientRef: await f.patient(patientId),
    procedureId,
    priority,
  });
  for (const to of ['arrived', 'in-progress', 'completed'])
    await f.ris.orders.transition(f.ctx, order.id, to);
  return order.id;
}

/** Moves the recorded completion of an order `minutes` into the past, to give it an age on the worklist. */
export async function ageCompletion(f: RisFixture, orderId: OrderId, minutes: number): Promise<void> {
  const at = new Date(Date.now() - minutes * 60_000).toISOString();
  await f.database.kysely
    .updateTable('order_status_history')
    .set({ occurred_at: at })
    .where('order_ref', '=', orderId)
    .where('to_status', '=', 'completed')
    .execute();
}
