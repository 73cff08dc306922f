import type { Hl7Message } from '../../lib/hl7v2/index.js';
import { patientIdentifiers } from './pid-demographics.js';

/**
 * Which stored messages must be processed in the order they came (the message log runs one message per key
 * at a time, and a retried message holds its key back):
 * - a message with a PID: its patient, PID-3's first identifier with its issuer (ADT, ORM/OMI, SIU with PID);
 * - an SIU without a PID (the PID group is optional, 10.4): the order it books, by SCH-26 placer order
 *   number, else SCH-27 filler order number, so that the booking, rescheduling and cancelling of one order are
 *   applied in the order sent. Messages naming the order only by different numbers (one SCH-26, the other
 *   SCH-27 alone) are not ordered with each other, nor with that patient's messages that carry a PID: the
 *   receiver keys without looking anything up.
 * Anything else has no key and is processed as it comes.
 */
export function orderingKey(message: Hl7Message): string | null {
  const pid = message.segment('PID');
  const [id] = pid ? patientIdentifiers(pid) : [];
  if (id) return `${id.issuer}|${id.value}`;
  if (message.type.code === 'SIU') {
    const sch = message.segment('SCH');
    const placer = sch?.value(26, 1).trim();
    if (placer) return `order placer|${placer}`;
    const filler = sch?.value(27, 1).trim();
    if (filler) return `order filler|${filler}`;
  }
  return null;
}
