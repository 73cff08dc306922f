import { MinuteCounts } from '../http/index.js';

// Login attempts per minute, per client address and per user name, in memory (each node counts its own; the
// account lockout in the database is the limit that holds across nodes). Fixed one-minute windows.

export class LoginRateLimit {
  private readonly counts: MinuteCounts;

  constructor(
    private readonly perAddress: number,
    private readonly perUser: number,
    now: () => number = Date.now,
  ) {
    this.counts = new MinuteCounts(now);
  }

  /** Counts an attempt; false when the address or the user name is over its limit this minute. */
  take(address: string, username: string): boolean {
    const byAddress = this.counts.add(`a:${address}`);
    const byUser = this.counts.add(`u:${username.trim().toLowerCase()}`);
    return byAddress <= this.perAddress && byUser <= this.perUser;
  }
}
