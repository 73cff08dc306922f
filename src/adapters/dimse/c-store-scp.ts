import { encodeFileMeta, IMPLEMENTATION_CLASS_UID } from '../../lib/dicom/index.js';
import { Status, type StatusResult, type StoreRequest } from '../../lib/dimse/index.js';
import type { Archive } from '../../archive/index.js';
import type { DimseAccess } from './dimse-access.js';
import { storeFailure } from './dimse-status.js';

/**
 * C-STORE SCP (PS3.4 B.2): the data set streams into the archive behind a file meta group of our own, so
 * the stored file is a Part 10 file whose data set is byte for byte what the sender sent. Success is
 * answered only once the archive has the instance written and indexed.
 */
export function createStoreHandler(archive: Archive, access: DimseAccess) {
  return async (request: StoreRequest): Promise<StatusResult> => {
    const info = request.association.info;
    const meta = encodeFileMeta({
      mediaStorageSopClassUid: request.sopClassUid,
      mediaStorageSopInstanceUid: request.sopInstanceUid,
      transferSyntaxUid: request.transferSyntaxUid,
      implementationClassUid: IMPLEMENTATION_CLASS_UID,
      implementationVersionName: 'LANTERN',
      sourceApplicationEntityTitle: info.callingAeTitle,
    });
    async function* file() {
      yield meta;
      yield* request.data;
    }
    try {
      const ctx = await access.authorize(info, 'study.store', `C-STORE ${request.sopClassUid}`);
      await archive.storeInstance(ctx, file(), {
        expected: { sopClassUid: request.sopClassUid, sopInstanceUid: request.sopInstanceUid },
      });
      return Status.Success;
    } catch (error) {
      return storeFailure(error);
    }
  };
}
