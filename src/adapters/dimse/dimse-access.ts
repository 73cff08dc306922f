import type { AssociationInfo } from '../../lib/dimse/index.js';
import type { RequestContext } from '../../platform/context.js';
import type { Logger } from '../../platform/log/index.js';
import { authorize, permissionsOfAe, type Permission } from '../../platform/security/index.js';
import type { AePermissionsOf } from './calling-ae-trust.js';
import { dimseContext } from './dimse-context.js';

/** Authorization of DIMSE requests: the calling AE acts with its AE-table permissions, as every door's actor. */
export interface DimseAccess {
  /**
   * The context of a request on this association; throws `forbidden` (audited as security.deny, once)
   * unless the calling AE holds `permission`. `resource` names the request for the audit record.
   */
  authorize(info: AssociationInfo, permission: Permission, resource: string): Promise<RequestContext>;
}

/** `secure`: whether the associations this access serves came in on the TLS listener. */
export function createDimseAccess(
  database: Parameters<typeof authorize>[0],
  aePermissionsOf: AePermissionsOf,
  secure: boolean,
  log: Logger,
): DimseAccess {
  // Read once per association: the negotiation already decided on these permissions, and a C-STORE burst
  // should not look the AE up per instance. AssociationInfo is one object per association.
  const granted = new WeakMap<AssociationInfo, Promise<Permission[]>>();
  const permissionsOf = (info: AssociationInfo) => {
    let permissions = granted.get(info);
    if (!permissions) {
      permissions = aePermissionsOf(info.callingAeTitle, secure).then(permissionsOfAe);
      granted.set(info, permissions);
    }
    return permissions;
  };
  return {
    async authorize(info, permission, resource) {
      const ctx = dimseContext(log, info, await permissionsOf(info));
      await authorize(database, ctx, permission, { resource });
      return ctx;
    },
  };
}
