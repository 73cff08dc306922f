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
import type { AePermission, AeTable } from '../../platform/security/index.js';
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

export interface AssociationPolicySettings {
  aeTitle: string;
  /** Accept C-STORE of SOP classes the registry does not list as storage (private or newer classes). */
  acceptUnknownSopClasses: boolean;
}

// The requestor's first choice: a sender's data set is kept as sent (an unreadable one is refused at ingest).
const AS_PROPOSED = ['*'];

/**
 * Who may associate, and for what (PS3.8 7.1.1, PS3.7 D.3.3). The called AE must be ours; the calling AE's
 * permissions in the AE table decide which presentation contexts are accepted, so a node without the
 * permission for a service cannot even ask for it.
 */
export function createAssociationPolicy(settings: AssociationPolicySettings, aeTable: AeTable) {
  return async (request: AssociationRequest): Promise<NegotiationDecision> => {
    if (request.calledAeTitle.trim() !== settings.aeTitle) {
      return reject(RejectReason.CalledAeTitleNotRecognized);
    }
    const permissions = new Set<AePermission>(await aeTable.permissionsOf(request.callingAeTitle));
    if (permissions.size === 0) return reject(RejectReason.CallingAeTitleNotRecognized);
    const presentationContexts = selectPresentationContexts(request.presentationContexts, (abstractSyntax) =>
      transferSyntaxesFor(abstractSyntax, permissions, settings),
    );
    return {
      accept: { presentationContexts, roleSelections: acceptRoleSelections(request, presentationContexts) },
    };
  };
}

function transferSyntaxesFor(
  abstractSyntax: string,
  permissions: Set<AePermission>,
  settings: AssociationPolicySettings,
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
