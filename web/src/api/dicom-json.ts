// Reading DICOM JSON (PS3.18 F.2) answers of QIDO-RS and WADO-RS metadata.

export type DicomJson = Record<string, { vr: string; Value?: unknown[] } | undefined>;

/** Tags the UI reads, by keyword, so the screens stay readable. */
export const TAG = {
  StudyDate: '00080020',
  StudyTime: '00080030',
  AccessionNumber: '00080050',
  ModalitiesInStudy: '00080061',
  Modality: '00080060',
  StudyDescription: '00081030',
  SeriesDescription: '0008103E',
  PatientName: '00100010',
  PatientID: '00100020',
  PatientBirthDate: '00100030',
  PatientSex: '00100040',
  StudyInstanceUID: '0020000D',
  SeriesInstanceUID: '0020000E',
  SOPInstanceUID: '00080018',
  SeriesNumber: '00200011',
  InstanceNumber: '00200013',
  NumberOfStudyRelatedSeries: '00201206',
  NumberOfStudyRelatedInstances: '00201208',
  NumberOfSeriesRelatedInstances: '00201209',
  Rows: '00280010',
  Columns: '00280011',
  NumberOfFrames: '00280008',
} as const;

export function text(item: DicomJson, tag: string): string {
  const value = item[tag]?.Value?.[0];
  if (value === undefined || value === null) return '';
  if (typeof value === 'object' && 'Alphabetic' in value)
    return String((value as { Alphabetic: string }).Alphabetic);
  return String(value);
}

export function texts(item: DicomJson, tag: string): string[] {
  return (item[tag]?.Value ?? []).map(String);
}

export function num(item: DicomJson, tag: string): number | undefined {
  const value = text(item, tag);
  return value === '' ? undefined : Number(value);
}

/** DICOM PN for people: FAMILY^GIVEN → "FAMILY, Given" stays recognisable without guessing cultures. */
export function personName(dicom: string): string {
  const [family = '', given = ''] = dicom.split('^');
  return given ? `${family}, ${given}` : family;
}

/** DA (YYYYMMDD) → YYYY-MM-DD for display; anything else unchanged. */
export function displayDate(da: string): string {
  return /^\d{8}$/.test(da) ? `${da.slice(0, 4)}-${da.slice(4, 6)}-${da.slice(6, 8)}` : da;
}
