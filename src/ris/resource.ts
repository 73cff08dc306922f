import { invalid } from '../platform/errors.js';
import type { ResourceId } from './ids.js';
import { validateOpeningHours, validateTimeZone, type OpeningHours } from './opening-hours.js';
import { codeString } from './procedure.js';

/** A room or device that exams are booked on: the modality's AE title is the worklist's Scheduled Station. */
export interface ResourceInput {
  name: string;
  aeTitle: string;
  modality: string;
  stationName?: string;
  /** IANA zone of the opening hours; default UTC. */
  timeZone?: string;
  openingHours: OpeningHours[];
}

export interface Resource {
  id: ResourceId;
  name: string;
  aeTitle: string;
  modality: string;
  stationName: string | null;
  timeZone: string;
  openingHours: OpeningHours[];
}

export type ValidResource = Omit<Resource, 'id'>;

/** AE title rules of PS3.5 6.2 (AE): 1–16 characters, no backslash or control characters. */
function aeTitle(value: string): string {
  const title = value.trim();
  if (
    title.length === 0 ||
    title.length > 16 ||
    ![...title].every((ch) => ch >= ' ' && ch <= '~' && ch !== '\\')
  ) {
    throw invalid(`'${value}' is not an AE title (1 to 16 characters, no backslash or control characters)`);
  }
  return title;
}

export function validateResource(input: ResourceInput): ValidResource {
  const name = input.name.trim();
  if (name.length === 0 || name.length > 64) throw invalid('name must be 1 to 64 characters');
  const stationName = input.stationName?.trim() || null;
  if (stationName !== null && stationName.length > 16)
    throw invalid('stationName must be at most 16 characters');
  return {
    name,
    aeTitle: aeTitle(input.aeTitle),
    modality: codeString('modality', input.modality),
    stationName,
    timeZone: validateTimeZone(input.timeZone ?? 'UTC'),
    openingHours: validateOpeningHours(input.openingHours),
  };
}
