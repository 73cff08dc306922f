import { invalid } from '../platform/errors.js';
import type { OrderId } from './ids.js';
import type { ChargeCode } from './procedure.js';

/** A billing line of one exam, copied from the catalogue when the exam completed, editable until released. */
export interface ChargeLine extends ChargeCode {
  id: number;
  position: number;
  /** When the exam was completed (the date of service). */
  serviceAt: string;
  releasedAt: string | null;
  releasedBy: string | null;
}

/** open: editable · released: locked, handed to billing · none: nothing billed (yet). */
export type ChargeStatus = 'none' | 'open' | 'released';

export interface OrderCharges {
  orderId: OrderId;
  accessionNumber: string;
  status: ChargeStatus;
  lines: ChargeLine[];
}

export const chargeStatus = (lines: readonly ChargeLine[]): ChargeStatus =>
  lines.length === 0 ? 'none' : lines.some((l) => l.releasedAt !== null) ? 'released' : 'open';

const MAX_LINES = 100;

function codeText(what: string, value: unknown, max: number): string {
  const s = typeof value === 'string' ? value.trim() : '';
  if (s.length === 0 || s.length > max || /\p{Cc}/u.test(s)) {
    throw invalid(`${what} must be 1 to ${max} characters without control characters`);
  }
  return s;
}

/** Checks a whole set of lines as an editor sends it (the same rules as the catalogue's charge codes). */
export function validateChargeLines(lines: unknown): ChargeCode[] {
  if (!Array.isArray(lines) || lines.length > MAX_LINES) {
    throw invalid(`lines must be a list of at most ${MAX_LINES} charge lines`);
  }
  return lines.map((line: Partial<ChargeCode>, i) => {
    const quantity = line?.quantity ?? 1;
    if (!Number.isInteger(quantity) || quantity < 1 || quantity > 999) {
      throw invalid(`lines[${i}].quantity must be a whole number from 1 to 999`);
    }
    const modifiers = (line?.modifiers ?? []).map((m) => String(m).trim().toUpperCase());
    for (const modifier of modifiers) {
      if (!/^[A-Z0-9]{1,4}$/.test(modifier)) {
        throw invalid(`lines[${i}]: modifier '${modifier}' must be 1 to 4 letters or digits`);
      }
    }
    return {
      code: codeText(`lines[${i}].code`, line?.code, 32),
      codingScheme: codeText(`lines[${i}].codingScheme`, line?.codingScheme, 16),
      modifiers,
      quantity,
    };
  });
}

/** A billing period: [from, to) of service instants; a bare date means its UTC midnight. */
export function parsePeriod(from: string, to: string): { from: string; to: string } {
  const instant = (what: string, value: string) => {
    const text = /^\d{4}-\d\d-\d\d$/.test(value) ? `${value}T00:00:00Z` : value;
    const ms = /^\d{4}-\d\d-\d\dT/.test(text) ? Date.parse(text) : NaN;
    if (Number.isNaN(ms))
      throw invalid(`${what} must be a date (YYYY-MM-DD) or an ISO 8601 instant, got '${value}'`);
    return new Date(ms).toISOString();
  };
  const period = { from: instant('from', from), to: instant('to', to) };
  if (period.from >= period.to) throw invalid('from must be before to');
  return period;
}
