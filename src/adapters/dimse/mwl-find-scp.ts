import {
  encodeDataset,
  isPersonName,
  personNameToText,
  readDataset,
  type DataElements,
  type ElementValue,
} from '../../lib/dicom/index.js';
import { DimseError, type FindMatch, type QueryRequest } from '../../lib/dimse/index.js';
import type { Ris, WorklistKeys } from '../../ris/index.js';
import type { DimseAccess } from './dimse-access.js';
import { queryFailure } from './dimse-status.js';
import { identifierError } from './identifier.js';
import { SPS_SEQUENCE, project, worklistElements } from './mwl-response.js';

// Matching keys of the Modality Worklist identifier (PS3.4 K.6.1.2) → the RIS's worklist keys.
const TOP_LEVEL_KEYS: Record<string, keyof WorklistKeys> = {
  '00100010': 'patientName',
  '00100020': 'patientId',
  '00080050': 'accessionNumber',
  '00401001': 'requestedProcedureId',
  '0020000D': 'studyInstanceUid',
  '00080090': 'referringPhysicianName',
};
const STEP_KEYS: Record<string, keyof WorklistKeys> = {
  '00400001': 'scheduledStationAeTitle',
  '00400010': 'scheduledStationName',
  '00080060': 'modality',
  '00400002': 'scheduledStartDate',
  '00400003': 'scheduledStartTime',
  '00400006': 'scheduledPerformingPhysicianName',
  '00400020': 'scheduledStepStatus',
  '00400009': 'scheduledStepId',
};

/**
 * Modality Worklist Information Model – FIND SCP (PS3.4 K.4.1): the identifier (its Specific Character
 * Set applied) becomes ris.worklist.query's keys; each entry comes back with the requested attributes,
 * text in UTF-8 when it needs more than ASCII (declared ISO_IR 192), as the archive's C-FIND does.
 */
export function createWorklistFindHandler(ris: Ris, access: DimseAccess) {
  return async function* find(request: QueryRequest): AsyncGenerator<FindMatch> {
    let requested: DataElements;
    try {
      requested = readDataset(request.identifier, { transferSyntaxUid: request.transferSyntaxUid }).elements;
    } catch (error) {
      throw identifierError(`identifier cannot be read: ${(error as Error).message}`);
    }
    let items;
    try {
      const ctx = await access.authorize(request.association.info, 'order.read', 'C-FIND worklist');
      items = await ris.worklist.query(ctx, worklistKeys(requested));
    } catch (error) {
      const { status, errorComment } = queryFailure(error);
      throw new DimseError('status', errorComment, { status, cause: error });
    }
    for (const item of items) {
      if (request.signal.aborted) return;
      yield encodeDataset(project(requested, worklistElements(item)), request.transferSyntaxUid);
    }
  };
}

function worklistKeys(identifier: DataElements): WorklistKeys {
  const keys: WorklistKeys = {};
  for (const [tag, key] of Object.entries(TOP_LEVEL_KEYS)) {
    const value = matchingText(identifier[tag]?.Value);
    if (value) keys[key] = value;
  }
  const step = identifier[SPS_SEQUENCE]?.Value?.[0] as DataElements | undefined;
  for (const [tag, key] of Object.entries(STEP_KEYS)) {
    const value = matchingText(step?.[tag]?.Value);
    if (value) keys[key] = value;
  }
  return keys;
}

/** Values as one DICOM matching string: person names in their '='-joined form, several joined by '\'. */
function matchingText(values: ElementValue[] | undefined): string {
  return (values ?? [])
    .map((value) =>
      isPersonName(value) ? personNameToText(value) : typeof value === 'object' ? '' : String(value ?? ''),
    )
    .join('\\');
}
