/**
 * Raised for input that is not DICOM, is truncated, or uses an encoding this library cannot read.
 * `truncated` lets a caller that read only a prefix of a file tell "read more bytes" from "corrupt".
 */
export class DicomParseError extends Error {
  override readonly name = 'DicomParseError';
  readonly truncated: boolean;
  readonly offset: number | undefined;

  constructor(message: string, details: { truncated?: boolean; offset?: number; cause?: unknown } = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.truncated = details.truncated ?? false;
    this.offset = details.offset;
  }

  static truncatedAt(offset: number, what?: string): DicomParseError {
    return new DicomParseError(`truncated at offset ${offset}${what ? `: ${what}` : ''}`, {
      truncated: true,
      offset,
    });
  }
}
