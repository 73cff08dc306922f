import type { DataSet, Element } from 'dicom-parser';
import { deflateRawSync } from 'node:zlib';
import { dictionaryVr } from './dictionary.js';
import { encodeElement, encodeValue, LONG_LENGTH_VRS, type Encoding } from './element-encoder.js';
import { charsetOf, resolveVr, type ValueContext } from './element-values.js';
import { readStructure } from './structure-reader.js';
import { transferSyntax } from './transfer-syntaxes.js';

type Changes = Record<string, string | string[] | null>;

interface Span {
  tag: string;
  vr: string;
  start: number;
  end: number;
}

/** Top-level elements with their byte spans; an element ends where the next begins (or the data ends). */
function spans(dataset: DataSet, context: ValueContext, base: number, end: number): Span[] {
  const entries = Object.values(dataset.elements)
    .filter((e): e is Element => !e.tag.startsWith('xfffe'))
    .sort((a, b) => a.dataOffset - b.dataOffset);
  return entries.map((element, i) => {
    const vr = resolveVr(element, context);
    const explicitVr = element.vr ?? vr;
    const header = context.implicit ? 8 : LONG_LENGTH_VRS.has(explicitVr) ? 12 : 8;
    const next = entries[i + 1];
    return {
      tag: element.tag.slice(1).toUpperCase(),
      vr,
      start: base + element.dataOffset - header,
      end: next
        ? base + next.dataOffset - (context.implicit ? 8 : LONG_LENGTH_VRS.has(next.vr ?? '') ? 12 : 8)
        : end,
    };
  });
}

function vrFor(tag: string, existing: Span | undefined): string {
  if (existing) return existing.vr;
  const vr = dictionaryVr(tag);
  if (vr === 'xs') return 'US';
  if (vr === undefined || !/^[A-Z]{2}$/.test(vr)) throw new Error(`no VR known for new attribute ${tag}`);
  return vr;
}

/** Applies changes to one group of elements held in `region` (offsets relative to it). */
function splice(
  region: Uint8Array,
  elementSpans: Span[],
  changes: [string, string[] | null][],
  encoding: Encoding,
) {
  const edits: { start: number; end: number; bytes: Uint8Array }[] = [];
  for (const [tag, values] of changes) {
    const existing = elementSpans.find((s) => s.tag === tag);
    if (!existing && values === null) continue;
    const bytes =
      values === null
        ? new Uint8Array(0)
        : encodeElement(
            tag,
            vrFor(tag, existing),
            encodeValue(values, vrFor(tag, existing), encoding),
            encoding,
          );
    if (existing) edits.push({ start: existing.start, end: existing.end, bytes });
    else {
      const after = elementSpans.find((s) => s.tag > tag);
      const at = after ? after.start : region.length;
      edits.push({ start: at, end: at, bytes });
    }
  }
  edits.sort((a, b) => a.start - b.start);
  const parts: Uint8Array[] = [];
  let position = 0;
  for (const edit of edits) {
    parts.push(region.subarray(position, edit.start), edit.bytes);
    position = edit.end;
  }
  parts.push(region.subarray(position));
  return Buffer.concat(parts);
}

function normalize(changes: Changes): Map<string, string[] | null> {
  const out = new Map<string, string[] | null>();
  for (const [tag, value] of Object.entries(changes)) {
    const upper = tag.toUpperCase();
    if (!/^[0-9A-F]{8}$/.test(upper)) throw new Error(`not a tag: ${tag}`);
    if (upper === '00020000' || upper === '7FE00010' || upper.startsWith('FFFE')) {
      throw new Error(`attribute ${upper} cannot be modified`);
    }
    out.set(upper, value === null ? null : Array.isArray(value) ? value : [value]);
  }
  return out;
}

/**
 * Changes, adds (value) or removes (null) top-level attributes of a Part 10 file or bare data set by
 * splicing at the element level: only the changed elements are re-encoded, every other byte is kept, and
 * (0002,0000) is recomputed when the meta group changes (PS3.10 7.1). Deflated data sets are inflated,
 * spliced and deflated again, so their compressed bytes do change.
 */
export function modifyAttributes(bytes: Uint8Array, changes: Changes): Uint8Array {
  const normalized = normalize(changes);
  const structure = readStructure(bytes);
  const syntax = transferSyntax(structure.transferSyntaxUid);
  const metaChanges = [...normalized].filter(([tag]) => tag.startsWith('0002')).sort();
  const dataChanges = [...normalized].filter(([tag]) => !tag.startsWith('0002')).sort();
  if (metaChanges.length && !structure.meta) throw new Error('a bare data set has no file meta to change');

  let meta = bytes.subarray(structure.metaOffset, structure.datasetStart);
  if (structure.meta && metaChanges.length) {
    const metaContext: ValueContext = { littleEndian: true, implicit: false, charset: [] };
    // dicom-parser's meta offsets count from a 128-byte preamble and "DICM", present or not.
    const metaSpans = spans(structure.meta, metaContext, -132, meta.length).filter((s) =>
      s.tag.startsWith('0002'),
    );
    meta = splice(meta, metaSpans, metaChanges, { littleEndian: true, implicit: false, charset: [] });
    const groupLength = metaSpans.find((s) => s.tag === '00020000');
    if (groupLength && groupLength.start === 0 && meta.length >= 12) {
      Buffer.from(meta.buffer, meta.byteOffset, meta.length).writeUInt32LE(meta.length - 12, 8);
    }
  }

  let body = bytes.subarray(structure.datasetStart);
  if (dataChanges.length) {
    const inflated = syntax.deflated ? structure.dataset.byteArray : body;
    const context: ValueContext = {
      littleEndian: !syntax.bigEndian,
      implicit: syntax.implicitVr,
      charset: charsetOf(structure.dataset, []),
    };
    const charsetChange = normalized.get('00080005');
    const charset = charsetChange === undefined ? context.charset : (charsetChange ?? ['']);
    const dataSpans = spans(structure.dataset, context, 0, inflated.length);
    body = splice(inflated, dataSpans, dataChanges, { ...context, charset });
    if (syntax.deflated) body = deflateRawSync(body);
  }
  const result = Buffer.concat([bytes.subarray(0, structure.metaOffset), meta, body]);
  readStructure(result); // the result must still parse; a failure here is a bug, not bad input
  return result;
}
