import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

// Commits between two checkpoints: an ingest transaction writes some 10-20 pages, so about SQLite's own
// default of 1000 pages.
const COMMITS_PER_CHECKPOINT = 64;

/**
 * The worker's program: its own connection to the same database, and a PASSIVE checkpoint on request
 * (it copies what is committed into the database file without blocking writers; the next writer then starts
 * the WAL over). Plain JavaScript evaluated in the worker, so that it runs the same under tsx and from dist/.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 10000');
parentPort.on('message', (message) => {
  if (message === 'close') {
    db.close();
    return parentPort.close();
  }
  // A checkpoint that fails (the database busy past the timeout) is simply tried again later.
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch {}
  parentPort.postMessage('done');
});
`;

/**
 * WAL checkpoints of the SQLite database on a worker thread. SQLite checkpoints inside the commit that
 * fills the WAL past 1000 pages, and in `normal` synchronous mode a checkpoint fsyncs the WAL and the
 * database: under ingest that is a stall of the one JavaScript thread (tens of milliseconds on a busy
 * virtual disk) every hundred instances or so, during which no association is served. The connection
 * keeps a far larger automatic checkpoint as a safety net, should the worker fail.
 */
export class WalCheckpointer {
  private worker: Worker | undefined;
  private commits = 0;
  private running = false;
  private failed = false;

  constructor(private readonly file: string) {}

  /** Told after every commit; starts a checkpoint every COMMITS_PER_CHECKPOINT commits. */
  committed(): void {
    if (++this.commits < COMMITS_PER_CHECKPOINT || this.running || this.failed) return;
    this.commits = 0;
    this.running = true;
    const worker = this.start();
    worker.ref();
    worker.postMessage('checkpoint');
  }

  /** Closes the worker's connection (after a checkpoint in progress), so the caller's close is the last. */
  async close(): Promise<void> {
    this.failed = true;
    const worker = this.worker;
    if (!worker) return;
    this.worker = undefined;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.ref();
    worker.postMessage('close');
    await exited;
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { file: this.file, driver } });
    worker.unref();
    worker.on('message', () => {
      this.running = false;
      // Idle between checkpoints: it must not keep a finished command alive. Not once closing, though: the
      // answer to a checkpoint under way can come after close() and must not let the process end before
      // the worker has closed its connection (close() awaits its exit).
      if (!this.failed) worker.unref();
    });
    const fail = () => {
      this.failed = true;
      this.running = false;
      this.worker = undefined;
    };
    worker.on('error', fail);
    worker.on('exit', fail);
    this.worker = worker;
    return worker;
  }
}
