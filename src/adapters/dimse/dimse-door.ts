import type { AddressInfo } from 'node:net';
import type { TlsOptions } from 'node:tls';
import { createDimseServer, type DimseHandlers, type DimseServer } from '../../lib/dimse/index.js';
import type { Archive } from '../../archive/index.js';
import type { Logger } from '../../platform/log/index.js';
import type { AeTable } from '../../platform/security/index.js';
import type { Ris } from '../../ris/index.js';
import { createAssociationPolicy, type AssociationPolicySettings } from './association-policy.js';
import { createAePermissionsOf } from './calling-ae-trust.js';
import { createFindHandler } from './c-find-scp.js';
import { createGetHandler } from './c-get-scp.js';
import { createMoveHandler } from './c-move-scp.js';
import { createStoreHandler } from './c-store-scp.js';
import { createMppsHandlers } from './mpps-scp.js';
import { createWorklistFindHandler } from './mwl-find-scp.js';
import { MODALITY_WORKLIST_FIND } from './sop-classes.js';
import { createCommitmentHandler } from './storage-commitment-scp.js';
import { createDimseAccess } from './dimse-access.js';

export interface DimseDoorSettings extends AssociationPolicySettings {
  maxPduLength: number;
  maxAssociations: number;
  idleTimeoutSeconds: number;
}

/** The DICOM door's listeners: plain TCP, and optionally the same services over TLS on a port of their own. */
export interface DimseDoor {
  listen(port: number, host?: string): Promise<AddressInfo>;
  /** DICOM over TLS (PS3.15 B.1): the same handler table and association policy as the plain listener. */
  listenTls(port: number, host: string | undefined, tls: TlsOptions): Promise<AddressInfo>;
  /** Stops every listener and aborts their open associations. */
  close(): Promise<void>;
  readonly associationCount: number;
}

/**
 * Lantern's DICOM door: the archive's and the RIS's services as DIMSE SCPs. The handler table, one line per service:
 *   C-ECHO    verification (engine default: success)
 *   C-STORE   archive.storeInstance, streamed              c-store-scp.ts
 *   C-FIND    archive.query, Patient and Study Root        c-find-scp.ts
 *   C-FIND    ris.worklist.query, Modality Worklist        mwl-find-scp.ts
 *   C-GET     archive.retrieve → C-STOREs on the association  c-get-scp.ts
 *   C-MOVE    archive.retrieve → C-STOREs to an AE of the AE table  c-move-scp.ts
 *   N-ACTION  storage commitment: archive.commitStorage → N-EVENT-REPORT  storage-commitment-scp.ts
 *   N-CREATE  MPPS: ris.mpps.create                        mpps-scp.ts
 *   N-SET     MPPS: ris.mpps.update                        mpps-scp.ts
 * Who may associate, and for what, is decided in association-policy.ts from the AE table; each operation
 * authorizes again in its handler (dimse-access.ts), a refusal audited once either way. Both ask
 * calling-ae-trust.ts, which knows the listener: a title is not believed on the plain one when certificates
 * are the identity, so each listener gets its own handler table.
 */
export function createDimseDoor(
  settings: DimseDoorSettings,
  services: {
    archive: Archive;
    ris: Ris;
    aeTable: AeTable;
    database: Parameters<typeof createDimseAccess>[0];
  },
  log: Logger,
): DimseDoor {
  const doorLog = log.child({ door: 'dimse' });
  const { archive, ris, aeTable } = services;
  const permissionsOf = createAePermissionsOf(settings, aeTable);
  // Each operation asks policy again with the AE's permissions (dimse-access.ts): C-STORE on a context a
  // `retrieve`-only node was given for C-GET, for one, is refused there (0124H).
  const handlersOf = (secure: boolean): DimseHandlers => {
    const access = createDimseAccess(services.database, permissionsOf, secure, doorLog);
    const archiveFind = createFindHandler(archive, access);
    const worklistFind = createWorklistFindHandler(ris, access);
    const mpps = createMppsHandlers(ris, access);
    return {
      store: createStoreHandler(archive, access),
      find: (request) =>
        (request.sopClassUid === MODALITY_WORKLIST_FIND ? worklistFind : archiveFind)(request),
      get: createGetHandler(archive, access),
      move: createMoveHandler(archive, aeTable, settings.aeTitle, access),
      action: createCommitmentHandler(archive, aeTable, settings.aeTitle, access),
      create: mpps.create,
      set: mpps.set,
    };
  };
  const negotiate = createAssociationPolicy(
    settings,
    { permissionsOf, database: services.database },
    doorLog,
  );
  // One engine per listener, on the same policy; maxAssociations counts per listener.
  const newServer = (tls?: TlsOptions): DimseServer =>
    createDimseServer({
      tls,
      negotiate,
      handlers: handlersOf(tls !== undefined),
      maxPduLength: settings.maxPduLength,
      maxAssociations: settings.maxAssociations,
      timeouts: { idleMs: settings.idleTimeoutSeconds * 1000 },
      onAssociation: (info, closed) => {
        const association = {
          callingAeTitle: info.callingAeTitle,
          remoteAddress: info.remoteAddress,
          tls: tls !== undefined,
        };
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
  const servers: DimseServer[] = [];
  const start = (port: number, host: string | undefined, tls?: TlsOptions): Promise<AddressInfo> => {
    const server = newServer(tls);
    servers.push(server);
    return server.listen(port, host);
  };
  return {
    listen: (port, host) => start(port, host),
    listenTls: (port, host, tls) => start(port, host, tls),
    close: async () => {
      await Promise.all(servers.map((server) => server.close()));
    },
    get associationCount() {
      return servers.reduce((sum, server) => sum + server.associationCount, 0);
    },
  };
}
