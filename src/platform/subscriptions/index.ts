export {
  createSubscriptions,
  DEFAULT_RETRY_DELAYS_MS,
  type Subscriptions,
  type SubscriptionSettings,
} from './subscriptions.js';
export {
  SUBSCRIPTION_STATUSES,
  type Delivery,
  type DeliveryOutcome,
  type Subscription,
  type SubscriptionInput,
  type SubscriptionStatus,
} from './subscription.js';
export type { SubscriptionTables } from './tables.js';
