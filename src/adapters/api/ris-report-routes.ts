import type { FastifyInstance, FastifyRequest } from 'fastify';
import type {
  AmendRequest,
  CriticalResultInput,
  DraftRequest,
  OrderId,
  ReadingWorklistSearch,
  ReportSection,
  ReportTemplateInput,
  Ris,
  SignRequest,
} from '../../ris/index.js';
import { httpContext } from '../http/index.js';
import { ID_PARAMS } from './ris-schemas.js';
import { CREATED, NO_BODY, NO_CONTENT } from './route-schemas.js';

// Reading and reporting over REST. Each route is one call on the RIS service, which checks the rules and
// writes the audit record (reads included); refusals are problem+json (409 names the state or the holder).
// A logged-in user signs under their account's display name (any signer in the body is ignored); an API key
// (a dictation system signing for a radiologist) or the anonymous caller with authentication off names the
// signer in the body, and the signature keeps the caller's id.
//   GET          /api/reading-worklist?modality=&priority=&status=&patientRef=&minAgeMinutes=&maxAgeMinutes=
//                                     &limit=&offset=                          { total, entries }
//   POST|DELETE  /api/reading-worklist/:id/claim          claim (200 { by, at, expiresAt }) / release (204)
//   GET|POST     /api/report-templates?procedureId=       templates; POST { procedureId?, name, sections }
//   GET|PUT|DELETE /api/report-templates/:id
//   GET          /api/orders/:id/report                   { …, current, versions, criticalResults }
//   POST         /api/orders/:id/report/drafts            { templateId? | sections? }  → 201
//   PUT          /api/orders/:id/report/draft             { sections }  (the author's draft)
//   POST         /api/orders/:id/report/sign              { as: preliminary|final, signer?: { name } }
//   POST         /api/orders/:id/report/amend             { kind: amendment|addendum, reason, sections? | addendum? } → 201
//   POST         /api/orders/:id/report/critical-results  { finding, notified: { name, role? }, method, notifiedAt? } → 201
//   GET          /api/orders/:id/report.txt?version=      text/plain
//   GET          /api/orders/:id/report.pdf?version=      application/pdf
export function registerRisReportRoutes(app: FastifyInstance, services: { ris: Ris }): void {
  const { reading, reportTemplates, reports } = services.ris;
  const ctx = (request: FastifyRequest) => httpContext(request, 'api');
  type ById<B = unknown, Q = unknown> = { Params: { id: number }; Body: B; Querystring: Q };
  const byId = { params: ID_PARAMS };
  const orderId = (request: { params: { id: number } }) => request.params.id as OrderId;

  app.get<{ Querystring: ReadingWorklistSearch }>(
    '/api/reading-worklist',
    { schema: { querystring: WORKLIST_QUERY } },
    async (request) => reading.worklist(ctx(request), request.query),
  );
  app.post<ById>('/api/reading-worklist/:id/claim', { schema: { ...byId, body: NO_BODY } }, async (request) =>
    reading.claim(ctx(request), orderId(request)),
  );
  app.delete<ById>(
    '/api/reading-worklist/:id/claim',
    { schema: { ...byId, response: NO_CONTENT } },
    async (request, reply) => {
      await reading.release(ctx(request), orderId(request));
      return reply.status(204).send();
    },
  );

  app.get<{ Querystring: { procedureId?: number } }>(
    '/api/report-templates',
    { schema: { querystring: TEMPLATE_QUERY } },
    async (request) => ({ templates: await reportTemplates.list(ctx(request), request.query.procedureId) }),
  );
  app.post<{ Body: ReportTemplateInput }>(
    '/api/report-templates',
    { schema: { body: TEMPLATE_BODY, response: CREATED } },
    async (request, reply) => {
      const template = await reportTemplates.create(ctx(request), request.body);
      return reply.status(201).header('location', `/api/report-templates/${template.id}`).send(template);
    },
  );
  app.get<ById>('/api/report-templates/:id', { schema: byId }, async (request) =>
    reportTemplates.get(ctx(request), request.params.id),
  );
  app.put<ById<ReportTemplateInput>>(
    '/api/report-templates/:id',
    { schema: { ...byId, body: TEMPLATE_BODY } },
    async (request) => reportTemplates.update(ctx(request), request.params.id, request.body),
  );
  app.delete<ById>(
    '/api/report-templates/:id',
    { schema: { ...byId, response: NO_CONTENT } },
    async (request, reply) => {
      await reportTemplates.remove(ctx(request), request.params.id);
      return reply.status(204).send();
    },
  );

  app.get<ById>('/api/orders/:id/report', { schema: byId }, async (request) =>
    reports.get(ctx(request), orderId(request)),
  );
  app.post<ById<DraftRequest | null>>(
    '/api/orders/:id/report/drafts',
    { schema: { ...byId, body: DRAFT_BODY, response: CREATED } },
    async (request, reply) => {
      const report = await reports.startDraft(ctx(request), orderId(request), request.body ?? {});
      return reply.status(201).header('location', `/api/orders/${request.params.id}/report`).send(report);
    },
  );
  app.put<ById<{ sections: ReportSection[] }>>(
    '/api/orders/:id/report/draft',
    { schema: { ...byId, body: EDIT_BODY } },
    async (request) => reports.editDraft(ctx(request), orderId(request), request.body),
  );
  app.post<ById<SignRequest>>(
    '/api/orders/:id/report/sign',
    { schema: { ...byId, body: SIGN_BODY } },
    async (request) => reports.sign(ctx(request), orderId(request), request.body),
  );
  app.post<ById<AmendRequest>>(
    '/api/orders/:id/report/amend',
    { schema: { ...byId, body: AMEND_BODY, response: CREATED } },
    async (request, reply) =>
      reply.status(201).send(await reports.amend(ctx(request), orderId(request), request.body)),
  );
  app.post<ById<CriticalResultInput>>(
    '/api/orders/:id/report/critical-results',
    { schema: { ...byId, body: CRITICAL_BODY, response: CREATED } },
    async (request, reply) =>
      reply
        .status(201)
        .send(await reports.recordCriticalResult(ctx(request), orderId(request), request.body)),
  );
  app.get<ById<unknown, { version?: number }>>(
    '/api/orders/:id/report.txt',
    { schema: { ...byId, querystring: VERSION_QUERY } },
    async (request, reply) => {
      const exported = await reports.exportText(ctx(request), orderId(request), request.query.version);
      return reply
        .type('text/plain; charset=utf-8')
        .header('content-disposition', `inline; filename="${exported.filename}"`)
        .send(exported.body);
    },
  );
  app.get<ById<unknown, { version?: number }>>(
    '/api/orders/:id/report.pdf',
    { schema: { ...byId, querystring: VERSION_QUERY } },
    async (request, reply) => {
      const exported = await reports.exportPdf(ctx(request), orderId(request), request.query.version);
      return reply
        .type('application/pdf')
        .header('content-disposition', `inline; filename="${exported.filename}"`)
        .send(exported.body);
    },
  );
}

const text = { type: 'string' } as const;
const sections = {
  type: 'array',
  items: {
    type: 'object',
    required: ['title', 'text'],
    additionalProperties: false,
    properties: { title: text, text },
  },
} as const;

const WORKLIST_QUERY = {
  type: 'object',
  additionalProperties: false,
  properties: {
    modality: { type: 'array', items: text },
    priority: { type: 'array', items: text },
    status: { type: 'array', items: text },
    patientRef: { type: 'integer' },
    minAgeMinutes: { type: 'integer' },
    maxAgeMinutes: { type: 'integer' },
    limit: { type: 'integer' },
    offset: { type: 'integer' },
  },
} as const;

const TEMPLATE_QUERY = {
  type: 'object',
  additionalProperties: false,
  properties: { procedureId: { type: 'integer', minimum: 1 } },
} as const;

const TEMPLATE_BODY = {
  type: 'object',
  required: ['name', 'sections'],
  additionalProperties: false,
  properties: { procedureId: { type: ['integer', 'null'], minimum: 1 }, name: text, sections },
} as const;

const DRAFT_BODY = {
  type: ['object', 'null'],
  additionalProperties: false,
  properties: { templateId: { type: 'integer', minimum: 1 }, sections },
} as const;

const EDIT_BODY = {
  type: 'object',
  required: ['sections'],
  additionalProperties: false,
  properties: { sections },
} as const;

const SIGN_BODY = {
  type: 'object',
  required: ['as'],
  additionalProperties: false,
  properties: {
    as: { type: 'string', enum: ['preliminary', 'final'] },
    signer: {
      type: 'object',
      description:
        "Needed only from an API key or without login; a logged-in user signs under their account's name.",
      required: ['name'],
      additionalProperties: false,
      properties: { name: text },
    },
  },
} as const;

const AMEND_BODY = {
  type: 'object',
  required: ['kind', 'reason'],
  additionalProperties: false,
  properties: {
    kind: { type: 'string', enum: ['amendment', 'addendum'] },
    reason: text,
    sections,
    addendum: text,
  },
} as const;

const CRITICAL_BODY = {
  type: 'object',
  required: ['finding', 'notified', 'method'],
  additionalProperties: false,
  properties: {
    finding: text,
    notified: {
      type: 'object',
      required: ['name'],
      additionalProperties: false,
      properties: { name: text, role: text },
    },
    method: text,
    notifiedAt: text,
  },
} as const;

const VERSION_QUERY = {
  type: 'object',
  additionalProperties: false,
  properties: { version: { type: 'integer', minimum: 1 } },
} as const;
