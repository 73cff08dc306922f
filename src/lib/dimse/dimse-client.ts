/**
 * The SCU engine: opens an association (PS3.8 7.1, requestor side) and offers the DIMSE-C operations and
 * N-ACTION on it. Requests the peer sends back on this association (C-STORE sub-operations of a C-GET,
 * N-EVENT-REPORT) go to the handlers given here.
 */
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions as TlsConnectionOptions } from 'node:tls';
import { Association, type AssociationInfo } from './association.js';
import { DEFAULT_IMPLEMENTATION, DEFAULTS } from './defaults.js';
import { DimseError } from './errors.js';
import { encodeAssociate } from './pdu-codec.js';
import {
  DICOM_APPLICATION_CONTEXT,
  PduType,
  PresentationContextResult,
  type AssociateAc,
  type RoleSelection,
  type UserIdentityRequest,
} from './pdu-types.js';
import { attachScpDispatcher } from './scp-dispatch.js';
import type { DimseHandlers } from './scp-handlers.js';
import { DimseClient } from './scu-operations.js';
import { UpperLayerConnection } from './upper-layer-connection.js';

export interface ProposedPresentationContext {
  abstractSyntax: string;
  transferSyntaxes: string[];
}

export interface ConnectOptions {
  host: string;
  port: number;
  callingAeTitle: string;
  calledAeTitle: string;
  /** Proposed in order with odd ids 1, 3, 5 … (PS3.8 9.3.2.2). */
  presentationContexts: ProposedPresentationContext[];
  /** E.g. { sopClassUid, scuRole: false, scpRole: true } for each storage class a C-GET should return. */
  roleSelections?: RoleSelection[];
  /** Largest P-DATA-TF we accept (announced); default 256 KiB. */
  maxPduLength?: number;
  implementationClassUid?: string;
  implementationVersionName?: string;
  userIdentity?: UserIdentityRequest;
  timeouts?: { connectMs?: number; associateMs?: number; idleMs?: number };
  tls?: TlsConnectionOptions;
  /** Requests from the peer on this association: C-STORE (outside get()), N-EVENT-REPORT. */
  handlers?: Pick<DimseHandlers, 'store' | 'eventReport'>;
  dataHighWaterMark?: number;
  maxIdentifierBytes?: number;
}

function openSocket(options: ConnectOptions): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = options.tls
      ? tlsConnect({ ...options.tls, host: options.host, port: options.port })
      : netConnect({ host: options.host, port: options.port });
    const timeout = setTimeout(() => {
      socket.destroy();
      reject(new DimseError('timeout', `connect to ${options.host}:${options.port} timed out`));
    }, options.timeouts?.connectMs ?? DEFAULTS.connectMs);
    const fail = (error: Error): void => {
      clearTimeout(timeout);
      reject(
        new DimseError('closed', `cannot connect to ${options.host}:${options.port}: ${error.message}`, {
          cause: error,
        }),
      );
    };
    socket.once('error', fail);
    socket.once(options.tls ? 'secureConnect' : 'connect', () => {
      clearTimeout(timeout);
      socket.off('error', fail);
      resolve(socket);
    });
  });
}

/** Connects and negotiates; rejects with DimseError 'rejected' (with the RJ reason) or 'aborted'/'timeout'. */
export async function connect(options: ConnectOptions): Promise<DimseClient> {
  const socket = await openSocket(options);
  const maxPduLength = options.maxPduLength ?? DEFAULTS.maxPduLength;
  const connection = new UpperLayerConnection(socket, {
    maxPduLength,
    idleMs: options.timeouts?.idleMs ?? DEFAULTS.clientIdleMs,
    dataHighWaterMark: options.dataHighWaterMark ?? DEFAULTS.dataHighWaterMark,
  });
  const proposed = options.presentationContexts.map((context, index) => ({ id: index * 2 + 1, ...context }));
  const ac = await new Promise<AssociateAc>((resolve, reject) => {
    connection.events.closed = (error) =>
      reject(error ?? new DimseError('closed', 'closed during negotiation'));
    connection.events.controlPdu = (pdu) => {
      connection.stopArtim();
      if (pdu.type === PduType.AssociateAc) return resolve(pdu);
      if (pdu.type === PduType.AssociateRj) {
        const { result, source, reason } = pdu;
        connection.failWith(
          new DimseError(
            'rejected',
            `association rejected (result ${result}, source ${source}, reason ${reason})`,
            {
              reject: { result, source, reason },
            },
          ),
        );
        connection.close();
      } else if (pdu.type === PduType.Abort) {
        connection.failWith(
          new DimseError('aborted', `association aborted (source ${pdu.source}, reason ${pdu.reason})`, {
            abortSource: pdu.source,
            abortReason: pdu.reason,
          }),
        );
        socket.destroy();
      } else {
        connection.abort(2);
      }
    };
    connection.startArtim(options.timeouts?.associateMs ?? DEFAULTS.artimMs, () =>
      connection.abort(0, new DimseError('timeout', 'no answer to A-ASSOCIATE-RQ')),
    );
    connection
      .writePdu([
        encodeAssociate({
          type: PduType.AssociateRq,
          protocolVersion: 1,
          calledAeTitle: options.calledAeTitle,
          callingAeTitle: options.callingAeTitle,
          applicationContext: DICOM_APPLICATION_CONTEXT,
          presentationContexts: proposed,
          userInformation: {
            maxPduLength,
            implementationClassUid: options.implementationClassUid ?? DEFAULT_IMPLEMENTATION.classUid,
            implementationVersionName:
              options.implementationVersionName ?? DEFAULT_IMPLEMENTATION.versionName,
            roleSelections: options.roleSelections ?? [],
            userIdentity: options.userIdentity,
          },
        }),
      ])
      .catch(reject);
  });
  const info: AssociationInfo = {
    callingAeTitle: options.callingAeTitle,
    calledAeTitle: options.calledAeTitle,
    remoteAddress: socket.remoteAddress ?? options.host,
    remotePort: socket.remotePort ?? options.port,
    presentationContexts: ac.presentationContexts
      .filter((context) => context.result === PresentationContextResult.Acceptance)
      .flatMap((context) => {
        const request = proposed.find((p) => p.id === context.id);
        return request
          ? [
              {
                id: context.id,
                abstractSyntax: request.abstractSyntax,
                transferSyntax: context.transferSyntax,
              },
            ]
          : [];
      }),
    peerMaxPduLength: ac.userInformation.maxPduLength,
    peerImplementationClassUid: ac.userInformation.implementationClassUid,
    peerImplementationVersionName: ac.userInformation.implementationVersionName,
    roleSelections: ac.userInformation.roleSelections,
    userIdentity: options.userIdentity,
  };
  const association = new Association(connection, info, 'requestor');
  const client = new DimseClient(association, ac);
  attachScpDispatcher(
    association,
    {
      store: (request) => {
        const handler = client.activeStoreHandler ?? options.handlers?.store;
        if (!handler) return 0x0122;
        return handler(request);
      },
      ...(options.handlers?.eventReport ? { eventReport: options.handlers.eventReport } : {}),
    },
    { maxIdentifierBytes: options.maxIdentifierBytes ?? DEFAULTS.maxIdentifierBytes },
  );
  return client;
}
