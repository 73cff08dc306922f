import type { PatientKey } from './patient-identity.js';
import type { PatientName } from './patient-name.js';

/** An identifier besides the DICOM Patient ID: an MRN of another assigning authority, a national ID … */
export interface OtherIdentifier {
  value: string;
  /** The assigning authority (HL7 CX.4), '' when unknown. */
  issuer: string;
  /** HL7 v2 table 0203 identifier type: MR (medical record number), NI, PPN, SS … */
  type: string;
}

/** A patient as services return it. */
export interface Patient {
  id: PatientKey;
  /** Patient ID (0010,0020): the MRN under `issuerOfPatientId`, the identity images carry. */
  patientId: string;
  /** Issuer of Patient ID (0010,0021): the assigning authority of `patientId`, '' when unknown. */
  issuerOfPatientId: string;
  name?: PatientName;
  /** DICOM DA, YYYYMMDD. */
  birthDate?: string;
  /** M, F or O (0010,0040). */
  sex?: string;
  address?: string;
  phone?: string;
  otherIds: OtherIdentifier[];
  /** Set while this patient is merged into another: the surviving patient's id. */
  mergedInto?: PatientKey;
  createdAt: string;
  updatedAt: string;
}
