import type { Archive } from '../../archive/index.js';

/** What the DICOMweb door calls: the archive's services, nothing below them. */
export interface DicomwebServices {
  archive: Archive;
}
