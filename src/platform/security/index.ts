export {
  auditPatients,
  recordAudit,
  recordAuditAlone,
  recordAuditFailure,
  verifyAuditChain,
  type AuditEntry,
  type AuditOutcome,
  type AuditChainReport,
} from './audit.js';
export {
  AE_PERMISSIONS,
  normalizeAeTitle,
  type AePermission,
  type ApplicationEntity,
} from './application-entity.js';
export { createAeTable, type AeTable, type AeTableSettings, type AeInput } from './application-entities.js';
export {
  createAuditReader,
  MAX_AUDIT_LIMIT,
  type AuditReader,
  type AuditRecord,
  type AuditSearch,
} from './audit-search.js';
export {
  PERMISSIONS,
  ROLES,
  ROLE_PERMISSIONS,
  BREAK_GLASS_GRANTS,
  isRole,
  isPermission,
  permissionsOfRoles,
  type Permission,
  type Role,
} from './permissions.js';
export {
  authorize,
  authorizeDoor,
  hasPermission,
  permissionsOf,
  permissionsOfAe,
  patientScopeOf,
  reaches,
  reachWithoutReferrals,
  breakGlass,
  ALL_PATIENTS,
  type PatientScope,
  type PatientReachResolver,
  type ReachablePatients,
  type AuthorizeTarget,
} from './policy.js';
export { reachCondition } from './patient-reach-sql.js';
export { authorizedService, type PermissionTable } from './service-authorization.js';
export { createSettingsReader, redactSettings, type SettingsReader } from './settings-reader.js';
export { ANONYMOUS, OPEN_ACCESS_ANONYMOUS, userActor, serviceActor } from './identity.js';
export { checkPasswordRules, PASSWORD_MIN_LENGTH } from './password-rules.js';
export {
  parseSmartScopes,
  smartDelegationOf,
  smartScopesAllow,
  type SmartDelegation,
  type SmartScope,
  type SmartDecision,
} from './smart-scopes.js';
export type { User } from './users.js';
export type { ApiKey } from './api-keys.js';
export {
  createSecurity,
  BOOTSTRAP_KEY_NAME,
  type Security,
  type SecuritySettings,
  type Authenticated,
  type Session,
} from './security-service.js';
export { oneTimePassword } from './one-time-password.js';
export { createAuditForwarder, type AuditForwarder, type AuditSyslogSettings } from './audit-forwarder.js';
export { auditAnchorFile, createAuditAnchoring, type AuditAnchoring } from './audit-anchor.js';
export { dicomAuditMessage, auditEventOf } from './dicom-audit-message.js';
export { listenerTls, type ListenerTls, type SharedTls } from './listener-tls.js';
