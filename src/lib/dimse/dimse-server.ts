/**
 * The SCP engine: a net (or tls) listener; per connection the upper-layer acceptor states of PS3.8 9.2
 * (ARTIM while waiting for A-ASSOCIATE-RQ, the negotiation policy, AC or RJ) and then the handler table.
 */
import { createServer as createNetServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, TLSSocket, type TlsOptions } from 'node:tls';
import { Association, type AssociationInfo } from './association.js';
import {
  buildAssociateAc,
  checkRequest,
  type AssociationReject,
  type AssociationRequest,
  type Negotiator,
} from './association-negotiation.js';
import type { DimseError } from './errors.js';
import { encodeAssociate, encodeAssociateRj } from './pdu-codec.js';
import {
  AbortReason,
  PduType,
  PresentationContextResult,
  RejectReason,
  RejectResult,
  RejectSource,
  type AssociateRq,
} from './pdu-types.js';
import { attachScpDispatcher } from './scp-dispatch.js';
import type { DimseHandlers } from './scp-handlers.js';
import { UpperLayerConnection } from './upper-layer-connection.js';
import { DEFAULT_IMPLEMENTATION, DEFAULTS } from './defaults.js';

export interface DimseServerOptions {
  /** Decides each A-ASSOCIATE-RQ: reject, or accept with per-context results (association-negotiation.ts). */
  negotiate: Negotiator;
  handlers: DimseHandlers;
  /** Largest P-DATA-TF we accept, announced to requestors (PS3.8 D.1). */
  maxPduLength?: number;
  implementationClassUid?: string;
  implementationVersionName?: string;
  timeouts?: {
    /** ARTIM (PS3.8 9.1.5): wait for A-ASSOCIATE-RQ after connect, and for the close after RJ/RP/A-ABORT. */
    artimMs?: number;
    /** Abort an association without traffic for this long (0 = never). */
    idleMs?: number;
  };
  /** Cap for identifiers/action information held in memory. */
  maxIdentifierBytes?: number;
  /** Data set bytes queued for a slow C-STORE handler before the socket is paused. */
  dataHighWaterMark?: number;
  /** Concurrent associations; more are rejected transiently, "local limit exceeded" (PS3.8 9.3.4). */
  maxAssociations?: number;
  /** Serve DICOM over TLS (PS3.15 B.1) with these options. */
  tls?: TlsOptions;
  /** Observers, e.g. for logs: an association started / ended (error undefined after a release). */
  onAssociation?: (info: AssociationInfo, closed: Promise<DimseError | undefined>) => void;
  onRejected?: (request: AssociationRequest, reject: AssociationReject) => void;
}

export interface DimseServer {
  listen(port: number, host?: string): Promise<AddressInfo>;
  /** Stops listening and aborts the open associations. */
  close(): Promise<void>;
  readonly associationCount: number;
}

export function createDimseServer(options: DimseServerOptions): DimseServer {
  const sockets = new Set<Socket>();
  let associations = 0;
  const onConnection = (socket: Socket): void => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    serveConnection(socket, options, {
      opened: () => associations++,
      ended: () => associations--,
      count: () => associations,
    });
  };
  const server: Server = options.tls
    ? createTlsServer(options.tls, onConnection).on('tlsClientError', () => undefined)
    : createNetServer(onConnection);
  server.on('error', () => undefined);

  return {
    get associationCount() {
      return associations;
    },
    listen: (port, host) =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve(server.address() as AddressInfo);
        });
      }),
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}

interface Counter {
  opened(): void;
  ended(): void;
  count(): number;
}

function serveConnection(socket: Socket, options: DimseServerOptions, counter: Counter): void {
  const artimMs = options.timeouts?.artimMs ?? DEFAULTS.artimMs;
  const maxPduLength = options.maxPduLength ?? DEFAULTS.maxPduLength;
  const connection = new UpperLayerConnection(socket, {
    maxPduLength,
    idleMs: options.timeouts?.idleMs ?? DEFAULTS.serverIdleMs,
    dataHighWaterMark: options.dataHighWaterMark ?? DEFAULTS.dataHighWaterMark,
  });
  // PS3.8 9.2, Sta2: only A-ASSOCIATE-RQ is expected, within ARTIM.
  connection.startArtim(artimMs);
  let negotiating = false;
  connection.events.controlPdu = (pdu) => {
    if (pdu.type === PduType.AssociateRq && !negotiating) {
      negotiating = true;
      connection.stopArtim();
      void negotiate(connection, pdu, options, counter, artimMs).catch(() => connection.abort());
    } else if (pdu.type === PduType.Abort) {
      socket.destroy();
    } else {
      connection.abort(AbortReason.UnexpectedPdu);
    }
  };
}

async function negotiate(
  connection: UpperLayerConnection,
  rq: AssociateRq,
  options: DimseServerOptions,
  counter: Counter,
  artimMs: number,
): Promise<void> {
  const request: AssociationRequest = {
    callingAeTitle: rq.callingAeTitle,
    calledAeTitle: rq.calledAeTitle,
    applicationContext: rq.applicationContext,
    presentationContexts: rq.presentationContexts,
    userInformation: rq.userInformation,
    remoteAddress: connection.socket.remoteAddress ?? '',
    remotePort: connection.socket.remotePort ?? 0,
    secure: options.tls !== undefined,
    ...peerCommonName(connection.socket),
  };
  let decision = checkRequest(rq) ? { reject: checkRequest(rq) as AssociationReject } : undefined;
  if (!decision && options.maxAssociations !== undefined && counter.count() >= options.maxAssociations) {
    decision = {
      reject: {
        result: RejectResult.Transient,
        source: RejectSource.ServiceProviderPresentation,
        reason: RejectReason.LocalLimitExceeded,
      },
    };
  }
  const answer =
    decision ??
    (await Promise.resolve(options.negotiate(request)).catch(() => ({
      reject: {
        result: RejectResult.Transient,
        source: RejectSource.ServiceUser,
        reason: RejectReason.NoReasonGiven,
      },
    })));
  if (!connection.isOpen) return;
  if ('reject' in answer) {
    options.onRejected?.(request, answer.reject);
    await connection.writePdu([encodeAssociateRj(answer.reject)]);
    // PS3.8 AE-8: after A-ASSOCIATE-RJ, ARTIM runs until the requestor closes.
    connection.startArtim(artimMs);
    return;
  }
  const ac = buildAssociateAc(rq, answer.accept, {
    maxPduLength: options.maxPduLength ?? DEFAULTS.maxPduLength,
    implementationClassUid: options.implementationClassUid ?? DEFAULT_IMPLEMENTATION.classUid,
    implementationVersionName: options.implementationVersionName ?? DEFAULT_IMPLEMENTATION.versionName,
    roleSelections: [],
  });
  const info: AssociationInfo = {
    callingAeTitle: rq.callingAeTitle,
    calledAeTitle: rq.calledAeTitle,
    remoteAddress: request.remoteAddress,
    remotePort: request.remotePort,
    presentationContexts: ac.presentationContexts
      .filter((context) => context.result === PresentationContextResult.Acceptance)
      .map((context) => ({
        id: context.id,
        transferSyntax: context.transferSyntax,
        abstractSyntax: rq.presentationContexts.find((p) => p.id === context.id)?.abstractSyntax ?? '',
      })),
    peerMaxPduLength: rq.userInformation.maxPduLength,
    peerImplementationClassUid: rq.userInformation.implementationClassUid,
    peerImplementationVersionName: rq.userInformation.implementationVersionName,
    roleSelections: ac.userInformation.roleSelections,
    userIdentity: rq.userInformation.userIdentity,
  };
  const association = new Association(connection, info, 'acceptor');
  attachScpDispatcher(association, options.handlers, {
    maxIdentifierBytes: options.maxIdentifierBytes ?? DEFAULTS.maxIdentifierBytes,
  });
  counter.opened();
  void association.closed.then(() => counter.ended());
  options.onAssociation?.(info, association.closed);
  await connection.writePdu([encodeAssociate(ac)]);
}

/** A verified client certificate's subject CN (PS3.15 B.1: the node's identity), when the peer gave one. */
function peerCommonName(socket: Socket): { peerCertificateCommonName?: string } {
  if (!(socket instanceof TLSSocket) || !socket.authorized) return {};
  const cn = socket.getPeerCertificate().subject?.CN;
  const name = Array.isArray(cn) ? cn[0] : cn;
  return name ? { peerCertificateCommonName: name } : {};
}
