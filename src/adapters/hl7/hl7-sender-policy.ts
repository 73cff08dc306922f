import type { Hl7Message, MllpPeer } from '../../lib/hl7v2/index.js';
import type { Logger } from '../../platform/log/index.js';
import { createContext } from '../../platform/context.js';
import { authorize, type Permission } from '../../platform/security/index.js';
import type { FailureClass } from './hl7-ack.js';

// Who may send what: the HL7 door authorizes by sending application and facility (MSH-3, MSH-4), the way
// the DIMSE door does by calling AE. hl7.allowedSenders entries: `APP`, `APP^FACILITY`, optionally
// `=adt,orders` (what that sender may send; default both); `*` as APP stands for any application (closed
// evaluation networks). Empty list, the default: no sender, so an unconfigured server changes no patient.

/** What a kind of message asks of Lantern. Other message types are refused later as unsupported. */
const PERMISSION_OF_TYPE: Record<string, Permission> = {
  ADT: 'patient.write',
  ORM: 'order.write',
  OMI: 'order.write',
  // Booking an order's exam is part of the orders right (SIU^S12–S15).
  SIU: 'order.write',
};
const RIGHTS: Record<string, Permission> = { adt: 'patient.write', orders: 'order.write' };
const ALL = [...new Set(Object.values(RIGHTS))];
const ANY_APPLICATION = '*';

interface SenderEntry {
  application: string;
  facility?: string;
  permissions: Permission[];
}

export function parseSenderEntry(entry: string): SenderEntry {
  const eq = entry.indexOf('=');
  const who = eq < 0 ? entry : entry.slice(0, eq);
  const [application = '', facility] = who.split('^');
  const rights =
    eq < 0
      ? undefined
      : entry
          .slice(eq + 1)
          .split(',')
          .map((r) => r.trim());
  const unknown = rights?.filter((r) => !(r in RIGHTS)) ?? [];
  if (unknown.length > 0) {
    throw new Error(`hl7.allowedSenders: '${entry}': unknown ${unknown.join(', ')} (known: adt, orders)`);
  }
  return {
    application: application.trim(),
    ...(facility === undefined ? {} : { facility: facility.trim() }),
    permissions: rights ? [...new Set(rights.map((r) => RIGHTS[r]!))] : ALL,
  };
}

/**
 * The receiver's check before it stores a message: undefined when the sender may send it, else the AR
 * failure, with the refusal audited once (security.deny by the hl7-app actor, from the peer's address).
 */
export function createSenderPolicy(
  allowedSenders: readonly string[],
  database: Parameters<typeof authorize>[0],
  log: Logger,
) {
  const entries = allowedSenders.map(parseSenderEntry);
  // The first matching entry decides, so a named sender listed before `*` keeps its narrower rights.
  const permissionsOf = (message: Hl7Message): Permission[] => {
    const entry = entries.find(
      (e) =>
        (e.application === ANY_APPLICATION || e.application === message.sendingApplication) &&
        (e.facility === undefined || e.facility === message.sendingFacility),
    );
    return entry?.permissions ?? [];
  };
  const why =
    entries.length === 0
      ? 'hl7.allowedSenders is empty: no sender is accepted until it is listed there'
      : 'hl7.allowedSenders';
  return async (message: Hl7Message, peer: MllpPeer): Promise<FailureClass | undefined> => {
    const permissions = permissionsOf(message);
    const type = `${message.type.code}^${message.type.trigger}`;
    // A stranger is refused whatever it sends; a known sender's unsupported types fall to handlerFor.
    const permission =
      PERMISSION_OF_TYPE[message.type.code] ?? (permissions.length === 0 ? 'patient.write' : undefined);
    if (!permission) return undefined;
    const ctx = createContext(
      log,
      {
        kind: 'hl7-app',
        application: message.sendingApplication,
        facility: message.sendingFacility,
        permissions,
      },
      { door: 'hl7', remoteAddress: peer.remoteAddress },
    );
    try {
      await authorize(database, ctx, permission, { resource: `${type} ${message.controlId}` });
      return undefined;
    } catch (error) {
      if ((error as { code?: string }).code !== 'forbidden') throw error;
      return {
        ackCode: 'AR',
        condition: 'applicationInternalError',
        permanent: true,
        reason: `sending application ${message.sendingApplication}^${message.sendingFacility} may not send ${type} (${why})`,
        location: 'MSH-3',
      };
    }
  };
}
