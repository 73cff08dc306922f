import type { ProcedureInput } from './procedure.js';

// Local procedure codes (a '99' designator is DICOM's mark of a private coding scheme, PS3.16 8.2) with
// CPT-4 charge codes ('C4'). Sites replace or extend these with their own catalogue or RadLex Playbook
// RPIDs ('RADLEX'); the seed only adds what is missing and never changes an edited entry.
export const DEFAULT_PROCEDURES: readonly ProcedureInput[] = [
  {
    code: 'XR-CHEST-2V',
    codingScheme: '99LANTERN',
    meaning: 'XR Chest PA and lateral',
    modality: 'DX',
    bodyPart: 'CHEST',
    durationMinutes: 10,
    charges: [{ code: '71046', codingScheme: 'C4', modifiers: [], quantity: 1 }],
  },
  {
    code: 'CT-HEAD-WO',
    codingScheme: '99LANTERN',
    meaning: 'CT Head without contrast',
    modality: 'CT',
    bodyPart: 'HEAD',
    durationMinutes: 15,
    charges: [{ code: '70450', codingScheme: 'C4', modifiers: [], quantity: 1 }],
  },
  {
    code: 'CT-ABDPEL-W',
    codingScheme: '99LANTERN',
    meaning: 'CT Abdomen and pelvis with contrast',
    modality: 'CT',
    bodyPart: 'ABDOMENPELVIS',
    durationMinutes: 20,
    charges: [{ code: '74177', codingScheme: 'C4', modifiers: [], quantity: 1 }],
  },
  {
    code: 'MR-BRAIN-WO',
    codingScheme: '99LANTERN',
    meaning: 'MR Brain without contrast',
    modality: 'MR',
    bodyPart: 'BRAIN',
    durationMinutes: 30,
    charges: [{ code: '70551', codingScheme: 'C4', modifiers: [], quantity: 1 }],
  },
  {
    code: 'US-ABD-COMPL',
    codingScheme: '99LANTERN',
    meaning: 'US Abdomen complete',
    modality: 'US',
    bodyPart: 'ABDOMEN',
    durationMinutes: 30,
    charges: [{ code: '76700', codingScheme: 'C4', modifiers: [], quantity: 1 }],
  },
  {
    code: 'MG-SCREEN-BI',
    codingScheme: '99LANTERN',
    meaning: 'MG Screening mammography bilateral',
    modality: 'MG',
    bodyPart: 'BREAST',
    durationMinutes: 20,
    charges: [{ code: '77067', codingScheme: 'C4', modifiers: [], quantity: 1 }],
  },
];
