/**
 * Requests that either side sends on an established association and that both engines share: C-STORE
 * (an SCU store, or a C-GET sub-operation sent by the SCP, PS3.4 C.4.3.3) and N-EVENT-REPORT (storage
 * commitment result sent by the SCP on the requestor's association, PS3.4 J.3.3).
 */
import type { Association } from './association.js';
import type { Command } from './command-set.js';
import { CommandField, Priority } from './dimse-messages.js';
import { DimseError } from './errors.js';
import type { DataSource } from './message-sender.js';

export interface StoreItem {
  sopClassUid: string;
  sopInstanceUid: string;
  /** Transfer syntax the data set is encoded in; an accepted context with it must exist (no transcoding). */
  transferSyntaxUid: string;
  /** The data set only (no Part 10 preamble or file meta group). */
  data: DataSource;
  priority?: number;
  /** For C-STORE sub-operations of a C-MOVE (PS3.7 9.3.1.1). */
  moveOriginator?: { aeTitle: string; messageId: number };
}

/** The C-STORE-RSP (or N-EVENT-REPORT-RSP) fields a caller needs. */
export interface ResponseStatus {
  status: number;
  errorComment?: string | undefined;
  offendingElement?: number[] | undefined;
  command: Command;
}

function toStatus(command: Command): ResponseStatus {
  return {
    status: command.status ?? 0xffff,
    errorComment: command.errorComment,
    offendingElement: command.offendingElement,
    command,
  };
}

export async function storeOver(association: Association, item: StoreItem): Promise<ResponseStatus> {
  const context = association.findContext(item.sopClassUid, item.transferSyntaxUid);
  if (!context) {
    throw new DimseError(
      'no-presentation-context',
      `no accepted presentation context for ${item.sopClassUid} in ${item.transferSyntaxUid}`,
    );
  }
  const command: Command = {
    commandField: CommandField.CStoreRq,
    messageId: association.nextMessageId(),
    affectedSopClassUid: item.sopClassUid,
    affectedSopInstanceUid: item.sopInstanceUid,
    priority: item.priority ?? Priority.Medium,
    hasDataSet: true,
    moveOriginatorAeTitle: item.moveOriginator?.aeTitle,
    moveOriginatorMessageId: item.moveOriginator?.messageId,
  };
  const response = await association.request(context.id, command, item.data);
  response.data?.discard();
  return toStatus(response.command);
}

export interface EventReport {
  sopClassUid: string;
  sopInstanceUid: string;
  eventTypeId: number;
  /** Event information data set, encoded in the context's transfer syntax. */
  eventInformation?: Uint8Array;
}

export async function sendEventReport(
  association: Association,
  report: EventReport,
): Promise<ResponseStatus> {
  const context = association.findContext(report.sopClassUid);
  if (!context)
    throw new DimseError('no-presentation-context', `no accepted context for ${report.sopClassUid}`);
  const command: Command = {
    commandField: CommandField.NEventReportRq,
    messageId: association.nextMessageId(),
    affectedSopClassUid: report.sopClassUid,
    affectedSopInstanceUid: report.sopInstanceUid,
    eventTypeId: report.eventTypeId,
    hasDataSet: report.eventInformation !== undefined,
  };
  const response = await association.request(context.id, command, report.eventInformation);
  response.data?.discard();
  return toStatus(response.command);
}
