import type { StoreResult } from '../../archive/index.js';
import { toLanternError, type ErrorCode, type LanternError } from '../../platform/errors.js';
import type { InstanceIdentity } from '../../archive/index.js';

// The Store Instances Response Module (PS3.18 10.5.3) in DICOM JSON, and the one place STOW-RS chooses
// Failure Reasons (PS3.18 Table 10.5.3-2, the C-STORE statuses of PS3.4 B.2.3) for domain errors.

export const FAILURE = {
  processingFailure: 0x0110,
  duplicateSopInstance: 0x0111,
  sopClassNotSupported: 0x0122,
  notAuthorized: 0x0124,
  outOfResources: 0xa700,
  dataSetDoesNotMatchSopClass: 0xa900,
  cannotUnderstand: 0xc000,
} as const;

/**
 * A kept duplicate: the stored copy stays and is referenced, with this warning. No standard code says
 * "already stored"; this one is from the service-specific warning range B000-BFFF, and is the value another
 * widely used DICOMweb server reports for the same case (45070), so clients may already know it.
 */
export const WARNING_DUPLICATE_KEPT = 0xb00e;

const FAILURE_REASON: Record<ErrorCode, number> = {
  invalid: FAILURE.cannotUnderstand,
  conflict: FAILURE.dataSetDoesNotMatchSopClass,
  duplicate: FAILURE.duplicateSopInstance,
  unsupported: FAILURE.sopClassNotSupported,
  forbidden: FAILURE.notAuthorized,
  unauthenticated: FAILURE.notAuthorized,
  'storage-full': FAILURE.outOfResources,
  unavailable: FAILURE.outOfResources,
  'not-found': FAILURE.processingFailure,
  internal: FAILURE.processingFailure,
};

/** What became of one part of the request. */
export type PartOutcome =
  | { part: number; stored: StoreResult }
  | { part: number; failed: InstanceIdentity; reason: number; error: LanternError };

export function partFailure(part: number, identity: InstanceIdentity, error: unknown): PartOutcome {
  const lantern = toLanternError(error);
  return { part, failed: identity, reason: FAILURE_REASON[lantern.code], error: lantern };
}

/** PS3.18 Table 10.5.3-1: 200 all stored, 202 stored with warnings or some failed, 409 none stored. */
export function stowStatus(outcomes: PartOutcome[]): number {
  const stored = outcomes.filter((o) => 'stored' in o);
  if (stored.length === 0) return 409;
  const clean = stored.length === outcomes.length && stored.every((o) => o.stored.outcome !== 'duplicate');
  return clean ? 200 : 202;
}

type JsonElement = { vr: string; Value?: unknown[] };
type JsonDataset = Record<string, JsonElement>;

const ui = (uid: string | undefined): JsonElement => (uid ? { vr: 'UI', Value: [uid] } : { vr: 'UI' });
const us = (value: number): JsonElement => ({ vr: 'US', Value: [value] });
const ur = (url: string): JsonElement => ({ vr: 'UR', Value: [url] });

/**
 * The response body. `baseUrl` is the absolute DICOMweb base (http://host/dicom-web); Retrieve URL
 * (0008,1190) names the study when every stored instance belongs to one, and is empty otherwise.
 */
export function stowResponseBody(outcomes: PartOutcome[], baseUrl: string): JsonDataset {
  const studyUrl = (study: string) => `${baseUrl}/studies/${study}`;
  const referenced: JsonDataset[] = [];
  const failed: JsonDataset[] = [];
  const studies = new Set<string>();
  for (const outcome of outcomes) {
    if ('stored' in outcome) {
      const { stored } = outcome;
      studies.add(stored.studyInstanceUid);
      referenced.push({
        '00081150': ui(stored.sopClassUid),
        '00081155': ui(stored.sopInstanceUid),
        '00081190': ur(
          `${studyUrl(stored.studyInstanceUid)}/series/${stored.seriesInstanceUid}/instances/${stored.sopInstanceUid}`,
        ),
        ...(stored.outcome === 'duplicate' ? { '00081196': us(WARNING_DUPLICATE_KEPT) } : {}),
      });
    } else {
      failed.push({
        '00081150': ui(outcome.failed.sopClassUid),
        '00081155': ui(outcome.failed.sopInstanceUid),
        '00081197': us(outcome.reason),
      });
    }
  }
  const [onlyStudy] = studies;
  return {
    '00081190': studies.size === 1 && onlyStudy ? ur(studyUrl(onlyStudy)) : { vr: 'UR' },
    ...(failed.length > 0 ? { '00081198': { vr: 'SQ', Value: failed } } : {}),
    ...(referenced.length > 0 ? { '00081199': { vr: 'SQ', Value: referenced } } : {}),
  };
}

/** At most this many failures are described in Warning header fields, so the header stays small. */
const MAX_WARNINGS = 10;

/**
 * The reasons in words, as Warning header fields (RFC 7234 5.5, code 299, as PS3.18 uses them to explain
 * a response): DICOM JSON has no place for them. Quotes and control characters are kept out of the text.
 */
export function warningHeaders(outcomes: PartOutcome[], service: string): string[] {
  const failures = outcomes.flatMap((o) => ('failed' in o ? [o] : []));
  const text = (s: string) => s.replace(/[^\x20-\x7e]|"/g, ' ').slice(0, 200);
  const lines = failures.slice(0, MAX_WARNINGS).map((f) => {
    const uid = f.failed.sopInstanceUid ? ` ${f.failed.sopInstanceUid}` : '';
    const code = f.reason.toString(16).toUpperCase().padStart(4, '0');
    return `299 ${service} "part ${f.part}${uid}: ${code} ${text(f.error.message)}"`;
  });
  if (failures.length > MAX_WARNINGS) {
    lines.push(`299 ${service} "${failures.length - MAX_WARNINGS} more failures are not described"`);
  }
  return lines;
}
