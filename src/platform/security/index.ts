export {
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
