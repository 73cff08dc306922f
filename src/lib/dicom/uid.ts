import { randomUUID } from 'node:crypto';

/** PS3.5 9.1: components of digits, no leading zero (except "0" itself), at most 64 characters. */
const UID_PATTERN = /^(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))*$/;

export function isValidUid(s: string): boolean {
  return s.length > 0 && s.length <= 64 && UID_PATTERN.test(s);
}

/**
 * A UUID-derived UID (PS3.5 B.2): the 128-bit UUID as one decimal integer under the root "2.25".
 * Needs no registered organisation root and is unique without coordination.
 */
export function generateUid(): string {
  return uuidToUid(randomUUID());
}

export function uuidToUid(uuid: string): string {
  const hex = uuid.replace(/-/g, '');
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) throw new Error(`not a UUID: ${uuid}`);
  return `2.25.${BigInt(`0x${hex}`).toString(10)}`;
}
