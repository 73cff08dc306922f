// Login attempts per minute, per client address and per user name, in memory (each node counts its own; the
// account lockout in the database is the limit that holds across nodes). Fixed one-minute windows.

export class LoginRateLimit {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(
    private readonly perAddress: number,
    private readonly perUser: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts an attempt; false when the address or the user name is over its limit this minute. */
  take(address: string, username: string): boolean {
    const byAddress = this.count(`a:${address}`);
    const byUser = this.count(`u:${username.trim().toLowerCase()}`);
    return byAddress <= this.perAddress && byUser <= this.perUser;
  }

  private count(key: string): number {
    const now = this.now();
    if (this.windows.size > 10_000) {
      for (const [k, w] of this.windows) if (now - w.start >= 60_000) this.windows.delete(k);
    }
    const window = this.windows.get(key);
    if (!window || now - window.start >= 60_000) {
      this.windows.set(key, { start: now, count: 1 });
      return 1;
    }
    return ++window.count;
  }
}
