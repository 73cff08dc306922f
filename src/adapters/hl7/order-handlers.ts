import type { Hl7Message, Segment } from '../../lib/hl7v2/index.js';
import type { RequestContext } from '../../platform/context.js';
import { notFound } from '../../platform/errors.js';
import type { Order, Priority } from '../../ris/index.js';
import { findPatient, type Hl7Services } from './hl7-services.js';
import { Hl7Refusal } from './hl7-refusal.js';
import { patientIdentifiers } from './pid-demographics.js';

// ORM^O01 (HL7 v2.5.1 4.4.1) and OMI^O23 (4.4.10) → RIS orders. ORC-1 (table 0119) says what to do:
// NW new order, CA/DC cancel, SC status changed, XO change (priority, reason, provider, procedure).
// Lantern is the filler: its accession number is the filler order number (ORC-3).

// TQ priority (table 0027): S stat, A asap, R routine; others (P, C, T) are routine here.
const PRIORITY: Record<string, Priority> = { S: 'STAT', A: 'URGENT', R: 'ROUTINE' };

// ORC-5 order status (table 0038) → the RIS status an SC message asks for.
const STATUS: Record<string, string> = {
  CA: 'cancelled',
  DC: 'discontinued',
  IP: 'in-progress',
  CM: 'completed',
};

interface OrderGroup {
  orc: Segment;
  obr: Segment | undefined;
  tq1: Segment | undefined;
}

/** Each ORC with the OBR (and TQ1) that follow it, before the next ORC. */
function orderGroups(message: Hl7Message): OrderGroup[] {
  const groups: OrderGroup[] = [];
  for (const segment of message.segments) {
    if (segment.name === 'ORC') groups.push({ orc: segment, obr: undefined, tq1: undefined });
    const current = groups[groups.length - 1];
    if (current && segment.name === 'OBR') current.obr ??= segment;
    if (current && segment.name === 'TQ1') current.tq1 ??= segment;
  }
  return groups;
}

async function orderPatient(ctx: RequestContext, message: Hl7Message, services: Hl7Services) {
  const pid = message.segment('PID');
  const [id] = pid ? patientIdentifiers(pid) : [];
  if (!id) throw new Hl7Refusal('PID-3 holds no patient identifier', 'requiredFieldMissing', 'PID-3');
  const patient = await findPatient(ctx, services.patients, id);
  // Not registered yet: its ADT may still come, so this is retried (not-found), then dead-lettered.
  if (!patient) throw notFound('patient (PID-3)', id.value);
  return patient;
}

/** The order an ORC names: by filler order number (our accession, ORC-3), else placer number (ORC-2). */
async function findOrder(
  ctx: RequestContext,
  services: Hl7Services,
  group: OrderGroup,
  patientRef: number,
): Promise<Order> {
  const filler = group.orc.value(3) || group.obr?.value(3) || '';
  const placer = group.orc.value(2) || group.obr?.value(2) || '';
  if (filler) {
    const { orders } = await services.ris.orders.search(ctx, { accessionNumber: filler, limit: 1 });
    if (orders[0]) return orders[0];
  }
  if (placer) {
    const { orders } = await services.ris.orders.search(ctx, { patientRef, limit: 1000 });
    const order = orders.find((o) => o.placerOrderNumber === placer);
    if (order) return order;
  }
  throw new Hl7Refusal(
    `no order with filler number '${filler}' or placer number '${placer}'`,
    'unknownKeyIdentifier',
    'ORC-2',
  );
}

async function newOrder(
  ctx: RequestContext,
  services: Hl7Services,
  group: OrderGroup,
  patientRef: number,
): Promise<string> {
  const { orc, obr } = group;
  if (!obr) throw new Hl7Refusal('an NW order needs an OBR segment', 'segmentSequence', 'OBR-1');
  const placerOrderNumber = orc.value(2) || obr.value(2) || undefined;
  // Idempotent: a resent NW (or a replay) finds the order it placed the first time.
  if (placerOrderNumber) {
    const { orders } = await services.ris.orders.search(ctx, { patientRef, limit: 1000 });
    const placed = orders.find((o) => o.placerOrderNumber === placerOrderNumber);
    if (placed)
      return `order ${placed.id} (${placed.accessionNumber}) exists for placer number ${placerOrderNumber}`;
  }
  const procedure = await orderedProcedure(ctx, services, obr);
  const priorityCode = priorityOf(group);
  const order = await services.ris.orders.place(ctx, {
    patientRef,
    procedureId: procedure.id,
    placerOrderNumber,
    // OBR-18 (placer field 1) is where many EMRs put an accession number they assigned.
    ...(obr.value(18) ? { accessionNumber: obr.value(18) } : {}),
    priority: PRIORITY[priorityCode.toUpperCase()] ?? 'ROUTINE',
    reason: reasonOf(obr),
    orderingProvider: providerOf(group),
  });
  return `order ${order.id} (${order.accessionNumber}) placed`;
}

/** The catalogue procedure of OBR-4 (code, and coding system OBR-4.3 when sent). */
async function orderedProcedure(ctx: RequestContext, services: Hl7Services, obr: Segment) {
  const code = obr.value(4, 1);
  const scheme = obr.value(4, 3);
  const procedure = (await services.ris.procedures.list(ctx)).find(
    (p) => p.code === code && (scheme === '' || p.codingScheme === scheme),
  );
  if (!procedure) {
    const named = scheme ? `${code} (${scheme})` : code || '(empty)';
    throw new Hl7Refusal(`procedure ${named} (OBR-4) is not in the catalogue`, 'tableValueNotFound', 'OBR-4');
  }
  return procedure;
}

// 2.5 carries priority in TQ1-9; older senders in ORC-7.6 or OBR-27.6.
const priorityOf = ({ orc, obr, tq1 }: OrderGroup) =>
  tq1?.value(9) || orc.value(7, 6) || obr?.value(27, 6) || '';

const reasonOf = (obr: Segment) => obr.value(31, 2) || obr.value(31, 1) || undefined;

/** ORC-12 (or OBR-16) XCN: id, family^given. Undefined when neither is sent. */
function providerOf({ orc, obr }: OrderGroup): { id?: string; name?: string } | undefined {
  const provider = orc.field(12).isEmpty ? obr?.field(16) : orc.field(12);
  if (!provider || provider.isEmpty) return undefined;
  const name = [provider.component(2), provider.component(3)].filter(Boolean).join('^');
  return {
    ...(provider.component(1) ? { id: provider.component(1) } : {}),
    ...(name ? { name } : {}),
  };
}

/**
 * XO (4.5.1.1, table 0119: change order/service request): the fields the message carries replace the
 * order's; the ones it leaves empty stay. Refused (AE) once the exam is in progress.
 */
async function changedOrder(
  ctx: RequestContext,
  services: Hl7Services,
  group: OrderGroup,
  patientRef: number,
): Promise<string> {
  const order = await findOrder(ctx, services, group, patientRef);
  const priorityCode = priorityOf(group).toUpperCase();
  const reason = group.obr ? reasonOf(group.obr) : undefined;
  const provider = providerOf(group);
  const procedure =
    group.obr && group.obr.value(4, 1) ? await orderedProcedure(ctx, services, group.obr) : undefined;
  const changed = await services.ris.changeOrder(ctx, order.id, {
    ...(PRIORITY[priorityCode] ? { priority: PRIORITY[priorityCode] } : {}),
    ...(reason !== undefined ? { reason } : {}),
    ...(provider ? { orderingProvider: provider } : {}),
    ...(procedure ? { procedureId: procedure.id } : {}),
  });
  return `order ${changed.id} changed`;
}

export async function handleOrder(
  ctx: RequestContext,
  message: Hl7Message,
  services: Hl7Services,
): Promise<string> {
  const groups = orderGroups(message);
  if (groups.length === 0) throw new Hl7Refusal('the message has no ORC segment', 'segmentSequence', 'ORC-1');
  const patient = await orderPatient(ctx, message, services);
  const outcomes: string[] = [];
  for (const group of groups) {
    const control = group.orc.value(1).toUpperCase();
    switch (control) {
      case 'NW':
        outcomes.push(await newOrder(ctx, services, group, patient.id));
        break;
      case 'CA':
      case 'DC': {
        const order = await findOrder(ctx, services, group, patient.id);
        if (order.status === 'cancelled' || order.status === 'discontinued') {
          outcomes.push(`order ${order.id} was ${order.status} already`);
          break;
        }
        const to = order.status === 'in-progress' ? 'discontinued' : 'cancelled';
        const reason = group.orc.value(16, 2) || group.orc.value(16, 1) || `HL7 ORC-1 ${control}`;
        await services.ris.orders.transition(ctx, order.id, to, reason);
        outcomes.push(`order ${order.id} ${to}`);
        break;
      }
      case 'SC': {
        const order = await findOrder(ctx, services, group, patient.id);
        const status = STATUS[group.orc.value(5).toUpperCase()];
        if (!status) {
          throw new Hl7Refusal(
            `order status '${group.orc.value(5)}' (ORC-5) is not one Lantern acts on`,
            'tableValueNotFound',
            'ORC-5',
          );
        }
        if (order.status !== status)
          await services.ris.orders.transition(ctx, order.id, status, 'HL7 ORC-1 SC');
        outcomes.push(`order ${order.id} ${status}`);
        break;
      }
      case 'XO':
        outcomes.push(await changedOrder(ctx, services, group, patient.id));
        break;
      default:
        throw new Hl7Refusal(
          `order control '${control}' (ORC-1) is not supported`,
          'tableValueNotFound',
          'ORC-1',
        );
    }
  }
  return outcomes.join('; ');
}
