/**
 * DIMSE command fields (PS3.7 E.1) and the builders for the commands this library sends, so that each
 * service's mandatory elements are set in one place (PS3.7 9.3 for DIMSE-C, 10.3 for DIMSE-N).
 */
import type { Command } from './command-set.js';

export const CommandField = {
  CStoreRq: 0x0001,
  CStoreRsp: 0x8001,
  CGetRq: 0x0010,
  CGetRsp: 0x8010,
  CFindRq: 0x0020,
  CFindRsp: 0x8020,
  CMoveRq: 0x0021,
  CMoveRsp: 0x8021,
  CEchoRq: 0x0030,
  CEchoRsp: 0x8030,
  NEventReportRq: 0x0100,
  NEventReportRsp: 0x8100,
  NGetRq: 0x0110,
  NGetRsp: 0x8110,
  NSetRq: 0x0120,
  NSetRsp: 0x8120,
  NActionRq: 0x0130,
  NActionRsp: 0x8130,
  NCreateRq: 0x0140,
  NCreateRsp: 0x8140,
  NDeleteRq: 0x0150,
  NDeleteRsp: 0x8150,
  CCancelRq: 0x0fff,
} as const;

/** PS3.7 9.1.1.1.9: 0 medium, 1 high, 2 low. */
export const Priority = { Medium: 0, High: 1, Low: 2 } as const;

export const isResponse = (command: Command): boolean => (command.commandField & 0x8000) !== 0;

/** DIMSE-N requests name the SOP class/instance as "Requested" in N-ACTION/N-GET/N-SET/N-DELETE (PS3.7 10.3). */
export function sopClassOf(command: Command): string | undefined {
  return command.affectedSopClassUid ?? command.requestedSopClassUid;
}

export function sopInstanceOf(command: Command): string | undefined {
  return command.affectedSopInstanceUid ?? command.requestedSopInstanceUid;
}

/**
 * The response command for a request: field with bit 15 set, MessageIDBeingRespondedTo, and the affected
 * SOP class/instance echoed as PS3.7 9.3 and 10.3 require (the "requested" values become "affected").
 */
export function responseFor(request: Command, status: number, extra: Partial<Command> = {}): Command {
  const nService = request.commandField >= 0x0100 && request.commandField !== CommandField.CCancelRq;
  return {
    commandField: request.commandField | 0x8000,
    messageIdBeingRespondedTo: request.messageId ?? 0,
    affectedSopClassUid: sopClassOf(request),
    ...(nService || request.commandField === CommandField.CStoreRq
      ? { affectedSopInstanceUid: sopInstanceOf(request) }
      : {}),
    hasDataSet: false,
    status,
    ...extra,
  };
}
