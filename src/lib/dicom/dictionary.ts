import { dcmjs } from './dcmjs-library.js';

/** 'GGGGEEEE', 8 uppercase hex digits: the key form of DICOM JSON (PS3.18 F.2.1.1). */
export type Tag = string;

const dictionary = dcmjs.data.DicomMetaDictionary;
let keywordsByTag: Map<Tag, string> | undefined;

function toTag(dictionaryTag: string): Tag {
  return dictionaryTag.slice(1, 5).concat(dictionaryTag.slice(6, 10)).toUpperCase();
}

function toDictionaryTag(tag: Tag): string {
  return `(${tag.slice(0, 4)},${tag.slice(4, 8)})`;
}

export function tagForKeyword(keyword: string): Tag | undefined {
  const entry = dictionary.nameMap[keyword];
  if (!entry || /x/i.test(entry.tag)) return undefined;
  return toTag(entry.tag);
}

export function keywordForTag(tag: Tag): string | undefined {
  if (!keywordsByTag) {
    keywordsByTag = new Map();
    for (const entry of Object.values(dictionary.nameMap)) {
      if (entry && !/x/i.test(entry.tag)) keywordsByTag.set(toTag(entry.tag), entry.name);
    }
  }
  return (
    keywordsByTag.get(tag.toUpperCase()) ?? dictionary.dictionary[toDictionaryTag(tag.toUpperCase())]?.name
  );
}

export function isPrivateTag(tag: Tag): boolean {
  return (parseInt(tag.slice(0, 4), 16) & 1) === 1;
}

/**
 * The dictionary VR of a tag, as used for Implicit VR data sets (PS3.5 7.1.3). Ambiguous dictionary
 * entries are returned as dcmjs spells them ('xs' = US or SS, 'ox' = OB or OW, 'lt' = US or OW) for the
 * caller to resolve; group lengths are UL (PS3.5 7.2) and private creators LO (PS3.5 7.8.1).
 */
export function dictionaryVr(tag: Tag): string | undefined {
  const upper = tag.toUpperCase();
  if (upper.endsWith('0000')) return 'UL';
  const element = parseInt(upper.slice(4, 8), 16);
  if (isPrivateTag(upper)) return element >= 0x10 && element <= 0xff ? 'LO' : undefined;
  const entry = dictionary.dictionary[toDictionaryTag(upper)];
  if (!entry || entry.vr === 'na') return undefined;
  return entry.vr === 'up' ? 'UL' : entry.vr;
}
