import type { Logger } from '../../platform/log/index.js';
import type { Security } from '../../platform/security/index.js';
import { cliContext } from './cli-context.js';

/** `lantern audit verify`: recomputes the hash chain; a changed or removed record is named. */
export async function verifyAuditTrail(
  security: Security,
  log: Logger,
): Promise<{ text: string; intact: boolean }> {
  const report = await security.verifyAudit(cliContext(log, 'audit verify'));
  if (report.intact) return { text: `Audit trail intact: ${report.records} records verified.`, intact: true };
  const bad = report.firstBroken;
  const named =
    report.problem === 'missing' || !bad
      ? `record ${report.firstBrokenSeq} (missing): it was removed`
      : `record ${bad.seq} (${bad.action} by ${bad.actor} at ${bad.recordedAt}, ${bad.outcome}): it was changed`;
  return {
    text: `Audit trail BROKEN at ${named}. ${report.records} records before it verify.`,
    intact: false,
  };
}
