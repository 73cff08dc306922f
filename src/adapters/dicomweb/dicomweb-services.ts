import type { Archive } from '../../archive/index.js';
import type { LanternConfig } from '../../platform/config/index.js';

/** What the DICOMweb door calls: the archive's services, nothing below them; and its settings. */
export interface DicomwebServices {
  archive: Archive;
  config: Pick<LanternConfig, 'dicomweb'>;
}
