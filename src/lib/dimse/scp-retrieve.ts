/**
 * C-MOVE and C-GET on the SCP side (PS3.4 C.4.2, C.4.3; PS3.7 9.3.4, 9.3.3): pending responses with
 * sub-operation counts, a final status derived from the counts unless the handler names one, and
 * C-CANCEL ending in status Cancel (FE00) with the counts so far.
 */
import type { Command } from './command-set.js';
import { sopClassOf } from './dimse-messages.js';
import { collectData, type Operation } from './scp-operation.js';
import type { GetRequest, MoveRequest, SubOperationCounts, SubOperationResult } from './scp-handlers.js';
import { Status, statusCategory } from './status-codes.js';
import { storeOver } from './sub-operations.js';

/** Final status from the counts (PS3.4 C.4.2.1.5): all failed → A702, some failed/warned → B000. */
function finalStatus(counts: SubOperationCounts, cancelled: boolean, override: number | undefined): number {
  if (override !== undefined) return override;
  if (cancelled) return Status.Cancel;
  if (counts.failed === 0 && counts.warning === 0) return Status.Success;
  if (counts.completed === 0 && counts.warning === 0) return Status.RefusedOutOfResourcesSubOperations;
  return Status.SubOperationsCompleteWithFailures;
}

function countFields(counts: SubOperationCounts, remaining?: number): Partial<Command> {
  return {
    ...(remaining === undefined ? {} : { remainingSubOperations: remaining }),
    completedSubOperations: counts.completed,
    failedSubOperations: counts.failed,
    warningSubOperations: counts.warning,
  };
}

async function finish(
  operation: Operation,
  counts: SubOperationCounts,
  result: SubOperationResult | void,
  remaining: number | undefined,
): Promise<void> {
  const final = { ...counts, ...stripUndefined(result ?? {}) };
  const cancelled = operation.context.signal.aborted;
  const status = finalStatus(final, cancelled, result?.status);
  // Remaining is only meaningful in pending and Cancel responses (PS3.7 9.3.3.2, 9.3.4.2).
  await operation.respond(status, {
    ...countFields(final, cancelled ? remaining : undefined),
    errorComment: result?.errorComment,
  });
}

function stripUndefined(result: SubOperationResult): Partial<SubOperationCounts> {
  const out: Partial<SubOperationCounts> = {};
  if (result.completed !== undefined) out.completed = result.completed;
  if (result.failed !== undefined) out.failed = result.failed;
  if (result.warning !== undefined) out.warning = result.warning;
  return out;
}

export async function runMove(
  operation: Operation,
  handler: (request: MoveRequest) => Promise<SubOperationResult>,
): Promise<void> {
  const { message, context } = operation;
  const identifier = await collectData(operation);
  if (!identifier) return operation.respond(Status.IdentifierDoesNotMatchSopClass);
  const counts: SubOperationCounts = { completed: 0, failed: 0, warning: 0 };
  let remaining: number | undefined;
  const result = await handler({
    ...context,
    sopClassUid: sopClassOf(message.command) ?? '',
    priority: message.command.priority ?? 0,
    destination: message.command.moveDestination ?? '',
    identifier,
    report: (progress) => {
      Object.assign(counts, {
        completed: progress.completed,
        failed: progress.failed,
        warning: progress.warning,
      });
      remaining = progress.remaining;
      if (context.signal.aborted) return;
      operation.respond(Status.Pending, countFields(counts, progress.remaining)).catch(() => undefined);
    },
  });
  await finish(operation, counts, result, remaining);
}

export async function runGet(
  operation: Operation,
  handler: (request: GetRequest) => Promise<SubOperationResult | void>,
): Promise<void> {
  const { message, context, association } = operation;
  const identifier = await collectData(operation);
  if (!identifier) return operation.respond(Status.IdentifierDoesNotMatchSopClass);
  const counts: SubOperationCounts = { completed: 0, failed: 0, warning: 0 };
  let total: number | undefined;
  const remaining = (): number | undefined =>
    total === undefined ? undefined : Math.max(0, total - counts.completed - counts.failed - counts.warning);
  const result = await handler({
    ...context,
    sopClassUid: sopClassOf(message.command) ?? '',
    priority: message.command.priority ?? 0,
    identifier,
    setRemaining: (n) => {
      total = n;
    },
    store: async (item) => {
      if (context.signal.aborted) throw new Error('C-GET cancelled');
      try {
        const response = await storeOver(association, item);
        const category = statusCategory(response.status);
        if (category === 'success') counts.completed++;
        else if (category === 'warning') counts.warning++;
        else counts.failed++;
        return response;
      } catch (error) {
        counts.failed++;
        throw error;
      } finally {
        if (!context.signal.aborted && association.isOpen) {
          operation.respond(Status.Pending, countFields(counts, remaining())).catch(() => undefined);
        }
      }
    },
  });
  await finish(operation, counts, result, remaining());
}
