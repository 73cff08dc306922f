/**
 * Why pixel data could not be served. Doors map the kind to their own status: `unsupported` when no codec or
 * rendering path exists, `invalid` for a request that cannot apply to this instance, `not-found` for a frame
 * number beyond Number of Frames.
 */
export type ImagingErrorKind = 'unsupported' | 'invalid' | 'not-found';

export class ImagingError extends Error {
  constructor(
    readonly kind: ImagingErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'ImagingError';
  }
}
