import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

// Batches a job may have sent and not yet seen written: bounds the memory a fast sender can pin.
const MAX_IN_FLIGHT = 4;
const MAX_WORKERS = 2;
// Batch buffers of this size go back and forth between the threads instead of being garbage (see BatchBuffers).
// A batch is WRITE_BATCH_BYTES (128 KiB, local-folder-store.ts) plus at most one network piece (64 KiB).
const SLAB_BYTES = 256 * 1024;
const MAX_FREE_SLABS = 32;

/**
 * The worker's whole program: per job, write each batch at its position (pwrite, so the file's bytes land
 * in order whatever the batch sizes) and feed it to SHA-256; answer each batch, and at the end the digest
 * or the first error. Plain JavaScript evaluated in the worker, so that it runs the same under tsx, from
 * dist/ and in tests, with nothing to resolve.
 */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const { writeSync } = require('node:fs');
const jobs = new Map();
parentPort.on('message', (m) => {
  if (m.type === 'begin') return void jobs.set(m.id, { fd: m.fd, position: 0, hash: createHash('sha256'), error: undefined });
  const job = jobs.get(m.id);
  if (!job) return;
  if (m.type === 'data') {
    const bytes = new Uint8Array(m.buffer, 0, m.length);
    if (!job.error) {
      try {
        let done = 0;
        while (done < bytes.length) {
          const n = writeSync(job.fd, bytes, done, bytes.length - done, job.position + done);
          if (n === 0) throw new Error('the file system accepted no bytes');
          done += n;
        }
        job.hash.update(bytes);
      } catch (error) {
        job.error = error instanceof Error ? error.message : String(error);
      }
    }
    job.position += bytes.length;
    return void parentPort.postMessage({ type: 'written', id: m.id, buffer: m.buffer }, [m.buffer]);
  }
  jobs.delete(m.id);
  parentPort.postMessage({ type: 'done', id: m.id, error: job.error, key: job.error ? undefined : job.hash.digest('hex') });
});
`;

interface WorkerReply {
  type: 'written' | 'done';
  id: number;
  /** 'written': the batch's buffer, handed back. */
  buffer?: ArrayBuffer;
  error?: string;
  key?: string;
}

/**
 * The memory batches are copied into, handed to a worker and back. A buffer transferred to a worker and
 * dropped there is garbage of the worker's isolate, which allocates almost nothing itself and so collects
 * rarely: ingest on 4 associations grew the process by some 150 MB that way. Returned, the buffers are
 * reused; only odd sizes (a batch over a slab) are dropped, on the main thread, which collects often.
 */
class BatchBuffers {
  private readonly free: ArrayBuffer[] = [];

  /** A buffer of at least `length` bytes, not zeroed (its bytes are overwritten) and transferable. */
  take(length: number): ArrayBuffer {
    if (length <= SLAB_BYTES && this.free.length > 0) return this.free.pop()!;
    return Buffer.allocUnsafeSlow(Math.max(length, SLAB_BYTES)).buffer as ArrayBuffer;
  }

  give(buffer: ArrayBuffer): void {
    if (buffer.byteLength === SLAB_BYTES && this.free.length < MAX_FREE_SLABS) this.free.push(buffer);
  }
}

/** One file being written and hashed by a worker. */
export class HashingWrite {
  private inFlight = 0;
  private wakeWriter: (() => void) | undefined;
  private resolveDone!: (key: string) => void;
  private rejectDone!: (error: Error) => void;
  private readonly done: Promise<string>;
  private ended = false;
  private finishing = false;

  constructor(
    private readonly worker: HashingWorker,
    private readonly buffers: BatchBuffers,
    readonly id: number,
  ) {
    this.done = new Promise<string>((resolve, reject) => {
      this.resolveDone = resolve;
      this.rejectDone = reject;
    });
    this.done.catch(() => undefined);
  }

  /**
   * Copies the pieces into one buffer the worker takes over (the pieces may be views into socket buffers,
   * which cannot be handed over) and sends it; waits only while MAX_IN_FLIGHT batches are unwritten.
   */
  async write(pieces: Uint8Array[]): Promise<void> {
    let length = 0;
    for (const piece of pieces) length += piece.byteLength;
    if (length === 0) return;
    const buffer = this.buffers.take(length);
    const batch = new Uint8Array(buffer, 0, length);
    let at = 0;
    for (const piece of pieces) {
      batch.set(piece, at);
      at += piece.byteLength;
    }
    this.inFlight++;
    this.worker.post({ type: 'data', id: this.id, buffer, length }, [buffer]);
    while (this.inFlight >= MAX_IN_FLIGHT && !this.ended) {
      await new Promise<void>((resolve) => (this.wakeWriter = resolve));
    }
  }

  /**
   * Resolves with the SHA-256 (hex) of everything written once the worker has written it all, or rejects
   * with the first write error. Also the way to give up: the worker touches the file no more after this
   * settles, so only then may the file descriptor be closed (a closed number can name another file at once).
   */
  finish(): Promise<string> {
    if (!this.finishing) {
      this.finishing = true;
      this.worker.post({ type: 'end', id: this.id });
    }
    return this.done;
  }

  /** @internal a reply of the worker. */
  reply(message: WorkerReply): void {
    if (message.type === 'written') {
      if (message.buffer) this.buffers.give(message.buffer);
      this.inFlight--;
      const wake = this.wakeWriter;
      this.wakeWriter = undefined;
      wake?.();
      return;
    }
    this.settle(message.error === undefined ? undefined : new Error(message.error), message.key);
  }

  /** @internal */
  settle(error: Error | undefined, key?: string): void {
    if (this.ended) return;
    this.ended = true;
    this.wakeWriter?.();
    if (error) this.rejectDone(error);
    else this.resolveDone(key!);
  }
}

class HashingWorker {
  readonly jobs = new Map<number, HashingWrite>();
  private readonly worker: Worker;
  dead = false;

  constructor() {
    this.worker = new Worker(WORKER_SOURCE, { eval: true });
    this.worker.unref();
    this.worker.on('message', (message: WorkerReply) => {
      this.jobs.get(message.id)?.reply(message);
      if (message.type === 'done') this.remove(message.id);
    });
    const fail = (error: Error) => {
      this.dead = true;
      for (const job of this.jobs.values()) job.settle(error);
      this.jobs.clear();
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => fail(new Error(`the hashing worker exited (${code})`)));
  }

  // Referenced only while it has work: an idle worker must not keep a finished command (import) alive, and a
  // busy one must, since a pending promise alone does not.
  add(job: HashingWrite): void {
    if (this.jobs.size === 0) this.worker.ref();
    this.jobs.set(job.id, job);
  }

  private remove(id: number): void {
    if (this.jobs.delete(id) && this.jobs.size === 0) this.worker.unref();
  }

  post(message: unknown, transfer?: ArrayBuffer[]): void {
    this.worker.postMessage(message, transfer);
  }

  terminate(): Promise<number> {
    // Referenced until it has exited: an idle (unreferenced) worker would let the process end first.
    this.worker.ref();
    return this.worker.terminate();
  }
}

/**
 * SHA-256 and file writes of staged blobs on worker threads. Hashing a CT image costs 0.3-2.5 ms of CPU
 * here and its writes about as much again in system calls; on the one JavaScript thread that is time no
 * other association is served, so concurrent senders could not use the second core. Data still streams:
 * batches go to the worker as they arrive, a few at a time.
 */
export class HashingWriters {
  private workers: HashingWorker[] = [];
  private readonly buffers = new BatchBuffers();
  private nextId = 1;
  private closed = false;
  private readonly size = Math.max(1, Math.min(MAX_WORKERS, availableParallelism()));

  /** Starts writing and hashing a new file, open for writing at `fd`, on the least busy worker. */
  begin(fd: number): HashingWrite {
    if (this.closed) throw new Error('the blob store is closed');
    const worker = this.pickWorker();
    const job = new HashingWrite(worker, this.buffers, this.nextId++);
    worker.add(job);
    worker.post({ type: 'begin', id: job.id, fd });
    return job;
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.workers.map((w) => w.terminate()));
    this.workers = [];
  }

  private pickWorker(): HashingWorker {
    this.workers = this.workers.filter((w) => !w.dead);
    if (this.workers.length < this.size) {
      const idle = this.workers.find((w) => w.jobs.size === 0);
      if (idle) return idle;
      const worker = new HashingWorker();
      this.workers.push(worker);
      return worker;
    }
    return this.workers.reduce((a, b) => (b.jobs.size < a.jobs.size ? b : a));
  }
}
