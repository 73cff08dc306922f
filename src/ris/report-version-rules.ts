import { LanternError, conflict } from '../platform/errors.js';
import type { OrderStatus } from './order-status.js';
import type { ReportSection, ReportVersion } from './report.js';

// The rules of report versions, apart from storage so that each can be tested alone. Every refusal is a
// conflict (or forbidden) whose message says what the report or order is and what to do instead.

const NOT_DONE: readonly OrderStatus[] = ['ordered', 'scheduled', 'arrived', 'in-progress'];

/** An exam is reported once performed; a cancelled or discontinued one never. */
export function assertReportable(orderStatus: OrderStatus): void {
  if (NOT_DONE.includes(orderStatus)) {
    throw conflict(`order is ${orderStatus}; the exam is not completed, so it cannot be reported yet`, {
      current: orderStatus,
    });
  }
  if (orderStatus === 'cancelled' || orderStatus === 'discontinued') {
    throw conflict(`order is ${orderStatus}; a ${orderStatus} exam is not reported`, {
      current: orderStatus,
    });
  }
}

/** A new draft: the first version, or a revision of a preliminary report; never over a draft or a final. */
export function assertNewDraft(orderStatus: OrderStatus, head: ReportVersion | undefined): void {
  assertReportable(orderStatus);
  if (!head) return;
  if (head.status === 'draft') {
    throw conflict(`report version ${head.version} is a draft; edit it instead of starting another`);
  }
  if (head.status === 'final') {
    throw conflict(`report version ${head.version} is final; amend it (amendment or addendum) instead`);
  }
}

/** Only the draft at the head changes, and only by its author. */
export function assertEditable(
  head: ReportVersion | undefined,
  actor: { kind: string; id: string },
): ReportVersion {
  if (!head) throw conflict('the order has no report yet; start a draft first');
  if (head.status !== 'draft') {
    throw conflict(`report version ${head.version} is ${head.status}; signed versions never change`);
  }
  if (head.author.kind !== actor.kind || head.author.id !== actor.id) {
    throw new LanternError(
      'forbidden',
      `report version ${head.version} is a draft of ${head.author.kind}:${head.author.id}; only its author edits it`,
    );
  }
  return head;
}

/**
 * What signing the head version `as` makes of the order: preliminary or final for the original report,
 * amended for an amendment or addendum (always signed final). The order's own state machine then
 * refuses what does not follow (e.g. a second preliminary after the first).
 */
export function signingTarget(
  orderStatus: OrderStatus,
  head: ReportVersion | undefined,
  as: 'preliminary' | 'final',
): OrderStatus {
  assertReportable(orderStatus);
  if (!head) throw conflict('the order has no report yet; start a draft first');
  if (head.status === 'final') {
    throw conflict(`report version ${head.version} is already final; amend it to change it`);
  }
  if (head.status === 'preliminary' && as === 'preliminary') {
    throw conflict(`report version ${head.version} is already preliminary; sign it final`);
  }
  if (head.kind !== 'original') {
    if (as !== 'final') throw conflict(`an ${head.kind} is signed final, not ${as}`);
    return 'amended';
  }
  return as;
}

/** An amendment or addendum follows a final report only. */
export function assertAmendable(head: ReportVersion | undefined): ReportVersion {
  if (!head) throw conflict('the order has no report yet; there is nothing to amend');
  if (head.status !== 'final') {
    throw conflict(`report version ${head.version} is ${head.status}; only a final report is amended`);
  }
  return head;
}

/** An addendum keeps what was signed before it word for word and only adds sections below. */
export function assertKeepsSigned(
  signed: readonly ReportSection[],
  sections: readonly ReportSection[],
): void {
  const same = signed.every(
    (s, i) => sections[i] !== undefined && sections[i].title === s.title && sections[i].text === s.text,
  );
  if (!same || sections.length <= signed.length) {
    throw conflict('an addendum keeps the signed sections unchanged and adds at least one after them');
  }
}
