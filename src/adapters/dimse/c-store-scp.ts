import { encodeFileMeta, IMPLEMENTATION_CLASS_UID } from '../../lib/dicom/index.js';
import { Status, type StatusResult, type StoreRequest } from '../../lib/dimse/index.js';
import type { Archive } from '../../archive/index.js';
import type { Logger } from '../../platform/log/index.js';
import { dimseContext } from './dimse-context.js';
import { storeFailure } from './dimse-status.js';

/**
 * C-STORE SCP (PS3.4 B.2): the data set streams into the archive behind a file meta group of our own, so
 * the stored file is a Part 10 file whose data set is byte for byte what the sender sent. Success is
 * answered only once the archive has the instance written and indexed.
 */
export function createStoreHandler(archive: Archive, log: Logger) {
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
      await archive.storeInstance(dimseContext(log, info), file(), {
        expected: { sopClassUid: request.sopClassUid, sopInstanceUid: request.sopInstanceUid },
      });
      return Status.Success;
    } catch (error) {
      return storeFailure(error);
    }
  };
}
