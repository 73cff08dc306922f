import type { AuditRecord } from './audit-search.js';

// One audit record as a DICOM audit message (PS3.15 A.5, the schema of A.5.1, vocabulary of PS3.16 CID 400
// ff.), for an audit record repository. Lantern's trail stays the record; this is its copy in the format
// repositories read (IHE ATNA).

interface Coded {
  code: string;
  system: 'DCM' | 'RFC-3881';
  text: string;
}
const dcm = (code: string, text: string): Coded => ({ code, system: 'DCM', text });

// PS3.16 CID 400 Audit Event ID.
const EVENT = {
  applicationActivity: dcm('110100', 'Application Activity'),
  auditLogUsed: dcm('110101', 'Audit Log Used'),
  instancesTransferred: dcm('110104', 'DICOM Instances Transferred'),
  export: dcm('110106', 'Export'),
  orderRecord: dcm('110109', 'Order Record'),
  patientRecord: dcm('110110', 'Patient Record'),
  procedureRecord: dcm('110111', 'Procedure Record'),
  query: dcm('110112', 'Query'),
  securityAlert: dcm('110113', 'Security Alert'),
  userAuthentication: dcm('110114', 'User Authentication'),
};
// CID 401 Audit Event Type Code (the kinds of Security Alert and User Authentication used here).
const EVENT_TYPE: Record<string, Coded> = {
  'user.login': dcm('110122', 'Login'),
  'user.logout': dcm('110123', 'Logout'),
  'security.deny': dcm('110132', 'Use of Restricted Function'),
  'security.break-glass': dcm('110127', 'Emergency Override Started'),
  'session.reuse': dcm('110126', 'Node Authentication'),
  'user.lockout': dcm('110137', 'User Security Attributes Changed'),
};

type ActionCode = 'C' | 'R' | 'U' | 'D' | 'E';

/** Which DICOM audit event a Lantern action is, and its EventActionCode (create, read, update, delete, execute). */
export function auditEventOf(action: string): { event: Coded; actionCode: ActionCode } {
  const [noun = '', verb = ''] = action.split('.');
  if (action === 'user.login' || action === 'user.logout')
    return { event: EVENT.userAuthentication, actionCode: 'E' };
  if (EVENT_TYPE[action]) return { event: EVENT.securityAlert, actionCode: 'E' };
  if (noun === 'instance' || noun === 'instances') {
    return { event: EVENT.instancesTransferred, actionCode: verb === 'store' ? 'C' : 'R' };
  }
  if (/search|query|list|worklist|studies|history/.test(verb) || noun === 'search') {
    return { event: noun === 'audit' ? EVENT.auditLogUsed : EVENT.query, actionCode: 'E' };
  }
  if (verb === 'export') return { event: EVENT.export, actionCode: 'R' };
  const actionCode: ActionCode = /^(read|metadata|retrieve)/.test(verb)
    ? 'R'
    : /^(create|place|add|seed|store)/.test(verb)
      ? 'C'
      : /^(delete|remove|dismiss|revoke)/.test(verb)
        ? 'D'
        : /^(update|change|merge|unmerge|link|transition|edit|passwd|roles|reschedule|release|claim)/.test(
              verb,
            )
          ? 'U'
          : 'E';
  const event =
    noun === 'audit'
      ? EVENT.auditLogUsed
      : noun === 'patient'
        ? EVENT.patientRecord
        : /^(order|booking|reading|charge|report)/.test(noun)
          ? EVENT.orderRecord
          : /^(procedure|mpps)/.test(noun)
            ? EVENT.procedureRecord
            : noun === 'study'
              ? EVENT.instancesTransferred
              : EVENT.applicationActivity;
  return { event, actionCode };
}

// XML 1.0 allows no C0 controls but tab, CR and LF: they are dropped.
// eslint-disable-next-line no-control-regex -- the controls are what it finds
const XML_SPECIAL = new RegExp('[<>&"\'\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f]', 'g');
const ENTITIES: Record<string, string> = {
  '<': '&lt;',
  '>': '&gt;',
  '&': '&amp;',
  '"': '&quot;',
  "'": '&apos;',
};
const escape = (text: string) => text.replace(XML_SPECIAL, (ch) => ENTITIES[ch] ?? '');
const attrs = (values: Record<string, string | undefined>) =>
  Object.entries(values)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${escape(v!)}"`)
    .join('');
const coded = (element: string, c: Coded) =>
  `<${element}${attrs({ 'csd-code': c.code, codeSystemName: c.system, originalText: c.text })}/>`;
const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

export interface AuditSource {
  /** AuditSourceID: this Lantern (its AE title). */
  id: string;
  /** This machine, for Lantern's own ActiveParticipant. */
  hostname: string;
}

/** The AuditMessage XML of one record (PS3.15 A.5.1). */
export function dicomAuditMessage(record: AuditRecord, source: AuditSource): string {
  const { event, actionCode } = auditEventOf(record.action);
  const failed = record.outcome === 'failure';
  const type = EVENT_TYPE[record.action];
  const reason = typeof record.detail?.reason === 'string' ? record.detail.reason : undefined;
  const resource = typeof record.detail?.resource === 'string' ? record.detail.resource : undefined;
  // The requestor sends (C) or receives (R) the data; Lantern takes the other role (CID 402).
  const [requestorRole, lanternRole] =
    actionCode === 'C'
      ? [dcm('110153', 'Source Role ID'), dcm('110152', 'Destination Role ID')]
      : actionCode === 'R'
        ? [dcm('110152', 'Destination Role ID'), dcm('110153', 'Source Role ID')]
        : [undefined, undefined];
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>', '<AuditMessage>'];
  out.push(
    `<EventIdentification${attrs({
      EventActionCode: actionCode,
      EventDateTime: record.recordedAt,
      EventOutcomeIndicator: failed ? '4' : '0', // 0 success, 4 minor failure
    })}>`,
    coded('EventID', event),
    ...(type ? [coded('EventTypeCode', type)] : []),
    ...(failed && reason ? [`<EventOutcomeDescription>${escape(reason)}</EventOutcomeDescription>`] : []),
    '</EventIdentification>',
  );
  const remote = record.remoteAddress ?? undefined;
  out.push(
    `<ActiveParticipant${attrs({
      UserID: record.actor.id,
      AlternativeUserID: record.actor.kind,
      UserIsRequestor: 'true',
      NetworkAccessPointID: remote,
      NetworkAccessPointTypeCode: remote ? '2' : undefined, // 2: IP address
    })}>`,
    ...(requestorRole ? [coded('RoleIDCode', requestorRole)] : []),
    '</ActiveParticipant>',
    `<ActiveParticipant${attrs({
      UserID: source.id,
      AlternativeUserID: String(process.pid),
      UserIsRequestor: 'false',
      NetworkAccessPointID: source.hostname,
      NetworkAccessPointTypeCode: '1', // 1: machine name
    })}>`,
    ...(lanternRole ? [coded('RoleIDCode', lanternRole)] : []),
    '</ActiveParticipant>',
    `<AuditSourceIdentification${attrs({ AuditSourceID: source.id })}>`,
    `<AuditSourceTypeCode${attrs({ 'csd-code': '4', codeSystemName: 'DCM', originalText: 'Application Server' })}/>`,
    '</AuditSourceIdentification>',
  );
  // The record itself (Lantern's audit trail: seq, request, door), so a repository entry leads back to it.
  const trail = `<ParticipantObjectDetail${attrs({ type: 'LanternAuditRecord', value: base64(JSON.stringify({ seq: record.seq, requestId: record.requestId, door: record.door, action: record.action })) })}/>`;
  const objects: string[] = [];
  if (record.patientId) {
    objects.push(
      `<ParticipantObjectIdentification${attrs({ ParticipantObjectID: record.patientId, ParticipantObjectTypeCode: '1', ParticipantObjectTypeCodeRole: '1' })}>`,
      `<ParticipantObjectIDTypeCode${attrs({ 'csd-code': '2', codeSystemName: 'RFC-3881', originalText: 'Patient Number' })}/>`,
      '</ParticipantObjectIdentification>',
    );
  }
  if (record.studyInstanceUid) {
    objects.push(
      `<ParticipantObjectIdentification${attrs({ ParticipantObjectID: record.studyInstanceUid, ParticipantObjectTypeCode: '2', ParticipantObjectTypeCodeRole: '3' })}>`,
      coded('ParticipantObjectIDTypeCode', dcm('110180', 'Study Instance UID')),
      '</ParticipantObjectIdentification>',
    );
  }
  // What was asked (a query's parameters, the route or command refused): role 24 Query, 13 Security Resource.
  const role = event === EVENT.query ? '24' : event === EVENT.securityAlert ? '13' : '4';
  objects.push(
    `<ParticipantObjectIdentification${attrs({ ParticipantObjectID: resource ?? record.action, ParticipantObjectTypeCode: '2', ParticipantObjectTypeCodeRole: role })}>`,
    `<ParticipantObjectIDTypeCode${attrs({ 'csd-code': '12', codeSystemName: 'RFC-3881', originalText: 'URI' })}/>`,
    ...(event === EVENT.query && record.detail
      ? [`<ParticipantObjectQuery>${base64(JSON.stringify(record.detail))}</ParticipantObjectQuery>`]
      : []),
    trail,
    '</ParticipantObjectIdentification>',
  );
  out.push(...objects, '</AuditMessage>');
  return out.join('');
}
