import {
  dictionaryVr,
  isPersonName,
  personNameToText,
  readDataset,
  type DataElements,
  type ElementValue,
} from '../../lib/dicom/index.js';
import { DimseError, Status } from '../../lib/dimse/index.js';
import { LEVELS, type QueryLevel } from '../../archive/index.js';

const QUERY_RETRIEVE_LEVEL = '00080052';
const SPECIFIC_CHARACTER_SET = '00080005';

/** A C-FIND/C-MOVE/C-GET identifier (PS3.4 C.4): its level and its attributes with values as matching strings. */
export interface Identifier {
  level: QueryLevel;
  /** Every attribute of the identifier by tag (Query/Retrieve Level and character set aside). */
  values: Map<string, string>;
  /** The requested attributes with their VRs: what each response carries (PS3.4 C.4.1.1.3.2). */
  requested: Map<string, string>;
}

/** Refuses an identifier the service cannot use, with the status PS3.4 C.4.1.1.4 gives it. */
export const identifierError = (message: string) =>
  new DimseError('status', message, { status: Status.IdentifierDoesNotMatchSopClass });

/** Decodes an identifier (its Specific Character Set applied) into matching strings. */
export function readIdentifier(bytes: Uint8Array, transferSyntaxUid: string): Identifier {
  let elements: DataElements;
  try {
    elements = readDataset(bytes, { transferSyntaxUid }).elements;
  } catch (error) {
    throw identifierError(`identifier cannot be read: ${(error as Error).message}`);
  }
  const level = String(elements[QUERY_RETRIEVE_LEVEL]?.Value?.[0] ?? '').trim();
  if (!(LEVELS as readonly string[]).includes(level))
    throw identifierError(`Query/Retrieve Level '${level}' is not PATIENT, STUDY, SERIES or IMAGE`);
  const values = new Map<string, string>();
  const requested = new Map<string, string>();
  for (const [tag, element] of Object.entries(elements)) {
    if (tag === QUERY_RETRIEVE_LEVEL || tag === SPECIFIC_CHARACTER_SET || tag.startsWith('0002')) continue;
    requested.set(tag, element.vr || dictionaryVr(tag) || 'UN');
    values.set(tag, (element.Value ?? []).map(matchingText).join('\\'));
  }
  return { level: level as QueryLevel, values, requested };
}

/** One value as DICOM matching text: person names as their '='-joined groups, numbers as digits. */
function matchingText(value: ElementValue): string {
  if (isPersonName(value)) return personNameToText(value);
  // A sequence item: sequence matching is not supported; the key is returned empty.
  if (value !== null && typeof value === 'object') return '';
  return String(value ?? '');
}
