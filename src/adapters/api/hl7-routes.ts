import type { FastifyInstance } from 'fastify';
import type { MessageLog, MessageSearch, StoredMessage } from '../../platform/messages/index.js';
import { httpContext } from '../http/index.js';
import { NO_BODY } from './route-schemas.js';

// The HL7 message log over REST, for interface administrators.
//   GET  /api/hl7/messages?direction=&state=&controlId=&limit=&offset=   { total, messages } newest first
//   GET  /api/hl7/messages/counts                                       { inbound: {state: n}, outbound: … }
//   GET  /api/hl7/messages/:id                                          one message with its text and ACK
//   POST /api/hl7/messages/:id/replay                                   process an inbound message again
//   POST /api/hl7/messages/:id/resend                                   send an outbound message again
export function registerHl7Routes(app: FastifyInstance, services: { messages: MessageLog }): void {
  const { messages } = services;
  type ById = { Params: { id: string } };

  app.get<{ Querystring: Record<string, string> }>('/api/hl7/messages', async (request) => {
    const { direction, state, controlId, limit, offset } = request.query;
    const search: MessageSearch = { direction, state, controlId };
    if (limit !== undefined) search.limit = Number(limit);
    if (offset !== undefined) search.offset = Number(offset);
    return messages.list(httpContext(request, 'api'), search);
  });

  app.get('/api/hl7/messages/counts', async (request) => messages.counts(httpContext(request, 'api')));

  app.get<ById>('/api/hl7/messages/:id', async (request) =>
    readable(await messages.get(httpContext(request, 'api'), Number(request.params.id))),
  );

  app.post<ById>('/api/hl7/messages/:id/replay', { schema: { body: NO_BODY } }, async (request) =>
    messages.replay(httpContext(request, 'api'), Number(request.params.id), 'inbound'),
  );

  app.post<ById>('/api/hl7/messages/:id/resend', { schema: { body: NO_BODY } }, async (request) =>
    messages.replay(httpContext(request, 'api'), Number(request.params.id), 'outbound'),
  );
}

/** ER7 as text with one segment a line (CR → LF); the bytes' character set is the message's MSH-18. */
function readable(message: StoredMessage) {
  const { payload, ack, ...rest } = message;
  const text = (bytes: Buffer) => bytes.toString('utf8').replace(/\r/g, '\n').trimEnd();
  return { ...rest, text: text(payload), ackText: ack === null ? null : text(ack) };
}
