import type { PersonName } from './dataset.js';

// PS3.5 6.2: a Person Name value is up to three component groups, alphabetic, ideographic and phonetic,
// separated by '='; DICOM JSON (PS3.18 F.2.2) spells them out as an object.

/** The DICOM string form of a name: its groups joined by '=', trailing empty groups left out. */
export function personNameToText(name: PersonName): string {
  return [name.Alphabetic ?? '', name.Ideographic ?? '', name.Phonetic ?? ''].join('=').replace(/=+$/, '');
}

/** The DICOM JSON form of a name in its string form; empty groups are left out. */
export function personNameFromText(text: string): PersonName {
  const [Alphabetic, Ideographic, Phonetic] = text.split('=');
  return {
    ...(Alphabetic ? { Alphabetic } : {}),
    ...(Ideographic ? { Ideographic } : {}),
    ...(Phonetic ? { Phonetic } : {}),
  };
}

/** Whether a DICOM JSON value is a person name (rather than a sequence item). */
export function isPersonName(value: unknown): value is PersonName {
  return (
    typeof value === 'object' &&
    value !== null &&
    ('Alphabetic' in value || 'Ideographic' in value || 'Phonetic' in value)
  );
}
