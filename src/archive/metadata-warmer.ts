import type { ArchiveDeps } from './archive-deps.js';
import { computeMetadata } from './instance-metadata.js';
import { cachedMetadata, saveMetadata, type StoredInstance } from './metadata-repo.js';

type Stored = Pick<StoredInstance, 'blobKey' | 'size' | 'pixelDataOffset'>;

const IDLE_MS = 250;
const BATCH = 64;
const CONCURRENCY = 8;
// Past this many waiting, newer instances are left for their first metadata request to compute.
const MAX_WAITING = 100_000;

/**
 * Computes the WADO-RS metadata of newly stored instances once ingest has paused, so that a viewer opening a
 * study that arrived a moment ago reads cached rows instead of every file's header. It never competes with
 * ingest: it waits until no instance was stored for IDLE_MS, and stops a batch early when stores resume.
 * Failures are skipped: the first request for that instance computes it again and reports the problem.
 */
export class MetadataWarmer {
  private waiting: Stored[] = [];
  private lastStoredAt = 0;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private closed = false;

  constructor(private readonly deps: ArchiveDeps) {}

  stored(instance: Stored): void {
    if (this.closed) return;
    this.lastStoredAt = Date.now();
    if (this.waiting.length < MAX_WAITING) this.waiting.push(instance);
    this.schedule();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  private schedule(): void {
    if (this.timer || this.running || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.running = this.work().finally(() => {
        this.running = undefined;
        if (this.waiting.length > 0) this.schedule();
      });
    }, IDLE_MS);
    this.timer.unref();
  }

  private ingestPaused(): boolean {
    return Date.now() - this.lastStoredAt >= IDLE_MS;
  }

  private async work(): Promise<void> {
    while (this.waiting.length > 0 && !this.closed && this.ingestPaused()) {
      const batch = this.waiting.splice(0, BATCH);
      try {
        const cached = await cachedMetadata(
          this.deps.database,
          batch.map((s) => s.blobKey),
        );
        const missing = [...new Map(batch.filter((s) => !cached.has(s.blobKey)).map((s) => [s.blobKey, s]))];
        const computed: { blobKey: string; json: string }[] = [];
        for (let i = 0; i < missing.length && !this.closed; i += CONCURRENCY) {
          const group = missing.slice(i, i + CONCURRENCY);
          const jsons = await Promise.all(
            group.map(([, s]) => computeMetadata(this.deps, s).catch(() => undefined)),
          );
          group.forEach(([blobKey], j) => {
            if (jsons[j] !== undefined) computed.push({ blobKey, json: jsons[j] });
          });
        }
        if (!this.closed) await saveMetadata(this.deps.database, computed);
      } catch {
        // The database went away (shutdown) or refused the batch: those instances are computed on request.
      }
    }
  }
}
