// Counts per key in fixed one-minute windows, in memory (each node counts its own). What the HTTP door
// limits by client address: login attempts, refused bearer credentials.

export class MinuteCounts {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Counts one more for the key this minute; returns the count so far. */
  add(key: string): number {
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

  /** The count of the key this minute, without adding to it. */
  peek(key: string): number {
    const window = this.windows.get(key);
    return !window || this.now() - window.start >= 60_000 ? 0 : window.count;
  }
}
