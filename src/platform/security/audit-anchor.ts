import { mkdir, open, readFile, rename } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Kysely } from 'kysely';
import type { Database } from '../db/index.js';
import type { Logger } from '../log/index.js';
import { readAuditChainHead, type AuditTables } from './audit.js';

// The chain head lives in the database beside the records, so someone who can write there can cut the
// newest records and set the head back to the last one kept: the chain then verifies. An anchor outside the
// database (the head's sequence number and hash, copied to a file in the data folder now and then) survives
// that: `verifyAuditChain` refuses a chain that no longer reaches the anchor or disagrees with it. It holds
// best where the database is elsewhere (PostgreSQL); forwarding to an audit repository keeps another copy.

export interface AuditAnchor {
  seq: number;
  hash: string;
  /** When the anchor was written (ISO 8601). */
  at: string;
}

export const auditAnchorFile = (dataDir: string): string => join(dataDir, 'security', 'audit-anchor.json');

/** The anchor last written; undefined when there is none yet. A file that is not an anchor is an error. */
export async function readAuditAnchor(file: string): Promise<AuditAnchor | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const anchor = JSON.parse(text) as Partial<AuditAnchor>;
  if (!Number.isInteger(anchor.seq) || typeof anchor.hash !== 'string' || typeof anchor.at !== 'string') {
    throw new Error(`${file} is not an audit anchor`);
  }
  return anchor as AuditAnchor;
}

/**
 * Copies the chain head to the anchor file when it has moved on since the anchor was written (durably:
 * flushed, then renamed into place). Returns the anchor now in force.
 */
export async function anchorAuditChain(database: Database, file: string): Promise<AuditAnchor | undefined> {
  const db = database.kysely as Kysely<AuditTables>;
  const head = await readAuditChainHead(database);
  const current = await readAuditAnchor(file);
  const { seq } = head;
  if (seq === 0 || (current && current.seq >= seq)) return current;
  if (current) {
    // Moving the anchor past a chain that no longer holds it would wipe out the evidence.
    const anchored = await db
      .selectFrom('audit_event')
      .select('hash')
      .where('seq', '=', current.seq)
      .executeTakeFirst();
    if (anchored?.hash !== current.hash) {
      throw new Error(
        `the audit chain no longer holds its anchor, record ${current.seq}: run lantern audit verify`,
      );
    }
  }
  const anchor: AuditAnchor = { seq, hash: head.hash, at: new Date().toISOString() };
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  const temporary = `${file}.tmp`;
  const handle = await open(temporary, 'w', 0o600);
  try {
    await handle.writeFile(`${JSON.stringify(anchor)}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temporary, file);
  return anchor;
}

export interface AuditAnchoring {
  start(): Promise<void>;
  /** Writes a last anchor, so that the records of this run are covered too. */
  stop(): Promise<void>;
}

/** Anchors the chain at start, every `intervalMs`, and at stop. A failed write is logged and tried again. */
export function createAuditAnchoring(
  database: Database,
  file: string,
  log: Logger,
  intervalMs = 60_000,
): AuditAnchoring {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();
  const anchorNow = () => {
    running = running
      .then(() => anchorAuditChain(database, file))
      .catch((error: unknown) => log.warn({ err: error, file }, 'audit anchor not written; trying again'));
    return running;
  };
  return {
    async start() {
      await anchorNow();
      timer = setInterval(() => void anchorNow(), intervalMs);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      await anchorNow();
    },
  };
}
