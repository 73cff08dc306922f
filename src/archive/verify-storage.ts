import type { RequestContext } from '../platform/context.js';
import { recordAuditAlone } from '../platform/security/index.js';
import type { BlobKey } from '../platform/storage/index.js';
import type { ArchiveDeps } from './archive-deps.js';
import { indexedBlobKeys, pageInstanceBlobs } from './retrieve-repo.js';

export interface VerifyReport {
  instances: number;
  blobs: number;
  /** Indexed instances whose file is gone. */
  missing: { sopInstanceUid: string; blobKey: string }[];
  /** Indexed instances whose file no longer hashes to its name, or has another size. */
  corrupt: { sopInstanceUid: string; blobKey: string; reason: string }[];
  /** Stored files that no index row refers to. */
  orphans: string[];
  consistent: boolean;
}

export interface VerifyProgress {
  phase: 'index' | 'orphans';
  done: number;
}

const PAGE = 500;
const PARALLEL_HASHES = 4;

/**
 * Re-hashes every stored file the index refers to and compares it with its content-hash name, then
 * lists stored files that nothing refers to. Reads the index page by page.
 */
export async function verifyStorage(
  deps: ArchiveDeps,
  ctx: RequestContext,
  onProgress: (progress: VerifyProgress) => void = () => undefined,
): Promise<VerifyReport> {
  const report: VerifyReport = {
    instances: 0,
    blobs: 0,
    missing: [],
    corrupt: [],
    orphans: [],
    consistent: true,
  };
  const verified = new Map<string, string | null>(); // blob key → problem found (null: fine)
  let afterId = 0;
  for (;;) {
    const page = await pageInstanceBlobs(deps.database, afterId, PAGE);
    if (page.length === 0) break;
    for (let i = 0; i < page.length; i += PARALLEL_HASHES) {
      await Promise.all(
        page.slice(i, i + PARALLEL_HASHES).map((row) => checkBlob(deps, row, verified, report)),
      );
    }
    report.instances += page.length;
    afterId = page[page.length - 1]!.id!;
    onProgress({ phase: 'index', done: report.instances });
  }

  let batch: string[] = [];
  const flush = async () => {
    const indexed = await indexedBlobKeys(deps.database, batch);
    report.orphans.push(...batch.filter((key) => !indexed.has(key)));
    report.blobs += batch.length;
    onProgress({ phase: 'orphans', done: report.blobs });
    batch = [];
  };
  for await (const key of deps.blobs.keys()) {
    batch.push(key);
    if (batch.length >= PAGE) await flush();
  }
  await flush();

  report.consistent =
    report.missing.length === 0 && report.corrupt.length === 0 && report.orphans.length === 0;
  await recordAuditAlone(deps.database, ctx, {
    action: 'archive.verify',
    outcome: report.consistent ? 'success' : 'failure',
    detail: {
      instances: report.instances,
      blobs: report.blobs,
      missing: report.missing.length,
      corrupt: report.corrupt.length,
      orphans: report.orphans.length,
    },
  });
  return report;
}

async function checkBlob(
  deps: ArchiveDeps,
  row: { sopInstanceUid: string; blobKey: string; size: number },
  verified: Map<string, string | null>,
  report: VerifyReport,
): Promise<void> {
  const key = row.blobKey as BlobKey;
  if (!verified.has(key)) verified.set(key, await findProblem(deps, key, row.size));
  const problem = verified.get(key);
  if (problem === 'missing') report.missing.push({ sopInstanceUid: row.sopInstanceUid, blobKey: key });
  else if (problem)
    report.corrupt.push({ sopInstanceUid: row.sopInstanceUid, blobKey: key, reason: problem });
}

async function findProblem(deps: ArchiveDeps, key: BlobKey, expectedSize: number): Promise<string | null> {
  const size = await deps.blobs.size(key);
  if (size === undefined) return 'missing';
  if (size !== expectedSize) return `size ${size}, index says ${expectedSize}`;
  const actual = await deps.blobs.rehash(key);
  return actual === key ? null : `content hashes to ${actual}`;
}
