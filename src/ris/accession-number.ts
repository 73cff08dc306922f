import { invalid } from '../platform/errors.js';
import type { RisExecutor } from './ris-transaction.js';

/**
 * Accession Number (0008,0050) is SH: at most 16 characters of the default repertoire without backslash
 * or control characters (PS3.5 6.2). A placer's number is kept as given, trimmed.
 */
export function validateAccessionNumber(value: string): string {
  const text = value.trim();
  if (
    text.length === 0 ||
    text.length > 16 ||
    ![...text].every((ch) => ch >= ' ' && ch <= '~' && ch !== '\\')
  ) {
    throw invalid(
      `accession number '${value}' must be 1 to 16 characters without backslash or control characters`,
    );
  }
  return text;
}

/** yyyymmdd of the UTC day, the prefix of that day's generated accession numbers. */
export const accessionDay = (at: Date): string => at.toISOString().slice(0, 10).replace(/-/g, '');

/**
 * The next accession number of the day: yyyymmdd and a five-digit daily sequence (13 characters). The
 * sequence is bumped with an upsert, so concurrent orders never draw the same value; a value that a
 * placer already used is skipped.
 */
export async function nextAccessionNumber(db: RisExecutor, at: Date): Promise<string> {
  const day = accessionDay(at);
  for (;;) {
    const row = await db
      .insertInto('accession_sequence')
      .values({ day, last_value: 1 })
      .onConflict((oc) =>
        oc.column('day').doUpdateSet((eb) => ({ last_value: eb('accession_sequence.last_value', '+', 1) })),
      )
      .returning('last_value')
      .executeTakeFirstOrThrow();
    const candidate = `${day}${String(row.last_value).padStart(5, '0')}`;
    if (!(await accessionNumberTaken(db, candidate))) return candidate;
  }
}

export async function accessionNumberTaken(db: RisExecutor, accessionNumber: string): Promise<boolean> {
  const row = await db
    .selectFrom('imaging_order')
    .select('id')
    .where('accession_number', '=', accessionNumber)
    .executeTakeFirst();
  return row !== undefined;
}
