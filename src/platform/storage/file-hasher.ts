import { createHash } from 'node:crypto';
import { readSync } from 'node:fs';
import { Worker } from 'node:worker_threads';

// Record slots (a power of two), four numbers each: kind, job, descriptor, bytes written so far.
const SLOTS = 1024;
const SLOT_MASK = SLOTS - 1;
// Control words: records published by this thread, records the worker is done with.
const HEAD = 0;
const TAIL = 1;
const enum Kind {
  Begin = 1,
  Written = 2,
  End = 3,
  Drop = 4,
}
// How long a publisher waits for a free slot before it checks that the worker still lives.
const ROOM_WAIT_MS = 1000;
const READ_BYTES = 1024 * 1024;
// The worker is told of written bytes in steps this large: an image of a few hundred KB is then read and
// hashed in one go at the end (one wake-up), a large file as it is written.
const HINT_STEP_BYTES = 1024 * 1024;
// The worker's niceness (see thread-priority.ts): measured best at 5, with the header worker at 10.
const HASH_NICENESS = 5;

/**
 * The worker's whole program: take records in order (sleeping in Atomics.wait while there are none), read
 * each job's newly written bytes back from its file (the page cache) and hash them, post each job's digest.
 * Plain JavaScript evaluated in the worker, so that it runs the same under tsx, from dist/ and in tests.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const { readSync, readlinkSync } = require('node:fs');
// Below the JavaScript thread, as in thread-priority.ts (which this evaluated program cannot import).
try {
  require('node:os').setPriority(Number(readlinkSync('/proc/thread-self').split('/').pop()), ${HASH_NICENESS});
} catch {}
const control = new Int32Array(workerData.control);
const slots = new Float64Array(workerData.slots);
const buffer = Buffer.allocUnsafe(${READ_BYTES});
const jobs = new Map();
const catchUp = (job, upTo) => {
  while (job.error === undefined && job.at < upTo) {
    try {
      const n = readSync(job.fd, buffer, 0, Math.min(buffer.length, upTo - job.at), job.at);
      if (n === 0) throw new Error('the staged file is shorter than what was written to it');
      job.hash.update(buffer.subarray(0, n));
      job.at += n;
    } catch (e) {
      job.error = String((e && e.message) || e);
    }
  }
};
let tail = Atomics.load(control, ${TAIL});
for (;;) {
  const head = Atomics.load(control, ${HEAD});
  if (head === tail) {
    Atomics.wait(control, ${HEAD}, tail);
    continue;
  }
  while (tail !== head) {
    const at = (tail & ${SLOT_MASK}) * 4;
    const kind = slots[at], id = slots[at + 1], fd = slots[at + 2], upTo = slots[at + 3];
    if (kind === ${Kind.Begin}) jobs.set(id, { hash: createHash('sha256'), fd, at: 0, error: undefined });
    else {
      const job = jobs.get(id);
      if (kind === ${Kind.Drop} || job === undefined) {
        jobs.delete(id);
        parentPort.postMessage({ id });
      } else {
        catchUp(job, upTo);
        if (kind === ${Kind.End}) {
          jobs.delete(id);
          parentPort.postMessage(job.error === undefined ? { id, key: job.hash.digest('hex') } : { id, error: job.error });
        }
      }
    }
    tail = (tail + 1) | 0;
    Atomics.store(control, ${TAIL}, tail);
  }
  Atomics.notify(control, ${TAIL});
}
`;

// In Node since 16 (V8 8.7); TypeScript's library has it from ES2024 on.
const waitAsync = (
  Atomics as unknown as {
    waitAsync(
      array: Int32Array,
      index: number,
      value: number,
      timeoutMs: number,
    ): { async: boolean; value: Promise<string> | string };
  }
).waitAsync;

/** The SHA-256 of a file being written front to back. */
export interface FileHashJob {
  /** The first `upTo` bytes of the file are written: they may be hashed now. */
  written(upTo: number): void;
  /** The hex digest of the file's first `size` bytes. The descriptor must stay open until this settles. */
  digest(size: number): Promise<string>;
  /** Gives up; the descriptor must stay open until this settles. */
  drop(): Promise<void>;
}

interface Waiter {
  kind: Kind.End | Kind.Drop;
  fd: number;
  size: number;
  resolve(key: string): void;
  reject(error: Error): void;
}

/**
 * SHA-256 of staged files on a worker thread that reads them back as they are written. The hash costs 0.3
 * ms for a CT image, a quarter of the JavaScript thread's work an instance, and with several senders that
 * thread is what they wait on. Handing the bytes themselves over cost that thread half of what it saved (a
 * copy into shared memory and a wake-up a piece); telling the worker how far the file is written costs a few
 * numbers a megabyte, and the worker's read comes from the page cache. The worker runs below the JavaScript
 * thread's priority: without that it took the core from that thread and nothing was gained (STOW-RS over four
 * streams, bench/README, seventh session). Should the worker fail or the store close, files are read back and
 * hashed on the calling thread at the end.
 */
export class FileHasher {
  private worker: Worker | undefined;
  private failed = false;
  private closed = false;
  private readonly control = new Int32Array(new SharedArrayBuffer(8));
  private readonly slots = new Float64Array(new SharedArrayBuffer(SLOTS * 4 * 8));
  private head = 0;
  /** Records that found no free slot, in order; published as the worker frees slots. */
  private backlog: number[][] = [];
  private draining: Promise<void> | undefined;
  private nextId = 1;
  private readonly waiting = new Map<number, Waiter>();
  private active = 0;

  begin(fd: number): FileHashJob {
    if (this.failed || this.closed) return inlineJob(fd);
    this.worker ??= this.start();
    // Referenced while it has work: a pending promise alone keeps no process alive, and an idle worker must not.
    if (this.active++ === 0) this.worker.ref();
    const id = this.nextId;
    this.nextId = (this.nextId % 0x7fffffff) + 1;
    this.publish(Kind.Begin, id, fd, 0);
    let ended = false;
    let hinted = 0;
    return {
      written: (upTo) => {
        if (ended || upTo - hinted < HINT_STEP_BYTES) return;
        hinted = upTo;
        this.publish(Kind.Written, id, fd, upTo);
      },
      digest: (size) => {
        ended = true;
        return this.finish(Kind.End, id, fd, size);
      },
      drop: async () => {
        if (ended) return;
        ended = true;
        await this.finish(Kind.Drop, id, fd, 0);
      },
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    this.worker = undefined;
    if (worker) {
      worker.ref();
      await worker.terminate();
    }
  }

  private async finish(kind: Kind.End | Kind.Drop, id: number, fd: number, size: number): Promise<string> {
    try {
      if (this.failed) return await lastResort(kind, fd, size);
      const result = new Promise<string>((resolve, reject) =>
        this.waiting.set(id, { kind, fd, size, resolve, reject }),
      );
      this.publish(kind, id, fd, size);
      return await result;
    } finally {
      if (--this.active === 0) this.worker?.unref();
    }
  }

  private publish(kind: Kind, id: number, fd: number, upTo: number): void {
    if (this.failed) return;
    if (this.backlog.length > 0 || !this.tryPublish(kind, id, fd, upTo)) {
      this.backlog.push([kind, id, fd, upTo]);
      this.draining ??= this.drain();
    }
  }

  private tryPublish(kind: number, id: number, fd: number, upTo: number): boolean {
    if (((this.head - Atomics.load(this.control, TAIL)) | 0) >= SLOTS) return false;
    const at = (this.head & SLOT_MASK) * 4;
    this.slots[at] = kind;
    this.slots[at + 1] = id;
    this.slots[at + 2] = fd;
    this.slots[at + 3] = upTo;
    this.head = (this.head + 1) | 0;
    Atomics.store(this.control, HEAD, this.head);
    Atomics.notify(this.control, HEAD);
    return true;
  }

  /** Publishes the backlog as slots free up; stops when the worker is gone (its jobs end in line then). */
  private async drain(): Promise<void> {
    while (this.backlog.length > 0 && !this.failed) {
      const [kind, id, fd, upTo] = this.backlog[0]!;
      if (this.tryPublish(kind!, id!, fd!, upTo!)) {
        this.backlog.shift();
        continue;
      }
      const tail = Atomics.load(this.control, TAIL);
      const wait = waitAsync(this.control, TAIL, tail, ROOM_WAIT_MS);
      if (wait.async) await wait.value;
    }
    this.draining = undefined;
  }

  private start(): Worker {
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { control: this.control.buffer, slots: this.slots.buffer },
    });
    worker.unref();
    worker.on('message', ({ id, key, error }: { id: number; key?: string; error?: string }) => {
      const waiter = this.waiting.get(id);
      this.waiting.delete(id);
      if (error === undefined) waiter?.resolve(key ?? '');
      else waiter?.reject(new Error(`hashing the staged file: ${error}`));
    });
    // Without the worker (it failed, or the store closed), the files of jobs in flight are read back and
    // hashed on this thread, and so are later ones: their descriptors are still open (see FileHashJob).
    const fail = () => {
      this.failed = true;
      this.backlog = [];
      for (const waiter of this.waiting.values())
        lastResort(waiter.kind, waiter.fd, waiter.size).then(waiter.resolve, waiter.reject);
      this.waiting.clear();
    };
    worker.on('error', fail);
    worker.on('exit', fail);
    return worker;
  }
}

/** A job's end without the worker: the digest from the file read back here, or nothing for a drop. */
function lastResort(kind: Kind.End | Kind.Drop, fd: number, size: number): Promise<string> {
  return kind === Kind.End ? inlineJob(fd).digest(size) : Promise.resolve('');
}

/** Without the worker: the file is read back and hashed on this thread at the end. */
function inlineJob(fd: number): FileHashJob {
  return {
    written: () => undefined,
    digest: async (size) => {
      const hash = createHash('sha256');
      const buffer = Buffer.allocUnsafe(Math.min(READ_BYTES, Math.max(size, 1)));
      for (let at = 0; at < size;) {
        const n = readSync(fd, buffer, 0, Math.min(buffer.length, size - at), at);
        if (n === 0) throw new Error('the staged file is shorter than what was written to it');
        hash.update(buffer.subarray(0, n));
        at += n;
      }
      return hash.digest('hex');
    },
    drop: () => Promise.resolve(),
  };
}
