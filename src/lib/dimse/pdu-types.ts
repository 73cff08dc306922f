/**
 * Upper-layer PDU structures (PS3.8 9.3): the values our codec reads and writes. Field names follow the
 * standard's item names; numeric codes are kept as numbers so unknown values survive decoding.
 */

/** PDU type codes (PS3.8 9.3.1). */
export const PduType = {
  AssociateRq: 0x01,
  AssociateAc: 0x02,
  AssociateRj: 0x03,
  PDataTf: 0x04,
  ReleaseRq: 0x05,
  ReleaseRp: 0x06,
  Abort: 0x07,
} as const;

/** Item type codes inside A-ASSOCIATE-RQ/AC (PS3.8 9.3.2, 9.3.3) and user information (PS3.7 D.3.3). */
export const ItemType = {
  ApplicationContext: 0x10,
  PresentationContextRq: 0x20,
  PresentationContextAc: 0x21,
  AbstractSyntax: 0x30,
  TransferSyntax: 0x40,
  UserInformation: 0x50,
  MaxLength: 0x51,
  ImplementationClassUid: 0x52,
  AsyncOperationsWindow: 0x53,
  RoleSelection: 0x54,
  ImplementationVersionName: 0x55,
  UserIdentityRq: 0x58,
  UserIdentityAc: 0x59,
} as const;

/** The only application context name defined by DICOM (PS3.7 A.2.1). */
export const DICOM_APPLICATION_CONTEXT = '1.2.840.10008.3.1.1.1';

/** Presentation context result/reason in A-ASSOCIATE-AC (PS3.8 9.3.3.2). */
export const PresentationContextResult = {
  Acceptance: 0,
  UserRejection: 1,
  NoReason: 2,
  AbstractSyntaxNotSupported: 3,
  TransferSyntaxesNotSupported: 4,
} as const;

/** A-ASSOCIATE-RJ result, source and reason/diag values (PS3.8 9.3.4). */
export const RejectResult = { Permanent: 1, Transient: 2 } as const;
export const RejectSource = {
  ServiceUser: 1,
  ServiceProviderAcse: 2,
  ServiceProviderPresentation: 3,
} as const;
export const RejectReason = {
  // source 1 (service user)
  NoReasonGiven: 1,
  ApplicationContextNotSupported: 2,
  CallingAeTitleNotRecognized: 3,
  CalledAeTitleNotRecognized: 7,
  // source 2 (ACSE): 1 no reason, 2 protocol version not supported
  ProtocolVersionNotSupported: 2,
  // source 3 (presentation): 1 temporary congestion, 2 local limit exceeded
  TemporaryCongestion: 1,
  LocalLimitExceeded: 2,
} as const;

/** A-ABORT source and provider reason/diag (PS3.8 9.3.8). */
export const AbortSource = { ServiceUser: 0, ServiceProvider: 2 } as const;
export const AbortReason = {
  NotSpecified: 0,
  UnrecognizedPdu: 1,
  UnexpectedPdu: 2,
  UnrecognizedPduParameter: 4,
  UnexpectedPduParameter: 5,
  InvalidPduParameterValue: 6,
} as const;

export interface RequestedPresentationContext {
  id: number;
  abstractSyntax: string;
  transferSyntaxes: string[];
}

export interface AcceptedPresentationContext {
  id: number;
  /** One of PresentationContextResult. */
  result: number;
  /** Meaningful only when result is Acceptance. */
  transferSyntax: string;
}

/** SCP/SCU role selection sub-item (PS3.7 D.3.3.4): true means "this role is proposed / accepted". */
export interface RoleSelection {
  sopClassUid: string;
  scuRole: boolean;
  scpRole: boolean;
}

/** User identity negotiation (PS3.7 D.3.3.7): type 1 username, 2 username+passcode, 3 Kerberos, 4 SAML, 5 JWT. */
export interface UserIdentityRequest {
  type: number;
  positiveResponseRequested: boolean;
  primaryField: Uint8Array;
  secondaryField: Uint8Array;
}

export interface UserInformation {
  /** Maximum length of P-DATA-TF PDUs the sender can receive; 0 means unlimited (PS3.8 D.1). */
  maxPduLength: number;
  implementationClassUid: string;
  implementationVersionName?: string | undefined;
  asyncOperations?: { maxInvoked: number; maxPerformed: number } | undefined;
  roleSelections: RoleSelection[];
  userIdentity?: UserIdentityRequest | undefined;
  /** Server response of user identity negotiation (AC only). */
  userIdentityResponse?: Uint8Array | undefined;
}

export interface AssociateRq {
  type: typeof PduType.AssociateRq;
  protocolVersion: number;
  calledAeTitle: string;
  callingAeTitle: string;
  applicationContext: string;
  presentationContexts: RequestedPresentationContext[];
  userInformation: UserInformation;
}

export interface AssociateAc {
  type: typeof PduType.AssociateAc;
  protocolVersion: number;
  calledAeTitle: string;
  callingAeTitle: string;
  applicationContext: string;
  presentationContexts: AcceptedPresentationContext[];
  userInformation: UserInformation;
}

export interface AssociateRj {
  type: typeof PduType.AssociateRj;
  result: number;
  source: number;
  reason: number;
}

export interface ReleasePdu {
  type: typeof PduType.ReleaseRq | typeof PduType.ReleaseRp;
}

export interface AbortPdu {
  type: typeof PduType.Abort;
  source: number;
  reason: number;
}

/** Every PDU except P-DATA-TF, which the reader delivers as PDV pieces instead. */
export type ControlPdu = AssociateRq | AssociateAc | AssociateRj | ReleasePdu | AbortPdu;
