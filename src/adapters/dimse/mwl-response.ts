import { personNameFromText, type DataElements } from '../../lib/dicom/index.js';
import type { CodedEntry, WorklistItem } from '../../ris/index.js';

// A worklist entry as the K.6 return keys (PS3.4 Table K.6-1), and the projection of it onto the keys
// a query asked for (PS3.4 K.2.2.1.2, C.2.2.2.6 for the sequence).

export const SPS_SEQUENCE = '00400100';

const text = (vr: string, value: string | null | undefined) => (value ? { vr, Value: [value] } : { vr });
const personName = (value: string | null) =>
  value ? { vr: 'PN', Value: [personNameFromText(value)] } : { vr: 'PN' };
const code = (entry: CodedEntry): DataElements => ({
  '00080100': text('SH', entry.value),
  '00080102': text('SH', entry.scheme),
  '00080104': text('LO', entry.meaning),
});

/** Every return key Lantern answers for a worklist entry. */
export function worklistElements(item: WorklistItem): DataElements {
  const step = item.step;
  return {
    '00080050': text('SH', item.accessionNumber),
    '00080090': personName(item.referringPhysicianName),
    '00100010': personName(item.patient.name),
    '00100020': text('LO', item.patient.id),
    '00100021': text('LO', item.patient.issuer),
    '00100030': text('DA', item.patient.birthDate),
    '00100040': text('CS', item.patient.sex),
    '0020000D': text('UI', item.studyInstanceUid),
    '00321060': text('LO', item.requestedProcedureDescription),
    '00321064': { vr: 'SQ', Value: [code(item.requestedProcedureCode)] },
    '00401001': text('SH', item.requestedProcedureId),
    '00401003': text('SH', item.priority),
    [SPS_SEQUENCE]: {
      vr: 'SQ',
      Value: [
        {
          '00080060': text('CS', step.modality),
          '00400001': text('AE', step.stationAeTitle),
          '00400002': text('DA', step.startDate),
          '00400003': text('TM', step.startTime),
          '00400006': personName(step.performingPhysicianName),
          '00400007': text('LO', step.description),
          '00400008': { vr: 'SQ', Value: [code(step.protocolCode)] },
          '00400009': text('SH', step.id),
          '00400010': text('SH', step.stationName),
          '00400020': text('CS', step.status),
        },
      ],
    },
  };
}

/**
 * The requested attributes only, filled from the entry or left empty (a key Lantern has no value for is
 * returned zero-length). A sequence key with an item returns that item's keys; one without items returns
 * the whole sequence (universal matching of a sequence, PS3.4 C.2.2.2.6).
 */
export function project(requested: DataElements, full: DataElements): DataElements {
  const out: DataElements = {};
  for (const [tag, key] of Object.entries(requested)) {
    if (tag === '00080005') continue;
    const found = full[tag];
    if (key.vr === 'SQ' || found?.vr === 'SQ') {
      const keyItem = (key.Value?.[0] ?? undefined) as DataElements | undefined;
      const items = (found?.Value ?? []) as DataElements[];
      out[tag] = {
        vr: 'SQ',
        Value:
          keyItem && Object.keys(keyItem).length > 0 ? items.map((item) => project(keyItem, item)) : items,
      };
      continue;
    }
    out[tag] = found?.Value ? found : { vr: key.vr || found?.vr || 'UN' };
  }
  return out;
}
