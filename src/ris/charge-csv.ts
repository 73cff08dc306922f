// CSV as RFC 4180 has it: CRLF between records, fields quoted when they hold a comma, a double quote, CR
// or LF, and a double quote inside a quoted field doubled.

export function csvField(value: string | number | null): string {
  const text = value === null ? '' : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvRecord(fields: readonly (string | number | null)[]): string {
  return `${fields.map(csvField).join(',')}\r\n`;
}

export function toCsv(
  header: readonly string[],
  rows: readonly (readonly (string | number | null)[])[],
): string {
  return csvRecord(header) + rows.map(csvRecord).join('');
}
