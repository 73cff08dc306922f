import { Type } from '@sinclair/typebox';
import { group } from './setting-group.js';

// The security group of the configuration schema (schema.ts): HTTP authentication, sessions, lockout, the
// audit record repository and OpenID Connect. The doors' own rules (dicom.unknownAePermissions,
// hl7.allowedSenders, tls.*) stay with their doors' groups.
export const securitySettings = group({
  authentication: Type.Union([Type.Literal('on'), Type.Literal('off')], {
    default: 'on',
    description:
      'HTTP callers must authenticate ("on", the default); "off" lets callers without credentials in anonymously: only for a closed evaluation network.',
  }),
  bootstrapAdminApiKey: Type.String({
    default: '',
    description:
      'When set (24+ characters), an administrator API key with exactly this secret exists (automation); empty: revoked.',
  }),
  accessTokenMinutes: Type.Integer({
    minimum: 1,
    maximum: 60,
    default: 15,
    description: 'Lifetime of an access token.',
  }),
  refreshTokenHours: Type.Integer({
    minimum: 1,
    maximum: 24 * 30,
    default: 12,
    description: 'Lifetime of a login session without activity (refresh token; each use renews it).',
  }),
  lockoutThreshold: Type.Integer({
    minimum: 1,
    default: 5,
    description: 'Failed logins in a row that lock a user account.',
  }),
  lockoutMinutes: Type.Integer({
    minimum: 1,
    default: 15,
    description: 'How long a locked account stays locked.',
  }),
  loginAttemptsPerMinutePerAddress: Type.Integer({
    minimum: 1,
    default: 30,
    description:
      'Logins one client address may try per minute (more get 429); also how many refused bearer credentials of one address are audited per minute (more are only logged).',
  }),
  loginAttemptsPerMinutePerUser: Type.Integer({
    minimum: 1,
    default: 10,
    description: 'Logins per minute for one user name, from anywhere; more get 429.',
  }),
  tokenKeyFile: Type.String({
    default: '',
    description:
      'Access-token signing key file (made on first start); empty: security/token-signing.key in the data folder. Share it between nodes.',
  }),
  auditSyslog: group({
    host: Type.String({
      default: '',
      description:
        'Audit record repository: DICOM audit messages (PS3.15 A.5) as RFC 5424 syslog to this host; empty: not sent.',
    }),
    port: Type.Integer({
      minimum: 0,
      maximum: 65535,
      default: 0,
      description: 'Its port; 0: 514 for udp, 6514 for tls.',
    }),
    transport: Type.Union([Type.Literal('udp'), Type.Literal('tls')], {
      default: 'tls',
      description: '"tls" (RFC 5425) or "udp" (RFC 5426, unencrypted: trusted networks only).',
    }),
    caFile: Type.String({
      default: '',
      description:
        "PEM CA certificates that signed the repository's certificate; empty: tls.caFile, else the system's CAs.",
    }),
    maxQueue: Type.Integer({
      minimum: 1,
      default: 10000,
      description:
        'Records read from the audit trail and sent per round (at most 1,000); the trail is the queue, so nothing is dropped while the repository is unreachable.',
    }),
  }),
  oidc: group({
    issuer: Type.String({
      default: '',
      description:
        'Issuer URL of an external OpenID Connect provider whose bearer tokens are accepted; empty: none.',
    }),
    audience: Type.String({
      default: '',
      description:
        "The audience (aud) tokens must carry: Lantern's client id; required with an issuer (else Lantern does not start).",
    }),
    jwksUri: Type.String({
      default: '',
      description: "The provider's JWKS URL; empty: read from its discovery document.",
    }),
    rolesClaim: Type.String({
      default: 'roles',
      description: 'Claim with group or role names; a dotted path reaches nested ones (realm_access.roles).',
    }),
    usernameClaim: Type.String({
      default: 'preferred_username',
      description: 'Claim with the user name.',
    }),
    roleMap: Type.Array(Type.String({ pattern: '^.+=.+$' }), {
      default: [],
      description:
        'claimValue=role pairs (e.g. "pacs-admins=administrator"); empty: claim values that are Lantern role names count.',
    }),
  }),
});
