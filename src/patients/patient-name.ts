import { normalizePersonName } from './patient-identity.js';

/** A name both ways: the DICOM Person Name string and its alphabetic components (PS3.5 6.2). */
export interface PatientName {
  /** 'Family^Given^Middle^Prefix^Suffix', with '=' before ideographic and phonetic groups if any. */
  dicom: string;
  family?: string;
  given?: string;
  middle?: string;
  prefix?: string;
  suffix?: string;
}

export const NAME_COMPONENTS = ['family', 'given', 'middle', 'prefix', 'suffix'] as const;
export type NameComponents = Partial<Record<(typeof NAME_COMPONENTS)[number], string>>;

/** The structured view of a stored Person Name: components of its alphabetic group. */
export function patientNameFromDicom(dicom: string): PatientName {
  const alphabetic = dicom.split('=')[0]!.split('^');
  const name: PatientName = { dicom };
  NAME_COMPONENTS.forEach((component, i) => {
    const value = alphabetic[i]?.trim();
    if (value) name[component] = value;
  });
  return name;
}

/** The Person Name string of structured components, normalized as names are stored. */
export function dicomFromComponents(components: NameComponents): string | undefined {
  return normalizePersonName(NAME_COMPONENTS.map((c) => components[c]?.trim() ?? '').join('^'));
}
