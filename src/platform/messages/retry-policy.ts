/** How often and how soon a failed message is tried again. */
export interface RetryPolicy {
  /** Attempts in all, the first included; after the last failure the message is dead-lettered. */
  maxAttempts: number;
  /** Delay before the second attempt; each further one doubles it … */
  baseDelayMs: number;
  /** … up to this. */
  maxDelayMs: number;
}

/** Exponential backoff: the delay after failed attempt `attempts` (1-based). */
export const retryDelayMs = (policy: RetryPolicy, attempts: number): number =>
  Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempts - 1));
