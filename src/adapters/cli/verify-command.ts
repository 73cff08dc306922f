import type { Archive, VerifyReport } from '../../archive/index.js';
import type { Logger } from '../../platform/log/index.js';
import { cliContext } from './cli-context.js';
import { ProgressLine } from './progress-line.js';

/** `lantern verify`: re-hash every stored file against the index, and look for orphans. */
export async function verifyArchive(archive: Archive, log: Logger, progress = true): Promise<VerifyReport> {
  let status = 'starting';
  const line = new ProgressLine(() => status);
  const report = await archive.verifyStorage(cliContext(log, 'verify'), (p) => {
    status =
      p.phase === 'index' ? `checked ${p.done} instances` : `looked at ${p.done} stored files for orphans`;
    if (progress) line.update();
  });
  if (progress) line.done();
  return report;
}

export function formatVerifyReport(report: VerifyReport): string {
  const lines = [
    `Checked ${report.instances} indexed instances and ${report.blobs} stored files.`,
    `  missing files   ${report.missing.length}`,
    `  corrupt files   ${report.corrupt.length}`,
    `  orphan files    ${report.orphans.length}`,
  ];
  for (const m of report.missing) lines.push(`  missing: ${m.sopInstanceUid} (${m.blobKey})`);
  for (const c of report.corrupt) lines.push(`  corrupt: ${c.sopInstanceUid} (${c.blobKey}): ${c.reason}`);
  for (const o of report.orphans) lines.push(`  orphan: ${o}`);
  lines.push(report.consistent ? 'Index and storage agree.' : 'Index and storage DISAGREE.');
  return lines.join('\n');
}
