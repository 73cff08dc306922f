import type { FieldInput, SegmentInput } from '../../lib/hl7v2/index.js';
import type { Patient } from '../../patients/index.js';

// What every message Lantern sends (ORU, ORM, OMI) builds alike: segments from numbered fields, and the
// patient as PID carries it.

/** The patient of an outbound message: identifier with its issuer, DICOM PN, DA birth date, sex. */
export interface OutboundPatient {
  patientId: string;
  issuerOfPatientId: string;
  name?: string;
  birthDate?: string;
  sex?: string;
}

/** The patient as the services read it now (after merges and updates), for an outbound document. */
export function outboundPatient(patient: Patient): OutboundPatient {
  return {
    patientId: patient.patientId,
    issuerOfPatientId: patient.issuerOfPatientId,
    ...(patient.name ? { name: patient.name.dicom } : {}),
    ...(patient.birthDate ? { birthDate: patient.birthDate } : {}),
    ...(patient.sex ? { sex: patient.sex } : {}),
  };
}

/** A segment from its numbered fields; the ones left out are empty. */
export function segment(name: string, fields: Record<number, FieldInput>): SegmentInput {
  const last = Math.max(...Object.keys(fields).map(Number));
  return [name, ...Array.from({ length: last }, (_, i) => fields[i + 1])];
}

/** DICOM PN → XPN (family^given^middle^suffix^prefix). */
function xpn(pn: string | undefined): string[] | undefined {
  if (!pn) return undefined;
  const [family = '', given = '', middle = '', prefix = '', suffix = ''] = pn.split('=')[0]!.split('^');
  return [family, given, middle, suffix, prefix];
}

/** PID: the identifier as CX with its assigning authority (type MR), name, birth date, sex. */
export function pidSegment(patient: OutboundPatient): SegmentInput {
  return segment('PID', {
    1: '1',
    3: [patient.patientId, '', '', patient.issuerOfPatientId, 'MR'],
    5: xpn(patient.name),
    7: patient.birthDate,
    8: patient.sex,
  });
}
