// The slice of dcmjs 0.51 that lib/dicom uses; dcmjs ships no type declarations.
declare module 'dcmjs' {
  export interface DcmjsElement {
    vr: string;
    Value?: unknown[];
  }
  export type DcmjsDict = Record<string, DcmjsElement>;

  export interface DictionaryEntry {
    tag: string; // '(GGGG,EEEE)', may contain 'xx' for repeating groups
    vr: string;
    vm: string;
    name: string;
    version?: string;
  }

  export class DicomDict {
    constructor(meta: DcmjsDict);
    meta: DcmjsDict;
    dict: DcmjsDict;
    write(options?: { allowInvalidVRLength?: boolean; fragmentMultiframe?: boolean }): ArrayBuffer;
  }

  export interface DicomMetaDictionaryStatic {
    dictionary: Record<string, DictionaryEntry | undefined>;
    nameMap: Record<string, DictionaryEntry | undefined>;
  }

  interface Logger {
    setLevel(level: string): void;
  }

  const dcmjs: {
    data: {
      DicomDict: typeof DicomDict;
      DicomMetaDictionary: DicomMetaDictionaryStatic;
    };
    log: { getLogger(name: string): Logger };
  };
  export default dcmjs;
}
