import { EXPLICIT_VR_LITTLE_ENDIAN, IMPLICIT_VR_LITTLE_ENDIAN } from '../../lib/dicom/index.js';

// SOP classes of the services the DIMSE door offers (PS3.4 Annex A, C, B).

/** Transfer syntaxes of every service but storage: Explicit VR LE first, Implicit VR LE (the default, PS3.5 10.1). */
export const CONTROL_TRANSFER_SYNTAXES = [EXPLICIT_VR_LITTLE_ENDIAN, IMPLICIT_VR_LITTLE_ENDIAN];
export const VERIFICATION = '1.2.840.10008.1.1';
export const STORAGE_COMMITMENT_PUSH = '1.2.840.10008.1.20.1';
/** Modality Worklist Information Model – FIND (PS3.4 K.4.1). */
export const MODALITY_WORKLIST_FIND = '1.2.840.10008.5.1.4.31';
/** Modality Performed Procedure Step SOP Class (PS3.4 F.7.1). */
export const MPPS = '1.2.840.10008.3.1.2.3.3';

export const QUERY_MODELS = {
  patientRootFind: '1.2.840.10008.5.1.4.1.2.1.1',
  patientRootMove: '1.2.840.10008.5.1.4.1.2.1.2',
  patientRootGet: '1.2.840.10008.5.1.4.1.2.1.3',
  studyRootFind: '1.2.840.10008.5.1.4.1.2.2.1',
  studyRootMove: '1.2.840.10008.5.1.4.1.2.2.2',
  studyRootGet: '1.2.840.10008.5.1.4.1.2.2.3',
} as const;

export const FIND_MODELS = new Set<string>([QUERY_MODELS.patientRootFind, QUERY_MODELS.studyRootFind]);
export const MOVE_MODELS = new Set<string>([QUERY_MODELS.patientRootMove, QUERY_MODELS.studyRootMove]);
export const GET_MODELS = new Set<string>([QUERY_MODELS.patientRootGet, QUERY_MODELS.studyRootGet]);
export const STUDY_ROOT_MODELS = new Set<string>([
  QUERY_MODELS.studyRootFind,
  QUERY_MODELS.studyRootMove,
  QUERY_MODELS.studyRootGet,
]);
