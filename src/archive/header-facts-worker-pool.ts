import { Worker } from 'node:worker_threads';
import { readHeaderFacts, type HeaderReading } from './header-facts.js';
import type { HeaderAnswer, HeaderRequest } from './header-facts-worker.js';

// A worker pays off for a stream of instances, not for a few: it starts with the this-many-th store.
const STORES_BEFORE_WORKER = 16;

// Under tsx (tests, `npm run dev`) this file is TypeScript, and so is the worker's program; a worker does not
// inherit tsx's loader, so it registers it first. From dist/ both are JavaScript.
function workerSource(): string {
  const typescript = import.meta.url.endsWith('.ts');
  const program = new URL(`./header-facts-worker.${typescript ? 'ts' : 'js'}`, import.meta.url).href;
  if (!typescript) return `import(${JSON.stringify(program)});`;
  const tsx = JSON.stringify(import.meta.resolve('tsx/esm/api'));
  return `import(${tsx}).then((tsx) => { tsx.register(); return import(${JSON.stringify(program)}); });`;
}

/**
 * Reads instance headers (scan, index attributes, metadata JSON: 0.4-0.5 ms a CT image, the largest part
 * of ingest's JavaScript work) on a worker thread, so that the JavaScript thread that receives and indexes
 * instances does not: with several senders the second core takes this part. Until the worker has started,
 * and should it fail, headers are read here, as before. The worker is referenced only while it has work.
 */
export class HeaderFactsWorker {
  private worker: Worker | undefined;
  private ready = false;
  private readyWaiters: ((ready: boolean) => void)[] = [];
  private readonly pending = new Map<number, (reading: HeaderReading) => void>();
  private nextId = 1;
  private stores = 0;
  private unavailable = false;

  constructor(private readonly storesBeforeWorker = STORES_BEFORE_WORKER) {}

  /** The reading of `prefix`, which must own its buffer (the worker takes it over). Never rejects. */
  read(prefix: Uint8Array, transferSyntaxUid: string | undefined): Promise<HeaderReading> {
    const worker = this.worker;
    if (!worker || !this.ready) {
      if (!worker && !this.unavailable && ++this.stores >= this.storesBeforeWorker) this.start();
      return Promise.resolve(readHeaderFacts(prefix, transferSyntaxUid));
    }
    const id = this.nextId++;
    return new Promise<HeaderReading>((resolve) => {
      if (this.pending.size === 0) worker.ref();
      this.pending.set(id, resolve);
      const request: HeaderRequest = { id, prefix, transferSyntaxUid };
      worker.postMessage(request, [prefix.buffer as ArrayBuffer]);
    });
  }

  /** Starts the worker now; resolves true once it takes requests, false if it cannot. */
  whenReady(): Promise<boolean> {
    if (this.ready || this.unavailable) return Promise.resolve(this.ready);
    if (!this.worker) this.start();
    return new Promise((resolve) => this.readyWaiters.push(resolve));
  }

  async close(): Promise<void> {
    this.unavailable = true;
    const worker = this.worker;
    this.worker = undefined;
    if (worker) await worker.terminate();
  }

  private start(): void {
    // A small young generation: the worker's garbage (parsed headers) is short-lived, and V8's default for a
    // new isolate would let it grow by tens of MB before collecting (RSS counts on 4 associations).
    const worker = new Worker(workerSource(), {
      eval: true,
      resourceLimits: { maxYoungGenerationSizeMb: 4, maxOldGenerationSizeMb: 64 },
    });
    worker.unref();
    worker.on('message', (answer: HeaderAnswer) => {
      if ('ready' in answer) return this.settleReady(true);
      const resolve = this.pending.get(answer.id);
      this.pending.delete(answer.id);
      if (this.pending.size === 0) worker.unref();
      resolve?.(answer.reading);
    });
    // Requests in flight get `none`: their stores read the header after staging. No new worker is started.
    const fail = () => {
      this.unavailable = true;
      this.ready = false;
      if (this.worker === worker) this.worker = undefined;
      for (const resolve of this.pending.values()) resolve({ kind: 'none' });
      this.pending.clear();
      this.settleReady(false);
    };
    worker.on('error', fail);
    worker.on('exit', fail);
    this.worker = worker;
  }

  private settleReady(ready: boolean): void {
    this.ready = ready;
    for (const resolve of this.readyWaiters.splice(0)) resolve(ready);
  }
}
