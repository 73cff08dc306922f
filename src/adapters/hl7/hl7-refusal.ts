import type { ErrorCondition } from '../../lib/hl7v2/index.js';

/**
 * A message the door itself refuses (an unsupported order control, an unknown order): which ERR condition,
 * where in the message, and whether trying again could ever help.
 */
export class Hl7Refusal extends Error {
  override readonly name = 'Hl7Refusal';

  constructor(
    message: string,
    readonly condition: ErrorCondition,
    /** 'ORC-1', 'OBR-4' … */
    readonly location?: string,
    readonly ackCode: 'AE' | 'AR' = 'AE',
  ) {
    super(message);
  }
}
