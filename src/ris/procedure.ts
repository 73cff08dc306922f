import { invalid } from '../platform/errors.js';
import type { ProcedureId } from './ids.js';

/** A billing line of a procedure: a charge code (CPT-style) with its modifiers and quantity. */
export interface ChargeCode {
  code: string;
  codingScheme: string;
  modifiers: string[];
  quantity: number;
}

/** What a user or the seed gives for a catalogue entry. */
export interface ProcedureInput {
  code: string;
  /** DICOM Coding Scheme Designator: 'RADLEX' (Playbook RPIDs), 'C4' (CPT-4), '99…' for local codes. */
  codingScheme: string;
  meaning: string;
  modality: string;
  bodyPart?: string | null;
  durationMinutes: number;
  charges?: Partial<ChargeCode>[];
}

/** A requested procedure in the catalogue: what an order asks for, how long it takes, what it bills. */
export interface Procedure {
  id: ProcedureId;
  code: string;
  codingScheme: string;
  meaning: string;
  modality: string;
  bodyPart: string | null;
  durationMinutes: number;
  charges: ChargeCode[];
}

export type ValidProcedure = Omit<Procedure, 'id'>;

const MAX_DURATION_MINUTES = 24 * 60;

/** A DICOM Code String (CS, PS3.5 6.2): upper-case letters, digits, space and underscore, at most 16. */
export function codeString(what: string, value: string): string {
  const text = value.trim();
  if (!/^[A-Z0-9_ ]{1,16}$/.test(text)) {
    throw invalid(`${what} '${value}' must be 1 to 16 upper-case letters, digits, spaces or underscores`);
  }
  return text;
}

function text(what: string, value: unknown, max: number): string {
  const s = typeof value === 'string' ? value.trim() : '';
  if (s.length === 0 || s.length > max || /[\\\p{Cc}]/u.test(s)) {
    throw invalid(`${what} must be 1 to ${max} characters without backslash or control characters`);
  }
  return s;
}

/** Checks a catalogue entry against the DICOM value representations it will be sent in (Code Sequence). */
export function validateProcedure(input: ProcedureInput): ValidProcedure {
  const duration = input.durationMinutes;
  if (!Number.isInteger(duration) || duration < 1 || duration > MAX_DURATION_MINUTES) {
    throw invalid(`durationMinutes must be a whole number from 1 to ${MAX_DURATION_MINUTES}`);
  }
  return {
    code: text('code', input.code, 64),
    codingScheme: text('codingScheme', input.codingScheme, 16),
    meaning: text('meaning', input.meaning, 64),
    modality: codeString('modality', input.modality),
    bodyPart: input.bodyPart ? codeString('bodyPart', input.bodyPart) : null,
    durationMinutes: duration,
    charges: (input.charges ?? []).map(validateCharge),
  };
}

function validateCharge(charge: Partial<ChargeCode>, index: number): ChargeCode {
  const quantity = charge.quantity ?? 1;
  if (!Number.isInteger(quantity) || quantity < 1 || quantity > 999) {
    throw invalid(`charges[${index}].quantity must be a whole number from 1 to 999`);
  }
  const modifiers = (charge.modifiers ?? []).map((m) => m.trim().toUpperCase());
  for (const modifier of modifiers) {
    if (!/^[A-Z0-9]{1,4}$/.test(modifier)) {
      throw invalid(`charges[${index}]: modifier '${modifier}' must be 1 to 4 letters or digits`);
    }
  }
  return {
    code: text(`charges[${index}].code`, charge.code, 32),
    codingScheme: text(`charges[${index}].codingScheme`, charge.codingScheme, 16),
    modifiers,
    quantity,
  };
}
