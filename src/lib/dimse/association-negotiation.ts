/**
 * SCP-side association negotiation (PS3.8 7.1.1, PS3.7 D.3.3): the caller's policy decides to reject
 * (result/source/reason, PS3.8 9.3.4) or to accept with a result and transfer syntax per presentation
 * context; helpers here implement the usual policy of picking transfer syntaxes by preference.
 */
import {
  DICOM_APPLICATION_CONTEXT,
  PduType,
  PresentationContextResult,
  RejectReason,
  RejectResult,
  RejectSource,
  type AcceptedPresentationContext,
  type AssociateAc,
  type AssociateRj,
  type AssociateRq,
  type RequestedPresentationContext,
  type RoleSelection,
  type UserInformation,
} from './pdu-types.js';

/** What a negotiation policy sees: the A-ASSOCIATE-RQ plus the transport peer. */
export interface AssociationRequest {
  callingAeTitle: string;
  calledAeTitle: string;
  applicationContext: string;
  presentationContexts: RequestedPresentationContext[];
  userInformation: UserInformation;
  remoteAddress: string;
  remotePort: number;
  /** True on a TLS listener. */
  secure: boolean;
  /** The subject CN of the client certificate the TLS peer presented and the listener verified. */
  peerCertificateCommonName?: string;
}

export type AssociationReject = Omit<AssociateRj, 'type'>;

export interface AssociationAccept {
  /** One answer per requested context id; ids left out are answered "no reason" (result 2). */
  presentationContexts: AcceptedPresentationContext[];
  /** Role selection answers (PS3.7 D.3.3.4); omitted ones mean the default roles. */
  roleSelections?: RoleSelection[];
  /** Server response for user identity negotiation when a positive response was requested (PS3.7 D.3.3.7). */
  userIdentityResponse?: Uint8Array;
}

export type NegotiationDecision = { reject: AssociationReject } | { accept: AssociationAccept };

export type Negotiator = (request: AssociationRequest) => NegotiationDecision | Promise<NegotiationDecision>;

/** Transfer syntaxes we accept for an abstract syntax, best first; '*' takes the requestor's first choice. */
export type TransferSyntaxPolicy = (abstractSyntax: string) => readonly string[] | undefined;

/** Picks one transfer syntax per requested context by our preference order. */
export function selectPresentationContexts(
  requested: readonly RequestedPresentationContext[],
  policy: TransferSyntaxPolicy,
): AcceptedPresentationContext[] {
  return requested.map(({ id, abstractSyntax, transferSyntaxes }) => {
    const preferred = policy(abstractSyntax);
    if (!preferred || preferred.length === 0) {
      return { id, result: PresentationContextResult.AbstractSyntaxNotSupported, transferSyntax: '' };
    }
    const chosen =
      preferred.find((ts) => ts !== '*' && transferSyntaxes.includes(ts)) ??
      (preferred.includes('*') ? transferSyntaxes[0] : undefined);
    return chosen
      ? { id, result: PresentationContextResult.Acceptance, transferSyntax: chosen }
      : { id, result: PresentationContextResult.TransferSyntaxesNotSupported, transferSyntax: '' };
  });
}

/** Accepts each proposed role selection whose SOP class has an accepted context, as proposed. */
export function acceptRoleSelections(
  request: AssociationRequest,
  accepted: readonly AcceptedPresentationContext[],
): RoleSelection[] {
  const acceptedSyntaxes = new Set(
    accepted
      .filter((context) => context.result === PresentationContextResult.Acceptance)
      .map((context) => request.presentationContexts.find((p) => p.id === context.id)?.abstractSyntax),
  );
  return request.userInformation.roleSelections.filter((role) => acceptedSyntaxes.has(role.sopClassUid));
}

/** Rejections the upper layer itself must give before any policy runs (PS3.8 9.3.4). */
export function checkRequest(rq: AssociateRq): AssociationReject | undefined {
  if ((rq.protocolVersion & 1) === 0) {
    return {
      result: RejectResult.Permanent,
      source: RejectSource.ServiceProviderAcse,
      reason: RejectReason.ProtocolVersionNotSupported,
    };
  }
  if (rq.applicationContext !== DICOM_APPLICATION_CONTEXT) {
    return {
      result: RejectResult.Permanent,
      source: RejectSource.ServiceUser,
      reason: RejectReason.ApplicationContextNotSupported,
    };
  }
  return undefined;
}

/** Builds the A-ASSOCIATE-AC, echoing the request's AE titles as PS3.8 9.3.3 asks. */
export function buildAssociateAc(
  rq: AssociateRq,
  accept: AssociationAccept,
  ours: UserInformation,
): AssociateAc {
  const answered = new Map(accept.presentationContexts.map((context) => [context.id, context]));
  return {
    type: PduType.AssociateAc,
    protocolVersion: 1,
    calledAeTitle: rq.calledAeTitle,
    callingAeTitle: rq.callingAeTitle,
    applicationContext: DICOM_APPLICATION_CONTEXT,
    presentationContexts: rq.presentationContexts.map(
      ({ id }) => answered.get(id) ?? { id, result: PresentationContextResult.NoReason, transferSyntax: '' },
    ),
    userInformation: {
      ...ours,
      roleSelections: accept.roleSelections ?? [],
      userIdentityResponse:
        rq.userInformation.userIdentity?.positiveResponseRequested && accept.userIdentityResponse
          ? accept.userIdentityResponse
          : undefined,
    },
  };
}
