import type { AuditEvent } from '@medplum/fhirtypes';
import type { AuditReader, AuditRecord, AuditSearch } from '../../platform/security/index.js';
import { DICOM_UID_SYSTEM } from './coding-systems.js';
import { fhirError } from './operation-outcome.js';
import type { ResourceHandler } from './resource-handler.js';
import { alternatives, dateRange } from './search-values.js';

// AuditEvent ← the hash-chained audit trail (platform/security), read-only. The id is the record's place in
// the chain; the action (`order.place`) is the subtype; the type is REST for HTTP doors, else DICOM's
// application activity codes would be finer (a later refinement).

const CRUDE: Record<string, AuditEvent['action']> = {
  create: 'C',
  register: 'C',
  place: 'C',
  store: 'C',
  book: 'C',
  read: 'R',
  export: 'R',
  retrieve: 'R',
  history: 'R',
  slots: 'R',
  list: 'R',
  search: 'E',
  query: 'E',
  update: 'U',
  transition: 'U',
  merge: 'U',
  unmerge: 'U',
  sign: 'U',
  amend: 'U',
  reschedule: 'U',
  cancel: 'U',
  delete: 'D',
  remove: 'D',
};

export function toAuditEvent(record: AuditRecord): AuditEvent {
  const verb = record.action.split('.').pop() ?? '';
  return {
    resourceType: 'AuditEvent',
    id: String(record.seq),
    type: {
      system: 'http://terminology.hl7.org/CodeSystem/audit-event-type',
      code: 'rest',
      display: 'RESTful Operation',
    },
    subtype: [{ system: 'urn:lantern:audit-action', code: record.action }],
    action: CRUDE[verb] ?? 'E',
    recorded: record.recordedAt,
    outcome: record.outcome === 'success' ? '0' : '8',
    ...(record.detail && typeof record.detail.reason === 'string'
      ? { outcomeDesc: record.detail.reason }
      : {}),
    agent: [
      {
        type: { coding: [{ system: 'urn:lantern:actor-kind', code: record.actor.kind }] },
        who: {
          identifier: { system: `urn:lantern:${record.actor.kind}`, value: record.actor.id },
          display: record.actor.id,
        },
        altId: record.actor.id,
        requestor: true,
        ...(record.remoteAddress ? { network: { address: record.remoteAddress, type: '2' as const } } : {}),
      },
    ],
    source: {
      site: record.door,
      observer: { display: 'Lantern' },
      type: [
        {
          system: 'http://terminology.hl7.org/CodeSystem/security-source-type',
          code: '4',
          display: 'Application Server',
        },
      ],
    },
    entity: [
      ...(record.patientId
        ? [
            {
              what: { identifier: { value: record.patientId } },
              type: { code: '1', system: 'http://terminology.hl7.org/CodeSystem/audit-entity-type' },
            },
          ]
        : []),
      ...(record.studyInstanceUid
        ? [
            {
              what: { identifier: { system: DICOM_UID_SYSTEM, value: `urn:oid:${record.studyInstanceUid}` } },
              type: { code: '2', system: 'http://terminology.hl7.org/CodeSystem/audit-entity-type' },
            },
          ]
        : []),
      {
        what: { identifier: { system: 'urn:lantern:request-id', value: record.requestId } },
        ...(record.detail
          ? { detail: [{ type: 'detail', valueString: JSON.stringify(record.detail) }] }
          : {}),
      },
    ],
  };
}

export function auditEventHandler(audit: AuditReader): ResourceHandler {
  return {
    type: 'AuditEvent',
    read: async (ctx, id) => {
      if (!/^\d{1,15}$/.test(id)) throw fhirError(404, 'not-found', `AuditEvent ${id} not found`);
      return toAuditEvent(await audit.get(ctx, Number(id)));
    },
    search: {
      params: {
        _id: { type: 'token', documentation: 'place in the audit chain' },
        date: { type: 'date', documentation: 'when recorded' },
        subtype: {
          type: 'token',
          documentation: "Lantern action ('order.place'; 'patient.' for every patient action)",
        },
        outcome: { type: 'token', documentation: '0 success, 8 failure' },
        altid: { type: 'token', documentation: 'actor id' },
        address: { type: 'string', documentation: 'remote network address' },
        'entity-id': { type: 'token', documentation: 'Patient ID, or urn:oid:{Study Instance UID}' },
      },
      sorts: ['-date', 'date'],
      run: async (ctx, query) => {
        const p = query.params;
        const range = p.has('date') ? dateRange(p.get('date')!, 'date') : {};
        const outcome = p.get('outcome')?.[0];
        const entity = p.get('entity-id')?.[0]?.split('|').pop();
        const search: AuditSearch = {
          ...(p.has('_id')
            ? {
                seqs: alternatives(p.get('_id')!)
                  .filter((v) => /^\d{1,15}$/.test(v))
                  .map(Number),
              }
            : {}),
          ...(range.from ? { from: range.from.toISOString() } : {}),
          ...(range.to ? { to: range.to.toISOString() } : {}),
          ...(p.has('subtype')
            ? { actions: alternatives(p.get('subtype')!).map((v) => v.split('|').pop()!) }
            : {}),
          ...(outcome ? { outcome: outcome === '0' ? 'success' : 'failure' } : {}),
          ...(p.has('altid')
            ? { actorIds: alternatives(p.get('altid')!).map((v) => v.split('|').pop()!) }
            : {}),
          ...(p.get('address')?.[0] ? { remoteAddress: p.get('address')![0] } : {}),
          ...(entity
            ? entity.startsWith('urn:oid:')
              ? { studyInstanceUid: entity.slice(8) }
              : { patientId: entity }
            : {}),
          ascending: query.sort?.[0]?.descending === false,
          limit: query.count,
          offset: query.offset,
        };
        const result = await audit.search(ctx, search);
        return { total: result.total, resources: result.records.map(toAuditEvent) };
      },
    },
  };
}
