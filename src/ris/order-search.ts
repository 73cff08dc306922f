import { invalid } from '../platform/errors.js';
import type { OrderSearchPlan } from './order-search-repo.js';
import { parseOrderStatus } from './order-status.js';
import { positiveId } from './order.js';

export const DEFAULT_ORDER_LIMIT = 50;
export const MAX_ORDER_LIMIT = 1000;

/**
 * An order search as a door gives it. Dates are YYYY-MM-DD (a whole UTC day) or ISO 8601 instants with an
 * offset; `…From` is inclusive, `…To` inclusive of a whole day and exclusive of an instant.
 */
export interface OrderSearch {
  status?: string[];
  patientRef?: number;
  accessionNumber?: string;
  orderedFrom?: string;
  orderedTo?: string;
  scheduledFrom?: string;
  scheduledTo?: string;
  /** Last changed (any change: status, booking, details), as the other ranges. */
  updatedFrom?: string;
  updatedTo?: string;
  /** The page's order, key by key: when placed or last changed (default: newest placed first). */
  order?: { by: 'ordered' | 'updated'; descending: boolean }[];
  limit?: number;
  offset?: number;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/** An ISO 8601 instant with its offset as UTC text (the form stored); anything else is invalid. */
export function parseInstant(what: string, value: string): Date {
  const ms = INSTANT.test(value) ? Date.parse(value) : NaN;
  if (Number.isNaN(ms)) throw invalid(`${what} '${value}' is not an ISO 8601 date-time with offset`);
  return new Date(ms);
}

function bound(what: string, value: string | undefined, end: boolean): string | undefined {
  if (value === undefined) return undefined;
  if (DATE.test(value)) {
    const day = Date.parse(`${value}T00:00:00Z`);
    if (Number.isNaN(day)) throw invalid(`${what} '${value}' is not a date`);
    return new Date(end ? day + 86_400_000 : day).toISOString();
  }
  return parseInstant(what, value).toISOString();
}

export function planOrderSearch(search: OrderSearch): OrderSearchPlan {
  const limit = search.limit ?? DEFAULT_ORDER_LIMIT;
  const offset = search.offset ?? 0;
  if (!Number.isInteger(limit) || limit < 0 || limit > MAX_ORDER_LIMIT) {
    throw invalid(`limit must be a whole number from 0 to ${MAX_ORDER_LIMIT}`);
  }
  if (!Number.isInteger(offset) || offset < 0) throw invalid('offset must be a non-negative whole number');
  return {
    statuses: search.status?.flatMap((s) => s.split(',')).map((s) => parseOrderStatus(s.trim())),
    patientRef: search.patientRef === undefined ? undefined : positiveId('patientRef', search.patientRef),
    accessionNumber: search.accessionNumber,
    ordered: {
      from: bound('orderedFrom', search.orderedFrom, false),
      to: bound('orderedTo', search.orderedTo, true),
    },
    scheduled: {
      from: bound('scheduledFrom', search.scheduledFrom, false),
      to: bound('scheduledTo', search.scheduledTo, true),
    },
    updated: {
      from: bound('updatedFrom', search.updatedFrom, false),
      to: bound('updatedTo', search.updatedTo, true),
    },
    ...(search.order?.length ? { order: search.order.map(orderKey) } : {}),
    limit,
    offset,
  };
}

function orderKey(o: { by: string; descending: boolean }) {
  if (o.by !== 'ordered' && o.by !== 'updated') throw invalid(`cannot order orders by '${o.by}'`);
  return {
    column: o.by === 'ordered' ? ('o.created_at' as const) : ('o.updated_at' as const),
    descending: o.descending,
  };
}
