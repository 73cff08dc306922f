import { encodeDataset, readDataset, type DataElements } from '../../lib/dicom/index.js';
import { Status, type ActionRequest, type ActionResult, type EventReport } from '../../lib/dimse/index.js';
import type { Archive, CommitmentResult, InstanceReference } from '../../archive/index.js';
import type { AeTable } from '../../platform/security/index.js';
import type { DimseAccess } from './dimse-access.js';
import { isForbidden } from './dimse-status.js';
import { CONTROL_TRANSFER_SYNTAXES, STORAGE_COMMITMENT_PUSH } from './sop-classes.js';
import { withAssociation } from './with-association.js';

// PS3.4 J.3: the well-known Storage Commitment SOP Instance, and the failure reason for a missing instance.
const COMMITMENT_INSTANCE = '1.2.840.10008.1.20.1.1';
const NO_SUCH_OBJECT_INSTANCE = 0x0112;
const CLASS_INSTANCE_CONFLICT = 0x0119;

/**
 * Storage Commitment Push Model SCP (PS3.4 J.3): the N-ACTION is answered at once; once the archive has
 * flushed and checked the instances, the result goes back as an N-EVENT-REPORT on the same association if
 * it is still open, else on a new association to the requestor's AE from the AE table.
 */
export function createCommitmentHandler(
  archive: Archive,
  aeTable: AeTable,
  ourAeTitle: string,
  access: DimseAccess,
) {
  return async (request: ActionRequest): Promise<ActionResult> => {
    if (request.actionTypeId !== 1) return Status.NoSuchActionType;
    const parsed =
      request.actionInformation && readRequest(request.actionInformation, request.transferSyntaxUid);
    if (!parsed)
      return { status: Status.InvalidArgumentValue, errorComment: 'no Transaction UID or references' };
    const info = request.association.info;
    const ctx = await access
      .authorize(info, 'study.store', 'N-ACTION storage commitment')
      .catch((error: unknown) => (isForbidden(error) ? undefined : Promise.reject(error)));
    if (!ctx) return { status: Status.NotAuthorized, errorComment: 'not authorized to commit' };
    // After the N-ACTION-RSP has gone out (the engine sends it when this handler returns).
    setImmediate(() => {
      void (async () => {
        const result = await archive.commitStorage(ctx, parsed.references);
        const report: EventReport = {
          sopClassUid: STORAGE_COMMITMENT_PUSH,
          sopInstanceUid: COMMITMENT_INSTANCE,
          eventTypeId: result.failed.length === 0 ? 1 : 2,
          eventInformation: encodeDataset(
            eventInformation(parsed.transactionUid, result),
            request.transferSyntaxUid,
          ),
        };
        if (request.association.isOpen) await request.association.sendEventReport(report);
        else await reportOnNewAssociation(aeTable, ourAeTitle, info.callingAeTitle, report);
      })().catch((error: unknown) => ctx.log.warn({ err: error }, 'storage commitment result not delivered'));
    });
    return Status.Success;
  };
}

function readRequest(bytes: Uint8Array, transferSyntaxUid: string) {
  try {
    const { elements } = readDataset(bytes, { transferSyntaxUid });
    const transactionUid = elements['00081195']?.Value?.[0];
    const items = (elements['00081199']?.Value ?? []) as DataElements[];
    if (typeof transactionUid !== 'string' || items.length === 0) return undefined;
    const references: InstanceReference[] = items.map((item) => ({
      sopClassUid: String(item['00081150']?.Value?.[0] ?? ''),
      sopInstanceUid: String(item['00081155']?.Value?.[0] ?? ''),
    }));
    return { transactionUid, references };
  } catch {
    return undefined;
  }
}

function eventInformation(transactionUid: string, result: CommitmentResult): DataElements {
  const item = (ref: InstanceReference): DataElements => ({
    '00081150': { vr: 'UI', Value: [ref.sopClassUid] },
    '00081155': { vr: 'UI', Value: [ref.sopInstanceUid] },
  });
  const elements: DataElements = { '00081195': { vr: 'UI', Value: [transactionUid] } };
  if (result.committed.length > 0) elements['00081199'] = { vr: 'SQ', Value: result.committed.map(item) };
  if (result.failed.length > 0) {
    elements['00081198'] = {
      vr: 'SQ',
      Value: result.failed.map((failure) => ({
        ...item(failure),
        '00081197': {
          vr: 'US',
          Value: [failure.reason === 'not-stored' ? NO_SUCH_OBJECT_INSTANCE : CLASS_INSTANCE_CONFLICT],
        },
      })),
    };
  }
  return elements;
}

/** PS3.4 J.3.3: the SCP opens an association to the SCU, taking the SCP role for Storage Commitment. */
async function reportOnNewAssociation(
  aeTable: AeTable,
  ourAeTitle: string,
  requestor: string,
  report: EventReport,
) {
  const destination = await aeTable.resolve(requestor);
  if (!destination) throw new Error(`${requestor} is not in the AE table: cannot send its commitment result`);
  const contexts = [
    {
      abstractSyntax: STORAGE_COMMITMENT_PUSH,
      transferSyntaxes: CONTROL_TRANSFER_SYNTAXES,
    },
  ];
  const roleSelections = [{ sopClassUid: STORAGE_COMMITMENT_PUSH, scuRole: false, scpRole: true }];
  await withAssociation(
    destination,
    ourAeTitle,
    { presentationContexts: contexts, roleSelections },
    (association) => association.eventReport(report),
  );
}
