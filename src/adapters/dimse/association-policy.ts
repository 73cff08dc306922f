import { STORAGE_SOP_CLASSES } from '../../lib/dicom/index.js';
import {
  RejectReason,
  RejectResult,
  RejectSource,
  acceptRoleSelections,
  selectPresentationContexts,
  type AssociationRequest,
  type NegotiationDecision,
} from '../../lib/dimse/index.js';
import type { Logger } from '../../platform/log/index.js';
import { AE_PERMISSIONS, recordAuditAlone, type AePermission } from '../../platform/security/index.js';
import { callingAeUntrusted, type AePermissionsOf, type CallingAeTrustSettings } from './calling-ae-trust.js';
import { dimseContext } from './dimse-context.js';
import {
  CONTROL_TRANSFER_SYNTAXES,
  FIND_MODELS,
  GET_MODELS,
  MODALITY_WORKLIST_FIND,
  MOVE_MODELS,
  MPPS,
  STORAGE_COMMITMENT_PUSH,
  VERIFICATION,
} from './sop-classes.js';

export interface AssociationPolicySettings extends CallingAeTrustSettings {
  aeTitle: string;
  /** Accept C-STORE of SOP classes the registry does not list as storage (private or newer classes). */
  acceptUnknownSopClasses: boolean;
  /**
   * TLS client certificates as the node's identity (PS3.15 B.1): `cn`: on the TLS listener the calling AE
   * title must be the certificate's subject CN, or the title `tlsAeMap` gives that CN, and on the plain
   * listener the title is not believed (calling-ae-trust.ts); `off`: not checked.
   */
  tlsAeIdentity: 'off' | 'cn';
  /** `CN=AE_TITLE` pairs: the AE title a certificate subject CN may call as. */
  tlsAeMap: readonly string[];
}

// The requestor's first choice: a sender's data set is kept as sent (an unreadable one is refused at ingest).
const AS_PROPOSED = ['*'];
const EVERYTHING = new Set<AePermission>(AE_PERMISSIONS);

/**
 * Who may associate, and for what (PS3.8 7.1.1, PS3.7 D.3.3). The called AE must be ours; the calling AE's
 * permissions in the AE table decide which presentation contexts are accepted, so a node without the
 * permission for a service cannot even ask for it. Every refusal of policy is audited once (security.deny):
 * a rejected association, or the contexts refused only for want of a permission.
 */
export function createAssociationPolicy(
  settings: AssociationPolicySettings,
  services: { permissionsOf: AePermissionsOf; database: Parameters<typeof recordAuditAlone>[0] },
  log: Logger,
) {
  const certificateAes = parseAeMap(settings.tlsAeMap);
  const deny = async (request: AssociationRequest, detail: Record<string, unknown>) => {
    try {
      await recordAuditAlone(services.database, dimseContext(log, request), {
        action: 'security.deny',
        outcome: 'failure',
        detail: { resource: 'A-ASSOCIATE', ...detail },
      });
    } catch (error) {
      log.error({ err: error }, 'audit record of a refused association could not be written');
    }
  };
  const rejected = async (request: AssociationRequest, reason: number, why: string) => {
    await deny(request, { reason: why });
    return reject(reason);
  };

  return async (request: AssociationRequest): Promise<NegotiationDecision> => {
    const calling = request.callingAeTitle.trim();
    if (request.calledAeTitle.trim() !== settings.aeTitle) {
      return rejected(
        request,
        RejectReason.CalledAeTitleNotRecognized,
        `called AE ${request.calledAeTitle.trim()} is not ${settings.aeTitle}`,
      );
    }
    if (request.secure && settings.tlsAeIdentity === 'cn') {
      const cn = request.peerCertificateCommonName;
      const allowed = cn === undefined ? undefined : (certificateAes.get(cn) ?? cn);
      if (allowed !== calling) {
        return rejected(
          request,
          RejectReason.CallingAeTitleNotRecognized,
          cn === undefined
            ? 'no client certificate names the calling AE'
            : `client certificate CN ${cn} may call as ${allowed}, not ${calling}`,
        );
      }
    }
    const untrusted = callingAeUntrusted(settings, request.secure);
    const permissions = new Set<AePermission>(await services.permissionsOf(calling, request.secure));
    // Said in the audit, so that a node refused on the plain port knows to call the TLS one.
    const trust = untrusted
      ? { untrusted: 'dicom.tlsAeIdentity is "cn": a calling AE title on the plain port is not trusted' }
      : {};
    if (permissions.size === 0) {
      return rejected(
        request,
        RejectReason.CallingAeTitleNotRecognized,
        untrusted
          ? `calling AE ${calling} on the plain port: dicom.tlsAeIdentity "cn" trusts AE titles only on TLS`
          : `calling AE ${calling} may do nothing`,
      );
    }
    const presentationContexts = selectPresentationContexts(request.presentationContexts, (abstractSyntax) =>
      transferSyntaxesFor(abstractSyntax, permissions, settings),
    );
    // Contexts Lantern would accept from a node holding every permission: refused for want of one.
    const refused = request.presentationContexts.filter(
      (context) =>
        transferSyntaxesFor(context.abstractSyntax, permissions, settings) === undefined &&
        transferSyntaxesFor(context.abstractSyntax, EVERYTHING, settings) !== undefined,
    );
    if (refused.length > 0) {
      await deny(request, {
        refused: [...new Set(refused.map((context) => context.abstractSyntax))],
        granted: [...permissions],
        ...trust,
      });
    }
    return {
      accept: { presentationContexts, roleSelections: acceptRoleSelections(request, presentationContexts) },
    };
  };
}

/** `CN=AE` pairs → CN → AE title; the CN may contain `=`, the AE title may not. */
function parseAeMap(pairs: readonly string[]): Map<string, string> {
  const map = new Map<string, string>();
  for (const pair of pairs) {
    const eq = pair.lastIndexOf('=');
    if (eq > 0) map.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
  }
  return map;
}

function transferSyntaxesFor(
  abstractSyntax: string,
  permissions: Set<AePermission>,
  settings: Pick<AssociationPolicySettings, 'acceptUnknownSopClasses'>,
): readonly string[] | undefined {
  const control = CONTROL_TRANSFER_SYNTAXES;
  if (abstractSyntax === VERIFICATION) return permissions.has('echo') ? control : undefined;
  if (FIND_MODELS.has(abstractSyntax)) return permissions.has('query') ? control : undefined;
  // A modality's RIS workflow: it reads its worklist and reports what it performed.
  if (abstractSyntax === MODALITY_WORKLIST_FIND || abstractSyntax === MPPS) {
    return permissions.has('worklist') ? control : undefined;
  }
  if (MOVE_MODELS.has(abstractSyntax) || GET_MODELS.has(abstractSyntax)) {
    return permissions.has('retrieve') ? control : undefined;
  }
  if (abstractSyntax === STORAGE_COMMITMENT_PUSH) return permissions.has('store') ? control : undefined;
  const storable = STORAGE_SOP_CLASSES.has(abstractSyntax) || settings.acceptUnknownSopClasses;
  // Storage classes: as the sender proposes, so files are kept exactly as sent. They are also what a C-GET
  // requestor proposes to receive its instances on, which `retrieve` allows.
  if (storable && (permissions.has('store') || permissions.has('retrieve'))) return AS_PROPOSED;
  return undefined;
}

function reject(reason: number): NegotiationDecision {
  return { reject: { result: RejectResult.Permanent, source: RejectSource.ServiceUser, reason } };
}
