export {
  createMessageLog,
  type AttemptResult,
  type MessageCounts,
  type MessageLog,
  type MessageLogSettings,
  type MessageSearch,
} from './message-log.js';
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
