import { encodeDataset, type DataElements, type DicomJson } from '../../lib/dicom/index.js';
import type { FindMatch, QueryRequest } from '../../lib/dimse/index.js';
import { LEVELS, findQueryKey, type Archive, type ArchiveQuery } from '../../archive/index.js';
import type { DimseAccess } from './dimse-access.js';
import { queryFailure } from './dimse-status.js';
import { identifierError, readIdentifier, type Identifier } from './identifier.js';
import { DimseError } from '../../lib/dimse/index.js';
import { STUDY_ROOT_MODELS } from './sop-classes.js';

/**
 * C-FIND SCP (PS3.4 C.4.1) on the archive's query model: the identifier's keys become the query, every
 * match comes back with exactly the requested attributes, fetched page by page so a large result is never held.
 * Keys the model cannot match on are returned empty, as PS3.4 C.2.2.1.2 allows for optional keys.
 */
export function createFindHandler(archive: Archive, access: DimseAccess) {
  return async function* find(request: QueryRequest): AsyncGenerator<FindMatch> {
    const identifier = readIdentifier(request.identifier, request.transferSyntaxUid);
    if (identifier.level === 'PATIENT' && STUDY_ROOT_MODELS.has(request.sopClassUid)) {
      throw identifierError('the Study Root model has no PATIENT level');
    }
    const query: ArchiveQuery = { level: identifier.level, keys: matchingKeys(identifier) };
    try {
      const ctx = await access.authorize(
        request.association.info,
        'study.read',
        `C-FIND ${request.sopClassUid}`,
      );
      for await (const match of archive.queryAll(ctx, query)) {
        if (request.signal.aborted) return;
        yield encodeDataset(response(identifier, match), request.transferSyntaxUid);
      }
    } catch (error) {
      if (error instanceof DimseError) throw error;
      const { status, errorComment } = queryFailure(error);
      throw new DimseError('status', errorComment, { status, cause: error });
    }
  };
}

/** The identifier's keys the query model can match on, at the query's level or above. */
function matchingKeys(identifier: Identifier): Record<string, string> {
  const keys: Record<string, string> = {};
  const depth = LEVELS.indexOf(identifier.level);
  for (const [tag, value] of identifier.values) {
    const key = findQueryKey(tag);
    if (!key?.match || value.trim() === '' || LEVELS.indexOf(key.level) > depth) continue;
    keys[tag] = value;
  }
  return keys;
}

/** A response identifier: the requested attributes, filled from the match or left empty (PS3.4 C.4.1.1.3.2). */
function response(identifier: Identifier, match: DicomJson): DataElements {
  const elements: DataElements = { '00080052': { vr: 'CS', Value: [identifier.level] } };
  for (const [tag, vr] of identifier.requested) {
    const found = match[tag];
    elements[tag] = found?.Value
      ? { vr: found.vr, Value: found.Value as DataElements[string]['Value'] }
      : { vr };
  }
  return elements;
}
