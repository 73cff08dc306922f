import { tags, type DicomHeader } from '../lib/dicom/index.js';
import { invalid } from '../platform/errors.js';
import type { PatientIdentity } from '../patients/index.js';

/** What the index keeps of one instance, read from its header at ingest. */
export interface InstanceAttributes {
  patient: PatientIdentity;
  study: {
    studyInstanceUid: string;
    studyDate?: string;
    studyTime?: string;
    accessionNumber?: string;
    studyId?: string;
    studyDescription?: string;
    referringPhysicianName?: string;
    institutionName?: string;
  };
  series: {
    seriesInstanceUid: string;
    modality?: string;
    seriesNumber?: number;
    seriesDescription?: string;
    bodyPartExamined?: string;
    seriesDate?: string;
    seriesTime?: string;
    stationName?: string;
    performedProcedureStepStartDate?: string;
  };
  instance: {
    sopInstanceUid: string;
    sopClassUid: string;
    transferSyntaxUid: string;
    instanceNumber?: number;
    rows?: number;
    columns?: number;
    numberOfFrames?: number;
    contentDate?: string;
    contentTime?: string;
    pixelDataOffset?: number;
    datasetOffset: number;
    /** The file meta's Media Storage SOP Instance UID, when it has one (not indexed). */
    fileMetaSopInstanceUid?: string | undefined;
  };
}

/** Legacy ACR-NEMA dates (YYYY.MM.DD) and times (HH:MM:SS) in the form range matching compares. */
export const normalizeDate = (value: string | undefined) => value?.replaceAll('.', '') || undefined;
export const normalizeTime = (value: string | undefined) => value?.replaceAll(':', '') || undefined;

function integer(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const n = Number.parseInt(value, 10);
  return Number.isSafeInteger(n) ? n : undefined;
}

const MEDIA_STORAGE_DIRECTORY = '1.2.840.10008.1.3.10';

/**
 * The index attributes of an instance. Refuses what the archive cannot serve whole: a file without the UIDs
 * it is keyed on, a DICOMDIR, or native pixel data cut short (`fileSize` is the stored file's size).
 */
export function readInstanceAttributes(header: DicomHeader, fileSize: number): InstanceAttributes {
  const text = (tag: string) => header.string(tag) || undefined;
  const required = (tag: string, keyword: string) => {
    const value = text(tag);
    if (value === undefined) throw invalid(`${keyword} is missing`, { attribute: keyword });
    return value;
  };
  const sopInstanceUid = header.sopInstanceUid || required(tags.SOPInstanceUID, 'SOPInstanceUID');
  const sopClassUid = header.sopClassUid || required(tags.SOPClassUID, 'SOPClassUID');
  if (sopClassUid === MEDIA_STORAGE_DIRECTORY) {
    throw invalid('a DICOMDIR (media directory), not an image: import the folder it describes instead');
  }
  const { pixelDataOffset, pixelDataLength } = header;
  if (
    pixelDataOffset !== undefined &&
    pixelDataLength !== undefined &&
    pixelDataOffset + pixelDataLength > fileSize
  ) {
    throw invalid(
      `pixel data truncated: the file ends at byte ${fileSize} of ${pixelDataOffset + pixelDataLength}`,
    );
  }
  return {
    patient: {
      patientId: text(tags.PatientID) ?? '',
      issuerOfPatientId: text(tags.IssuerOfPatientID) ?? '',
      patientName: text(tags.PatientName),
      birthDate: normalizeDate(text(tags.PatientBirthDate)),
      sex: text(tags.PatientSex),
    },
    study: {
      studyInstanceUid: required(tags.StudyInstanceUID, 'StudyInstanceUID'),
      studyDate: normalizeDate(text(tags.StudyDate)),
      studyTime: normalizeTime(text(tags.StudyTime)),
      accessionNumber: text(tags.AccessionNumber),
      studyId: text(tags.StudyID),
      studyDescription: text(tags.StudyDescription),
      referringPhysicianName: text(tags.ReferringPhysicianName),
      institutionName: text(tags.InstitutionName),
    },
    series: {
      seriesInstanceUid: required(tags.SeriesInstanceUID, 'SeriesInstanceUID'),
      modality: text(tags.Modality),
      seriesNumber: integer(text(tags.SeriesNumber)),
      seriesDescription: text(tags.SeriesDescription),
      bodyPartExamined: text(tags.BodyPartExamined),
      seriesDate: normalizeDate(text(tags.SeriesDate)),
      seriesTime: normalizeTime(text(tags.SeriesTime)),
      stationName: text(tags.StationName),
      performedProcedureStepStartDate: normalizeDate(text(tags.PerformedProcedureStepStartDate)),
    },
    instance: {
      sopInstanceUid,
      sopClassUid,
      transferSyntaxUid: header.transferSyntaxUid,
      instanceNumber: integer(text(tags.InstanceNumber)),
      rows: integer(text(tags.Rows)),
      columns: integer(text(tags.Columns)),
      numberOfFrames: integer(text(tags.NumberOfFrames)),
      contentDate: normalizeDate(text(tags.ContentDate)),
      contentTime: normalizeTime(text(tags.ContentTime)),
      pixelDataOffset: header.pixelDataOffset,
      datasetOffset: header.datasetOffset,
      fileMetaSopInstanceUid: header.hasFileMeta ? text(tags.MediaStorageSOPInstanceUID) : undefined,
    },
  };
}
