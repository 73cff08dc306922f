/** Timestamps are stored as ISO 8601 UTC text: sortable and the same on every dialect. */
export const nowIso = (): string => new Date().toISOString();
