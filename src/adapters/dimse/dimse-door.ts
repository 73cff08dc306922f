import { createDimseServer, type DimseHandlers, type DimseServer } from '../../lib/dimse/index.js';
import type { Archive } from '../../archive/index.js';
import type { Logger } from '../../platform/log/index.js';
import type { AeTable } from '../../platform/security/index.js';
import { createAssociationPolicy } from './association-policy.js';
import { createFindHandler } from './c-find-scp.js';
import { createGetHandler } from './c-get-scp.js';
import { createMoveHandler } from './c-move-scp.js';
import { createStoreHandler } from './c-store-scp.js';
import { createCommitmentHandler } from './storage-commitment-scp.js';

export interface DimseDoorSettings {
  aeTitle: string;
  acceptUnknownSopClasses: boolean;
  maxPduLength: number;
  maxAssociations: number;
  idleTimeoutSeconds: number;
}

/**
 * Lantern's DICOM door: the archive's services as DIMSE SCPs. The handler table, one line per service:
 *   C-ECHO    verification (engine default: success)
 *   C-STORE   archive.storeInstance, streamed              c-store-scp.ts
 *   C-FIND    archive.query, Patient and Study Root        c-find-scp.ts
 *   C-GET     archive.retrieve → C-STOREs on the association  c-get-scp.ts
 *   C-MOVE    archive.retrieve → C-STOREs to an AE of the AE table  c-move-scp.ts
 *   N-ACTION  storage commitment: archive.commitStorage → N-EVENT-REPORT  storage-commitment-scp.ts
 * Who may associate, and for what, is decided in association-policy.ts from the AE table.
 */
export function createDimseDoor(
  settings: DimseDoorSettings,
  services: { archive: Archive; aeTable: AeTable },
  log: Logger,
): DimseServer {
  const doorLog = log.child({ door: 'dimse' });
  const { archive, aeTable } = services;
  const handlers: DimseHandlers = {
    store: createStoreHandler(archive, doorLog),
    find: createFindHandler(archive, doorLog),
    get: createGetHandler(archive, doorLog),
    move: createMoveHandler(archive, aeTable, settings.aeTitle, doorLog),
    action: createCommitmentHandler(archive, aeTable, settings.aeTitle, doorLog),
  };
  return createDimseServer({
    negotiate: createAssociationPolicy(settings, aeTable),
    handlers,
    maxPduLength: settings.maxPduLength,
    maxAssociations: settings.maxAssociations,
    timeouts: { idleMs: settings.idleTimeoutSeconds * 1000 },
    onAssociation: (info, closed) => {
      const association = { callingAeTitle: info.callingAeTitle, remoteAddress: info.remoteAddress };
      doorLog.info(association, 'association accepted');
      void closed.then((error) =>
        error
          ? doorLog.warn({ ...association, reason: error.message }, 'association ended abnormally')
          : doorLog.debug(association, 'association released'),
      );
    },
    onRejected: (request, reject) =>
      doorLog.info(
        {
          callingAeTitle: request.callingAeTitle,
          calledAeTitle: request.calledAeTitle,
          reason: reject.reason,
        },
        'association rejected',
      ),
  });
}
