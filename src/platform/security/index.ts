export {
  recordAudit,
  recordAuditAlone,
  recordAuditFailure,
  verifyAuditChain,
  type AuditEntry,
  type AuditOutcome,
  type AuditChainReport,
} from './audit.js';
