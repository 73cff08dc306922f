import type { AeTable, AePermission } from '../../platform/security/index.js';

export interface CallingAeTrustSettings {
  /** `cn`: the TLS client certificate is the node's identity (association-policy.ts checks it on TLS). */
  tlsAeIdentity: 'off' | 'cn';
  /** What a calling AE not in the AE table may do; also what an untrusted calling AE title gets. */
  unknownAePermissions: readonly AePermission[];
}

/** What a calling AE may do on one listener: `secure` is true on the TLS listener. */
export type AePermissionsOf = (callingAeTitle: string, secure: boolean) => Promise<readonly AePermission[]>;

/**
 * Whether a calling AE title can be believed. With `tlsAeIdentity: "cn"` a site has said that a node proves
 * who it is with its client certificate; a title alone, sent over the plain listener, proves nothing and could
 * be any privileged node's, so that peer is treated as a stranger (PS3.15 B.1; issue 8, the plain-port bypass).
 */
export function createAePermissionsOf(settings: CallingAeTrustSettings, aeTable: AeTable): AePermissionsOf {
  return async (callingAeTitle, secure) =>
    callingAeUntrusted(settings, secure)
      ? settings.unknownAePermissions
      : aeTable.permissionsOf(callingAeTitle);
}

/** True when the calling AE title on this listener proves nothing (see createAePermissionsOf). */
export const callingAeUntrusted = (
  settings: Pick<CallingAeTrustSettings, 'tlsAeIdentity'>,
  secure: boolean,
) => !secure && settings.tlsAeIdentity === 'cn';
