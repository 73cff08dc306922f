/** One incoming request being served: what the service runners of scp-dispatch and scp-retrieve share. */
import type { Association } from './association.js';
import type { Command } from './command-set.js';
import type { IncomingMessage } from './message-assembler.js';
import type { RequestContext, StatusResult } from './scp-handlers.js';

export interface DispatchOptions {
  /** Cap for identifiers and action information collected in memory (C-FIND/C-MOVE/C-GET/N-ACTION). */
  maxIdentifierBytes: number;
}

/** Everything a service runner needs for one request. */
export interface Operation {
  association: Association;
  message: IncomingMessage;
  context: RequestContext;
  options: DispatchOptions;
  respond(status: number, extra?: Partial<Command>, data?: Uint8Array): Promise<void>;
}

export function statusFields(result: StatusResult): { status: number; errorComment?: string } {
  return typeof result === 'number' ? { status: result } : result;
}

/** Collects a small data set (identifier, action information) under the size cap. */
export async function collectData(operation: Operation): Promise<Uint8Array | undefined> {
  const data = operation.message.data;
  if (!data) return undefined;
  return data.collect(operation.options.maxIdentifierBytes);
}
