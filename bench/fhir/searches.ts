// The searches of the FHIR bench and how each answer is checked: a searchset Bundle with exactly the expected
// matches, each pointing at the right Patient (and ServiceRequest), and exactly the expected included resources.
import type { Bundle, BundleEntry, ImagingStudy, Resource } from '@medplum/fhirtypes';
import type { Response } from '../dicomweb/http.js';

export interface Expected {
  /** Study Instance UIDs of the matches, all on the one page. */
  studies: string[];
  patientRef?: string;
  /** Patient/{id} (and its Patient ID) when _include=ImagingStudy:patient is asked for. */
  includePatient?: { id: string; patientId: string };
  /** Study UID → ServiceRequest/{id}, when the studies have orders. */
  orders?: Map<string, string>;
  /** The included ServiceRequests are checked when _include=ImagingStudy:basedon is asked for. */
  includeOrders?: boolean;
}

export interface Search {
  name: string;
  /** Path and query under /fhir. */
  path: string;
  expected: Expected;
}

const sameSet = (a: string[], b: string[]) =>
  a.length === b.length && [...a].sort().join() === [...b].sort().join();

/** Throws when the Bundle is not what `expected` says; returns a description for the report. */
export function checkBundle(response: Response, expected: Expected): string {
  const bundle = JSON.parse(response.body?.toString('utf8') ?? '') as Bundle;
  if (bundle.resourceType !== 'Bundle' || bundle.type !== 'searchset')
    throw new Error('not a searchset Bundle');
  const entries: BundleEntry[] = bundle.entry ?? [];
  const matches = entries.filter((e) => e.search?.mode === 'match').map((e) => e.resource as ImagingStudy);
  const included = entries.filter((e) => e.search?.mode === 'include').map((e) => e.resource as Resource);
  const outcomes = entries.filter((e) => e.search?.mode === 'outcome');
  if (outcomes.length > 0)
    throw new Error(`unexpected OperationOutcome: ${JSON.stringify(outcomes[0]?.resource)}`);
  if (bundle.total !== expected.studies.length)
    throw new Error(`total ${String(bundle.total)}, expected ${expected.studies.length}`);
  const ids = matches.map((m) => String(m.id));
  if (!sameSet(ids, expected.studies))
    throw new Error(`matches ${ids.join(', ')} are not the expected studies`);
  for (const study of matches) {
    if (study.resourceType !== 'ImagingStudy') throw new Error(`a match is a ${study.resourceType}`);
    if (expected.patientRef !== undefined && study.subject.reference !== expected.patientRef)
      throw new Error(
        `${study.id}: subject ${String(study.subject.reference)}, expected ${expected.patientRef}`,
      );
    const order = expected.orders?.get(String(study.id));
    const basedOn = (study.basedOn ?? []).map((b) => b.reference);
    if (order !== undefined && !sameSet(basedOn as string[], [order]))
      throw new Error(`${study.id}: basedOn ${basedOn.join(', ')}, expected ${order}`);
    if ((study.series?.[0]?.instance?.length ?? 0) === 0) throw new Error(`${study.id}: no instances`);
  }
  const wanted: string[] = [];
  if (expected.includePatient) wanted.push(`Patient/${expected.includePatient.id}`);
  if (expected.includeOrders) wanted.push(...(expected.orders?.values() ?? []));
  const got = included.map((r) => `${r.resourceType}/${r.id}`);
  if (!sameSet(got, wanted))
    throw new Error(`included ${got.join(', ') || 'nothing'}, expected ${wanted.join(', ')}`);
  const patient = included.find((r) => r.resourceType === 'Patient') as
    { identifier?: { value?: string }[] } | undefined;
  if (
    expected.includePatient &&
    !patient?.identifier?.some((i) => i.value === expected.includePatient!.patientId)
  )
    throw new Error(`the included Patient is not ${expected.includePatient.patientId}`);
  return `${matches.length} studies + ${included.length} included, ${(response.bytes / 1024).toFixed(0)} KiB`;
}
