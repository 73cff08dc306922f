/**
 * N-CREATE and N-SET as an SCP (PS3.7 10.1.5, 10.1.3): the data set is collected under the identifier cap
 * and handed to the handler; the response echoes the SOP class and names the instance (the one the SCP
 * chose when the requestor left it out), with the handler's status, error fields and attribute list.
 */
import type { Command } from './command-set.js';
import { sopClassOf, sopInstanceOf } from './dimse-messages.js';
import type { DimseHandlers, NormalizedResult } from './scp-handlers.js';
import { collectData, type Operation } from './scp-operation.js';
import { Status } from './status-codes.js';

export async function runCreate(operation: Operation, handlers: DimseHandlers): Promise<void> {
  const { message, context } = operation;
  const attributes = await collectData(operation);
  if (!handlers.create) return operation.respond(Status.NoSuchSopClass);
  const result = await handlers.create({
    ...context,
    sopClassUid: sopClassOf(message.command) ?? '',
    sopInstanceUid: sopInstanceOf(message.command) || undefined,
    attributes,
  });
  return respond(operation, result);
}

export async function runSet(operation: Operation, handlers: DimseHandlers): Promise<void> {
  const { message, context } = operation;
  const modifications = await collectData(operation);
  if (!handlers.set) return operation.respond(Status.NoSuchSopClass);
  const result = await handlers.set({
    ...context,
    sopClassUid: sopClassOf(message.command) ?? '',
    sopInstanceUid: sopInstanceOf(message.command) ?? '',
    modifications,
  });
  return respond(operation, result);
}

function respond(operation: Operation, result: NormalizedResult): Promise<void> {
  const fields = typeof result === 'number' ? { status: result } : result;
  const extra: Partial<Command> = {
    errorComment: fields.errorComment?.slice(0, 64),
    errorId: fields.errorId,
    offendingElement: fields.offendingElement,
  };
  if (fields.sopInstanceUid) extra.affectedSopInstanceUid = fields.sopInstanceUid;
  return operation.respond(fields.status, extra, fields.attributes);
}
