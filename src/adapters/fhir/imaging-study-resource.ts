import type { ImagingStudy, ImagingStudySeries, Resource } from '@medplum/fhirtypes';
import { toMatchRecord, type Archive, type MatchRecord, type StudyOrder } from '../../archive/index.js';
import type { Patient, Patients } from '../../patients/index.js';
import type { RequestContext } from '../../platform/context.js';
import { hasPermission } from '../../platform/security/index.js';
import type { OrderId, Ris } from '../../ris/index.js';
import { ACCESSION_SYSTEM, DCM_SYSTEM, DICOM_UID_SYSTEM, V2_0203 } from './coding-systems.js';
import { DICOMWEB_ENDPOINT_REFERENCE } from './endpoint-resource.js';
import { fhirError } from './operation-outcome.js';
import type { ResourceHandler, SearchQuery } from './resource-handler.js';
import { alternatives, dateRange, dicomDateRange, fhirDate, referenceId, token } from './search-values.js';

// ImagingStudy ← the archive's one query model (STUDY, SERIES and IMAGE levels); the id is the Study
// Instance UID. Patients are named by Patient ID + issuer in the index, so subject references are found
// through the patients service, and `patient=` searches go the other way.

const UID = /^[0-9.]{1,64}$/;

/** Patient ID + issuer → Patient/{key}, looked up once per request (`known`: already found by the search). */
function patientLookup(patients: Patients, ctx: RequestContext, known?: Patient) {
  // A caller who may read studies but not patients (a researcher) gets the subject by identifier, as the
  // images carry it; asking the patients service would only be refused (the services authorize each call).
  if (!hasPermission(ctx.actor, 'patient.read')) return () => Promise.resolve(undefined);
  const cache = new Map<string, Promise<string | undefined>>();
  if (known && known.mergedInto === undefined)
    cache.set(`${known.issuerOfPatientId}|${known.patientId}`, Promise.resolve(String(known.id)));
  return (patientId: string, issuer: string) => {
    const key = `${issuer}|${patientId}`;
    if (!cache.has(key)) {
      cache.set(
        key,
        patients
          .search(ctx, { identifier: key, limit: '2' })
          .then(
            (r) => r.patients.find((p) => p.patientId === patientId && p.issuerOfPatientId === issuer)?.id,
          )
          .then((id) => (id === undefined ? undefined : String(id))),
      );
    }
    return cache.get(key)!;
  };
}

function toImagingStudy(
  study: MatchRecord,
  series: MatchRecord[],
  instances: MatchRecord[],
  patientRef: string | undefined,
  orderId: number | undefined,
): ImagingStudy {
  const uid = String(study.StudyInstanceUID);
  const started = fhirDate(study.StudyDate as string | undefined);
  const time = typeof study.StudyTime === 'string' ? /^(\d{2})(\d{2})?(\d{2})?/.exec(study.StudyTime) : null;
  const modalities =
    typeof study.ModalitiesInStudy === 'string' ? study.ModalitiesInStudy.split('\\').filter(Boolean) : [];
  return {
    resourceType: 'ImagingStudy',
    id: uid,
    identifier: [
      { system: DICOM_UID_SYSTEM, value: `urn:oid:${uid}` },
      ...(study.AccessionNumber
        ? [
            {
              type: { coding: [{ system: V2_0203, code: 'ACSN' }] },
              system: ACCESSION_SYSTEM,
              value: String(study.AccessionNumber),
            },
          ]
        : []),
      ...(study.StudyID ? [{ value: String(study.StudyID), use: 'secondary' as const }] : []),
    ],
    status: 'available',
    ...(modalities.length ? { modality: modalities.map((code) => ({ system: DCM_SYSTEM, code })) } : {}),
    // Every ImagingStudy has a subject; a study whose patient cannot be found names it by identifier.
    subject: patientRef
      ? { reference: `Patient/${patientRef}` }
      : {
          identifier: { value: String(study.PatientID ?? '') || 'unknown' },
          display: 'patient not registered',
        },
    ...(started
      ? { started: time ? `${started}T${time[1]}:${time[2] ?? '00'}:${time[3] ?? '00'}` : started }
      : {}),
    ...(orderId !== undefined ? { basedOn: [{ reference: `ServiceRequest/${orderId}` }] } : {}),
    ...(study.ReferringPhysicianName
      ? { referrer: { display: String(study.ReferringPhysicianName).replace(/\^/g, ' ').trim() } }
      : {}),
    endpoint: [{ reference: DICOMWEB_ENDPOINT_REFERENCE }],
    numberOfSeries: Number(study.NumberOfStudyRelatedSeries ?? series.length),
    numberOfInstances: Number(study.NumberOfStudyRelatedInstances ?? instances.length),
    ...(study.StudyDescription ? { description: String(study.StudyDescription) } : {}),
    ...(series.length
      ? {
          series: series.map((s): ImagingStudySeries => {
            const own = instances.filter((i) => i.SeriesInstanceUID === s.SeriesInstanceUID);
            return {
              uid: String(s.SeriesInstanceUID),
              ...(s.SeriesNumber !== undefined ? { number: Number(s.SeriesNumber) } : {}),
              modality: { system: DCM_SYSTEM, code: String(s.Modality ?? 'OT') },
              ...(s.SeriesDescription ? { description: String(s.SeriesDescription) } : {}),
              numberOfInstances: Number(s.NumberOfSeriesRelatedInstances ?? own.length),
              endpoint: [{ reference: DICOMWEB_ENDPOINT_REFERENCE }],
              ...(s.BodyPartExamined
                ? { bodySite: { system: DCM_SYSTEM, code: String(s.BodyPartExamined) } }
                : {}),
              ...(own.length
                ? {
                    instance: own.map((i) => ({
                      uid: String(i.SOPInstanceUID),
                      sopClass: { system: 'urn:ietf:rfc:3986', code: `urn:oid:${String(i.SOPClassUID)}` },
                      ...(i.InstanceNumber !== undefined ? { number: Number(i.InstanceNumber) } : {}),
                    })),
                  }
                : {}),
            };
          }),
        }
      : {}),
  };
}

export function imagingStudyHandler(archive: Archive, patients: Patients, ris: Ris): ResourceHandler {
  /**
   * The studies of one page of STUDY matches, with their series, instances and orders (one query each, not
   * one a study). `patient`: the patient the search named, whose key need not be looked up again.
   */
  async function build(
    ctx: RequestContext,
    studies: MatchRecord[],
    patient?: Patient,
  ): Promise<ImagingStudy[]> {
    if (studies.length === 0) return [];
    const uids = studies.map((s) => String(s.StudyInstanceUID)).join('\\');
    const accessions = [
      ...new Set(studies.flatMap((s) => (s.AccessionNumber ? [String(s.AccessionNumber)] : []))),
    ];
    const [series, instances, orders] = await Promise.all([
      archive.query(ctx, {
        level: 'SERIES',
        keys: { StudyInstanceUID: uids },
        limit: 10_000,
        withTotal: false,
      }),
      archive.query(ctx, {
        level: 'IMAGE',
        keys: { StudyInstanceUID: uids },
        limit: 10_000,
        withTotal: false,
      }),
      // basedOn only for callers who may read orders (a researcher may not).
      hasPermission(ctx.actor, 'order.read')
        ? ris.lookUpOrders(ctx, {
            accessionNumbers: accessions,
            studyInstanceUids: studies.map((s) => String(s.StudyInstanceUID)),
          })
        : [],
    ]);
    // basedOn: the order the study is linked to (whatever Study Instance UID the modality used); a study
    // not linked yet, the order whose accession number it carries (what linking will match it by).
    const byAccession = new Map(orders.map((o) => [o.accessionNumber, o.id]));
    const orderOf = (uid: string, accession: unknown) =>
      orders.find((o) => o.examStudyInstanceUids.includes(uid))?.id ??
      (accession ? byAccession.get(String(accession)) : undefined);
    const seriesRecords = series.matches.map(toMatchRecord);
    const instanceRecords = instances.matches.map(toMatchRecord);
    const patientOf = patientLookup(patients, ctx, patient);
    return Promise.all(
      studies.map(async (study) => {
        const uid = study.StudyInstanceUID;
        const patientRef = await patientOf(
          String(study.PatientID ?? ''),
          String(study.IssuerOfPatientID ?? ''),
        );
        return toImagingStudy(
          study,
          seriesRecords.filter((s) => s.StudyInstanceUID === uid),
          instanceRecords.filter((i) => i.StudyInstanceUID === uid),
          patientRef,
          orderOf(String(uid), study.AccessionNumber),
        );
      }),
    );
  }

  async function search(ctx: RequestContext, query: SearchQuery) {
    const p = query.params;
    const keys: Record<string, string> = {};
    let issuerMustBeEmpty = false;
    if (p.has('_id')) {
      const ids = alternatives(p.get('_id')!).filter((id) => UID.test(id));
      if (ids.length === 0) return { total: 0, resources: [] };
      keys.StudyInstanceUID = ids.join('\\');
    }
    for (const name of ['identifier', 'accession']) {
      for (const value of alternatives(p.get(name) ?? [])) {
        const t = token(value);
        if (t.system === DICOM_UID_SYSTEM || t.code.startsWith('urn:oid:')) {
          keys.StudyInstanceUID = t.code.replace(/^urn:oid:/, '');
        } else keys.AccessionNumber = t.code;
      }
    }
    const patient = p.get('patient')?.[0] ?? p.get('subject')?.[0];
    let found: Patient | undefined;
    if (patient) {
      found = await patients.read(ctx, referenceId(patient, 'Patient', 'patient')).catch(() => undefined);
      if (!found) return { total: 0, resources: [] };
      keys.PatientID = found.patientId;
      // An empty issuer is a universal match in DICOM; such a patient's studies are filtered below.
      if (found.issuerOfPatientId) keys.IssuerOfPatientID = found.issuerOfPatientId;
      else issuerMustBeEmpty = true;
    }
    if (p.has('started')) keys.StudyDate = dicomDateRange(dateRange(p.get('started')!, 'started'));
    if (p.has('modality'))
      keys.ModalitiesInStudy = alternatives(p.get('modality')!)
        .map((m) => token(m).code)
        .join('\\');
    if (p.has('basedon')) {
      const id = referenceId(p.get('basedon')![0]!, 'ServiceRequest', 'basedon');
      const order = /^\d{1,15}$/.test(id)
        ? await ris.orders.get(ctx, Number(id) as OrderId).catch(() => undefined)
        : undefined;
      if (!order) return { total: 0, resources: [] };
      keys.AccessionNumber = order.accessionNumber;
    }
    const statuses = p.has('status') ? alternatives(p.get('status')!) : undefined;
    if (statuses && !statuses.includes('available')) return { total: 0, resources: [] };
    const received = p.has('_lastUpdated') ? dateRange(p.get('_lastUpdated')!, '_lastUpdated') : undefined;
    const order = query.sort?.map((s): StudyOrder => ({
      by: s.key === 'started' ? 'date' : 'lastReceived',
      descending: s.descending,
    }));
    const result = await archive.query(ctx, {
      level: 'STUDY',
      keys,
      limit: query.count,
      offset: query.offset,
      ...(order ? { order } : {}),
      ...(received
        ? {
            lastReceived: {
              ...(received.from ? { from: received.from.toISOString() } : {}),
              ...(received.to ? { to: received.to.toISOString() } : {}),
            },
          }
        : {}),
    });
    let studies = result.matches.map(toMatchRecord);
    let total = result.total ?? studies.length;
    if (issuerMustBeEmpty) {
      const kept = studies.filter((s) => !s.IssuerOfPatientID);
      total -= studies.length - kept.length;
      studies = kept;
    }
    return { total, resources: await build(ctx, studies, found) };
  }

  return {
    type: 'ImagingStudy',
    read: async (ctx, id) => {
      if (!UID.test(id)) throw fhirError(404, 'not-found', `ImagingStudy ${id} not found`);
      const result = await archive.query(ctx, { level: 'STUDY', keys: { StudyInstanceUID: id }, limit: 1 });
      const [study] = await build(ctx, result.matches.map(toMatchRecord));
      if (!study) throw fhirError(404, 'not-found', `ImagingStudy ${id} not found`);
      return study;
    },
    search: {
      params: {
        _id: { type: 'token', documentation: 'Study Instance UID' },
        _lastUpdated: {
          type: 'date',
          documentation: 'when the archive last received an instance of the study',
        },
        identifier: {
          type: 'token',
          documentation: 'accession number, or urn:dicom:uid|urn:oid:{Study Instance UID}',
        },
        accession: { type: 'token', documentation: 'accession number (Lantern parameter, as identifier)' },
        patient: { type: 'reference', documentation: 'Patient/{id}' },
        subject: { type: 'reference', documentation: 'Patient/{id}' },
        started: { type: 'date', documentation: 'study date, day precision' },
        modality: { type: 'token', documentation: 'a modality in the study (DCM code)' },
        basedon: {
          type: 'reference',
          documentation: 'ServiceRequest/{id}: the study with its accession number',
        },
        status: { type: 'token', documentation: 'stored studies are available' },
      },
      sorts: ['started', '-started', '_lastUpdated', '-_lastUpdated'],
      run: search,
    },
    references: {
      patient: (r: Resource) => [(r as ImagingStudy).subject.reference],
      subject: (r: Resource) => [(r as ImagingStudy).subject.reference],
      basedon: (r: Resource) => ((r as ImagingStudy).basedOn ?? []).map((b) => b.reference),
      endpoint: (r: Resource) => ((r as ImagingStudy).endpoint ?? []).map((e) => e.reference),
    },
  };
}
