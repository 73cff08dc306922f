/**
 * lib/dicom public API: data dictionary and tags, transfer syntaxes, character sets, UIDs, header scan,
 * full read, DICOM JSON (PS3.18 F), Part 10 writing (PS3.10) and in-place attribute changes.
 */
import './dcmjs-library.js';

export { DicomParseError } from './errors.js';
export { tags, tagForKeyword, keywordForTag, type Tag, type TagKeyword } from './tags.js';
export { dictionaryVr, isPrivateTag } from './dictionary.js';
export {
  transferSyntaxes,
  transferSyntax,
  transferSyntaxName,
  isEncapsulated,
  isDeflated,
  isBigEndian,
  isImplicitVr,
  IMPLICIT_VR_LITTLE_ENDIAN,
  EXPLICIT_VR_LITTLE_ENDIAN,
  DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN,
  EXPLICIT_VR_BIG_ENDIAN,
  type TransferSyntax,
} from './transfer-syntaxes.js';
export { decodeText, encodeText, isKnownCharacterSet } from './character-sets.js';
export { generateUid, isValidUid, uuidToUid } from './uid.js';
export type { DataElement, DataElements, DicomDataset, ElementValue, PersonName } from './dataset.js';
export {
  scanHeader,
  scanHeaderFile,
  scanHeaderPrefix,
  type DicomHeader,
  type ScanOptions,
} from './header-scan.js';
export { readDataset, type ReadOptions } from './dataset-reader.js';
export { encodeDataset } from './dataset-encoder.js';
export { isPersonName, personNameFromText, personNameToText } from './person-name.js';
export { STORAGE_SOP_CLASSES } from './storage-sop-classes.js';
export { encodeFileMeta, type FileMetaFields } from './file-meta.js';
export { toDicomJson, type DicomJson, type DicomJsonOptions } from './dicom-json.js';
export { writePart10, framesOf, IMPLEMENTATION_CLASS_UID, type WriteOptions } from './part10-writer.js';
export { modifyAttributes } from './modify-attributes.js';
