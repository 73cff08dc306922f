/**
 * Routes incoming requests on an acceptor association to the handler table and writes the responses
 * (PS3.7 9.3 DIMSE-C, 10.3 DIMSE-N). Every handler runs inside a try/catch: peer behaviour or handler bugs
 * become failure statuses or an A-ABORT, never an unhandled rejection.
 */
import type { Association } from './association.js';
import { CommandField, responseFor, sopClassOf, sopInstanceOf } from './dimse-messages.js';
import { ScpAssociation, type DimseHandlers } from './scp-handlers.js';
import { collectData, statusFields, type DispatchOptions, type Operation } from './scp-operation.js';
import { runCreate, runSet } from './scp-normalized.js';
import { runGet, runMove } from './scp-retrieve.js';
import { Status } from './status-codes.js';
import { DimseError } from './errors.js';

export function attachScpDispatcher(
  association: Association,
  handlers: DimseHandlers,
  options: DispatchOptions,
): void {
  const scpAssociation = new ScpAssociation(association);
  const running = new Map<number, AbortController>();
  void association.closed.then(() => {
    for (const controller of running.values()) controller.abort(new Error('association closed'));
  });

  association.onRequest = (message) => {
    const { command } = message;
    if (command.commandField === CommandField.CCancelRq) {
      // PS3.7 9.3.2.3: C-CANCEL names the operation by MessageIDBeingRespondedTo and gets no response.
      running.get(command.messageIdBeingRespondedTo ?? -1)?.abort(new Error('C-CANCEL'));
      message.data?.discard();
      return;
    }
    const controller = new AbortController();
    const messageId = command.messageId ?? 0;
    running.set(messageId, controller);
    const presentation = association.contextById(message.contextId);
    const operation: Operation = {
      association,
      message,
      options,
      context: {
        association: scpAssociation,
        contextId: message.contextId,
        transferSyntaxUid: presentation?.transferSyntax ?? '',
        messageId,
        signal: controller.signal,
      },
      respond: (status, extra = {}, data) =>
        association.send(message.contextId, responseFor(command, status, extra), data),
    };
    void handle(operation, handlers)
      .catch(async (error: unknown) => {
        message.data?.discard();
        await message.data?.finished.catch(() => undefined);
        // A handler may fail with a chosen status (a DimseError carrying one); anything else is 0x0110.
        const status =
          error instanceof DimseError && error.status !== undefined ? error.status : Status.ProcessingFailure;
        await operation.respond(status, { errorComment: errorComment(error) });
      })
      .catch(() => undefined)
      .finally(() => running.delete(messageId));
  };
}

function errorComment(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).slice(0, 64);
}

async function handle(operation: Operation, handlers: DimseHandlers): Promise<void> {
  const { message, context } = operation;
  const { command } = message;
  switch (command.commandField) {
    case CommandField.CEchoRq: {
      message.data?.discard();
      const result = handlers.echo ? await handlers.echo(context) : Status.Success;
      const { status, errorComment } = statusFields(result);
      return operation.respond(status, { errorComment });
    }
    case CommandField.CStoreRq:
      return runStore(operation, handlers);
    case CommandField.CFindRq:
      return runFind(operation, handlers);
    case CommandField.CMoveRq:
      return handlers.move ? runMove(operation, handlers.move) : unsupported(operation);
    case CommandField.CGetRq:
      return handlers.get ? runGet(operation, handlers.get) : unsupported(operation);
    case CommandField.NActionRq:
      return runAction(operation, handlers);
    case CommandField.NEventReportRq:
      return runEventReport(operation, handlers);
    case CommandField.NCreateRq:
      return runCreate(operation, handlers);
    case CommandField.NSetRq:
      return runSet(operation, handlers);
    default:
      message.data?.discard();
      await message.data?.finished;
      return operation.respond(Status.UnrecognizedOperation);
  }
}

async function unsupported(operation: Operation): Promise<void> {
  operation.message.data?.discard();
  await operation.message.data?.finished;
  return operation.respond(Status.SopClassNotSupported);
}

async function runStore(operation: Operation, handlers: DimseHandlers): Promise<void> {
  const { message, context } = operation;
  const data = message.data;
  if (!handlers.store || !data) return unsupported(operation);
  const { command } = message;
  const result = await handlers.store({
    ...context,
    sopClassUid: command.affectedSopClassUid ?? '',
    sopInstanceUid: command.affectedSopInstanceUid ?? '',
    priority: command.priority ?? 0,
    moveOriginator:
      command.moveOriginatorAeTitle !== undefined
        ? { aeTitle: command.moveOriginatorAeTitle, messageId: command.moveOriginatorMessageId ?? 0 }
        : undefined,
    data,
  });
  // The response may only follow the whole data set (PS3.7 9.3.1): drop whatever the handler left unread.
  data.discard();
  await data.finished;
  const { status, errorComment } = statusFields(result);
  return operation.respond(status, { errorComment });
}

async function runFind(operation: Operation, handlers: DimseHandlers): Promise<void> {
  const { message, context } = operation;
  const identifier = await collectData(operation);
  if (!handlers.find) return operation.respond(Status.SopClassNotSupported);
  if (!identifier) return operation.respond(Status.IdentifierDoesNotMatchSopClass);
  const matches = await handlers.find({
    ...context,
    sopClassUid: sopClassOf(message.command) ?? '',
    priority: message.command.priority ?? 0,
    identifier,
  });
  for await (const match of matches) {
    if (context.signal.aborted) break;
    const { identifier: bytes, status } =
      match instanceof Uint8Array ? { identifier: match, status: Status.Pending } : match;
    await operation.respond(status, {}, bytes);
  }
  // PS3.4 C.4.1.2.3: after C-CANCEL the final response is Cancel (FE00).
  return operation.respond(context.signal.aborted ? Status.Cancel : Status.Success);
}

async function runAction(operation: Operation, handlers: DimseHandlers): Promise<void> {
  const { message, context } = operation;
  const actionInformation = await collectData(operation);
  if (!handlers.action) return operation.respond(Status.NoSuchSopClass);
  const result = await handlers.action({
    ...context,
    sopClassUid: sopClassOf(message.command) ?? '',
    sopInstanceUid: sopInstanceOf(message.command) ?? '',
    actionTypeId: message.command.actionTypeId ?? 0,
    actionInformation,
  });
  const { status, errorComment, reply } =
    typeof result === 'number'
      ? { status: result, reply: undefined }
      : { errorComment: undefined, ...result };
  // PS3.7 10.3.4: the response carries the action type id, and the reply when the handler gives one.
  return operation.respond(status, { actionTypeId: message.command.actionTypeId, errorComment }, reply);
}

async function runEventReport(operation: Operation, handlers: DimseHandlers): Promise<void> {
  const { message, context } = operation;
  const eventInformation = await collectData(operation);
  const eventTypeId = message.command.eventTypeId ?? 0;
  if (!handlers.eventReport) return operation.respond(Status.NoSuchSopClass, { eventTypeId });
  const result = await handlers.eventReport({
    ...context,
    sopClassUid: sopClassOf(message.command) ?? '',
    sopInstanceUid: sopInstanceOf(message.command) ?? '',
    eventTypeId,
    eventInformation,
  });
  const { status, errorComment } = statusFields(result);
  // PS3.7 10.3.1: N-EVENT-REPORT-RSP echoes the event type id.
  return operation.respond(status, { eventTypeId, errorComment });
}
