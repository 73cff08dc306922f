import { readDataset, type DataElements } from '../../lib/dicom/index.js';
import { Status, type CreateRequest, type NormalizedResult, type SetRequest } from '../../lib/dimse/index.js';
import type { Ris } from '../../ris/index.js';
import type { DimseAccess } from './dimse-access.js';
import { mppsFailure } from './dimse-status.js';
import { MPPS } from './sop-classes.js';

/**
 * Modality Performed Procedure Step SCP (PS3.4 F.7): N-CREATE → ris.mpps.create, N-SET → ris.mpps.update.
 * The RIS checks the attribute rules; refusals come back with the status dimse-status.ts gives them.
 */
export function createMppsHandlers(ris: Ris, access: DimseAccess) {
  return {
    create: async (request: CreateRequest): Promise<NormalizedResult> => {
      if (request.sopClassUid !== MPPS) return Status.NoSuchSopClass;
      const attributes = readAttributes(request.attributes, request.transferSyntaxUid);
      if (!attributes)
        return { status: Status.ProcessingFailure, errorComment: 'Attribute List cannot be read' };
      try {
        const ctx = await access.authorize(request.association.info, 'order.write', 'N-CREATE MPPS');
        const step = await ris.mpps.create(ctx, {
          ...(request.sopInstanceUid ? { sopInstanceUid: request.sopInstanceUid } : {}),
          attributes,
        });
        return { status: Status.Success, sopInstanceUid: step.sopInstanceUid };
      } catch (error) {
        return mppsFailure(error);
      }
    },
    set: async (request: SetRequest): Promise<NormalizedResult> => {
      if (request.sopClassUid !== MPPS) return Status.NoSuchSopClass;
      const modifications = readAttributes(request.modifications, request.transferSyntaxUid);
      if (!modifications)
        return { status: Status.ProcessingFailure, errorComment: 'Modification List cannot be read' };
      try {
        const ctx = await access.authorize(request.association.info, 'order.write', 'N-SET MPPS');
        await ris.mpps.update(ctx, {
          sopInstanceUid: request.sopInstanceUid,
          modifications,
        });
        return Status.Success;
      } catch (error) {
        return mppsFailure(error);
      }
    },
  };
}

function readAttributes(bytes: Uint8Array | undefined, transferSyntaxUid: string): DataElements | undefined {
  if (!bytes) return undefined;
  try {
    return readDataset(bytes, { transferSyntaxUid }).elements;
  } catch {
    return undefined;
  }
}
