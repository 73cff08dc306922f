import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ExamNoteInput, OrderId, Ris } from '../../ris/index.js';
import { httpContext } from '../http/index.js';
import { ID_PARAMS } from './ris-schemas.js';

// The technologist's notes on an exam (append-only; a correction is a new note naming the one it corrects).
//   GET   /api/orders/:id/notes    { notes: [{ id, orderId, text, correctsNoteId, author: { kind, id }, createdAt }] }
//   POST  /api/orders/:id/notes    { text, correctsNoteId? }  → 201 the note
const NOTE_BODY = {
  type: 'object',
  required: ['text'],
  additionalProperties: false,
  properties: {
    text: { type: 'string', minLength: 1, maxLength: 2000 },
    correctsNoteId: { type: 'integer', minimum: 1 },
  },
} as const;
const NOTE = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    orderId: { type: 'integer' },
    text: { type: 'string' },
    correctsNoteId: { type: 'integer', nullable: true },
    author: { type: 'object', properties: { kind: { type: 'string' }, id: { type: 'string' } } },
    createdAt: { type: 'string', format: 'date-time' },
  },
} as const;

export function registerExamNoteRoutes(app: FastifyInstance, services: { ris: Ris }): void {
  const { examNotes } = services.ris;
  const ctx = (request: FastifyRequest) => httpContext(request, 'api');
  type ById<B = unknown> = { Params: { id: number }; Body: B };

  app.get<ById>(
    '/api/orders/:id/notes',
    {
      schema: {
        params: ID_PARAMS,
        response: { 200: { type: 'object', properties: { notes: { type: 'array', items: NOTE } } } },
      },
    },
    async (request) => ({ notes: await examNotes.list(ctx(request), request.params.id as OrderId) }),
  );
  app.post<ById<ExamNoteInput>>(
    '/api/orders/:id/notes',
    { schema: { params: ID_PARAMS, body: NOTE_BODY, response: { 201: NOTE } } },
    async (request, reply) =>
      reply.status(201).send(await examNotes.add(ctx(request), request.params.id as OrderId, request.body)),
  );
}
