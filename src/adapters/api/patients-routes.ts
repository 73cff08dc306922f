import type { FastifyInstance } from 'fastify';
import type { PatientSearch, Patients } from '../../patients/index.js';
import { httpContext } from '../http/index.js';

// Patient identity over REST, for the registration desk and administrators. Bodies are checked by the
// patients service (every door obeys the same rules); a refusal is a 400 problem+json naming the field.
//   POST   /api/patients                   register: { patientId, issuerOfPatientId?, name, birthDate?, sex?,
//                                          address?, phone?, otherIds?: [{ value, issuer?, type? }] }
//   GET    /api/patients?name=&identifier=&birthDate=&includeMerged=&limit=&offset=   { total, patients }
//   GET    /api/patients/:id               one patient
//   PUT    /api/patients/:id               replace (a whole registration)
//   PATCH  /api/patients/:id               change the fields given; null clears an optional one
//   POST   /api/patients/:id/merge         { into: otherId } or { from: otherId }
//   POST   /api/patients/:id/unmerge       undo the merge of patient :id (the one merged away)
export function registerPatientRoutes(app: FastifyInstance, services: { patients: Patients }): void {
  const { patients } = services;
  type ById = { Params: { id: string }; Body: unknown };

  app.post<{ Body: unknown }>('/api/patients', async (request, reply) => {
    const patient = await patients.register(httpContext(request, 'api'), request.body);
    return reply.status(201).header('location', `/api/patients/${patient.id}`).send(patient);
  });

  app.get<{ Querystring: PatientSearch }>('/api/patients', async (request) =>
    patients.search(httpContext(request, 'api'), request.query),
  );

  app.get<ById>('/api/patients/:id', async (request) =>
    patients.read(httpContext(request, 'api'), request.params.id),
  );

  app.put<ById>('/api/patients/:id', async (request) =>
    patients.update(httpContext(request, 'api'), request.params.id, request.body, 'replace'),
  );

  app.patch<ById>('/api/patients/:id', async (request) =>
    patients.update(httpContext(request, 'api'), request.params.id, request.body, 'patch'),
  );

  app.post<ById>('/api/patients/:id/merge', async (request) =>
    patients.merge(httpContext(request, 'api'), request.params.id, request.body),
  );

  app.post<ById>('/api/patients/:id/unmerge', async (request) =>
    patients.unmerge(httpContext(request, 'api'), request.params.id),
  );
}
