export { createHl7Door, HANDLERS, type Hl7Door, type Hl7DoorSettings } from './hl7-door.js';
export type { Hl7Destination } from './outbound-sender.js';
export { buildOru, type ReportDocument } from './oru-builder.js';
