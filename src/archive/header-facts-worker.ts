// The header worker's program (see HeaderFactsWorker): one header reading per message, answered by id.
import { parentPort } from 'node:worker_threads';
import { lowerThreadPriority } from '../platform/thread-priority.js';
import { readHeaderFacts, type HeaderReading } from './header-facts.js';

export interface HeaderRequest {
  id: number;
  prefix: Uint8Array;
  transferSyntaxUid: string | undefined;
}

export type HeaderAnswer = { id: number; reading: HeaderReading } | { ready: true };

// Its answers come back to the JavaScript thread, which must not wait behind it for a core.
if (parentPort) lowerThreadPriority(10);
parentPort?.on('message', (request: HeaderRequest) => {
  const reading = readHeaderFacts(request.prefix, request.transferSyntaxUid);
  parentPort!.postMessage({ id: request.id, reading } satisfies HeaderAnswer);
});
parentPort?.postMessage({ ready: true } satisfies HeaderAnswer);
