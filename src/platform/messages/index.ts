export {
  createMessageLog,
  type AttemptResult,
  type BatchResult,
  type Handled,
  type MessageCounts,
  type MessageLog,
  type MessageLogSettings,
  type MessageSearch,
} from './message-log.js';
import type { MessageLog } from './message-log.js';
/** The database handle a batch's handler gets (opaque to doors: they pass it to services bound to it). */
export type BatchDatabase = Parameters<Parameters<MessageLog['processDue']>[2]>[1];
export { retryDelayMs, type RetryPolicy } from './retry-policy.js';
export {
  MESSAGE_STATES,
  type MessageDirection,
  type MessageHeader,
  type MessageState,
  type MessageSummary,
  type NewMessage,
  type StoredMessage,
} from './stored-message.js';
export type { MessageTables } from './tables.js';
