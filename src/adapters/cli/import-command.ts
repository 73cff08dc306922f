import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { relative } from 'node:path';
import { Readable } from 'node:stream';
import type { Archive } from '../../archive/index.js';
import { toLanternError } from '../../platform/errors.js';
import type { Logger } from '../../platform/log/index.js';
import { cliContext } from './cli-context.js';
import { walkFiles } from './file-walk.js';
import { ProgressLine, bar } from './progress-line.js';

// A file is read in chunks of its own size up to this: one read for a typical instance, and no buffer
// larger than the file (a fixed large buffer per file is what the garbage collector then pays for).
const MAX_READ_CHUNK = 4 * 1024 * 1024;

function readWhole(path: string, size: number) {
  if (size === 0) return Readable.from([]);
  return createReadStream(path, { highWaterMark: Math.min(size, MAX_READ_CHUNK), end: size - 1 });
}

export interface ImportSummary {
  files: number;
  bytes: number;
  stored: number;
  replaced: number;
  duplicate: number;
  /** Files that are not DICOM instances the archive can take, with the reason. */
  rejected: { path: string; reason: string }[];
  seconds: number;
}

/**
 * `lantern import <folder>`: every file under the folder through the archive's ingest path, several at a
 * time. A file that cannot be stored is reported with its reason and the run goes on.
 */
export async function importFolder(
  archive: Archive,
  log: Logger,
  folder: string,
  options: { concurrency: number; progress?: boolean },
): Promise<ImportSummary> {
  if (!(await stat(folder)).isDirectory()) throw new Error(`${folder} is not a folder`);
  let total = 0;
  for await (const _ of walkFiles(folder)) total++;

  const ctx = cliContext(log, 'import');
  const summary: ImportSummary = {
    files: 0,
    bytes: 0,
    stored: 0,
    replaced: 0,
    duplicate: 0,
    rejected: [],
    seconds: 0,
  };
  const started = Date.now();
  const progress = new ProgressLine(() => {
    const seconds = (Date.now() - started) / 1000;
    const rate = seconds > 0 ? (summary.files / seconds).toFixed(0) : '0';
    return (
      `${bar(total ? summary.files / total : 1)} ${summary.files}/${total} files  ${rate}/s  ` +
      `stored ${summary.stored + summary.replaced}  duplicate ${summary.duplicate}  rejected ${summary.rejected.length}`
    );
  });

  const files = walkFiles(folder);
  const worker = async () => {
    for (;;) {
      const next = await files.next();
      if (next.done) return;
      const path = next.value;
      try {
        const result = await archive.storeInstance(ctx, readWhole(path, (await stat(path)).size));
        summary[result.outcome]++;
        summary.bytes += result.size;
      } catch (error) {
        const { code, message } = toLanternError(error);
        summary.rejected.push({
          path: relative(folder, path) || path,
          reason: code === 'invalid' ? message : `${code}: ${message}`,
        });
      }
      summary.files++;
      if (options.progress !== false) progress.update();
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  // One flush for the whole run: when the summary prints, everything stored is on disk.
  await archive.flush();
  if (options.progress !== false) progress.done();
  summary.seconds = (Date.now() - started) / 1000;
  return summary;
}

export function formatImportSummary(summary: ImportSummary): string {
  const rate = summary.seconds > 0 ? summary.files / summary.seconds : 0;
  const mb = summary.bytes / 1e6;
  const lines = [
    `Imported ${summary.files} files in ${summary.seconds.toFixed(1)} s ` +
      `(${rate.toFixed(0)} files/s, ${(summary.seconds > 0 ? mb / summary.seconds : 0).toFixed(1)} MB/s)`,
    `  stored     ${summary.stored}`,
    ...(summary.replaced ? [`  replaced   ${summary.replaced}`] : []),
    `  duplicate  ${summary.duplicate}  (SOP Instance UID already stored)`,
    `  rejected   ${summary.rejected.length}`,
  ];
  if (summary.rejected.length > 0) {
    lines.push('', 'Rejected files:');
    for (const { path, reason } of summary.rejected) lines.push(`  ${path}: ${reason}`);
  }
  return lines.join('\n');
}
