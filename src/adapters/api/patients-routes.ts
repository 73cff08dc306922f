import type { FastifyInstance } from 'fastify';
import type { PatientSearch, Patients } from '../../patients/index.js';
import { httpContext } from '../http/index.js';
import { fieldErrors } from './field-errors.js';
import { MERGE_BODY, PATIENT_BODY, PATIENT_PATCH, PATIENT_QUERY } from './patient-schemas.js';
import { CREATED, NO_BODY } from './route-schemas.js';

// Patient identity over REST, for the registration desk and administrators. Fastify checks the shape of
// bodies and queries (patient-schemas.ts), the patients service every rule (every door obeys the same ones);
// either refusal is a 400 problem+json naming the field (`sex: …`). Unmerge is an administrator's.
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
  // The service's field-named wording for refusals of the schemas too.
  const checked = <S>(schema: S) => ({ schema, schemaErrorFormatter: fieldErrors });

  app.post<{ Body: unknown }>(
    '/api/patients',
    checked({ body: PATIENT_BODY, response: CREATED }),
    async (request, reply) => {
      const patient = await patients.register(httpContext(request, 'api'), request.body);
      return reply.status(201).header('location', `/api/patients/${patient.id}`).send(patient);
    },
  );

  app.get<{ Querystring: PatientSearch }>(
    '/api/patients',
    checked({ querystring: PATIENT_QUERY }),
    async (request) => patients.search(httpContext(request, 'api'), request.query),
  );

  app.get<ById>('/api/patients/:id', async (request) =>
    patients.read(httpContext(request, 'api'), request.params.id),
  );

  app.put<ById>('/api/patients/:id', checked({ body: PATIENT_BODY }), async (request) =>
    patients.update(httpContext(request, 'api'), request.params.id, request.body, 'replace'),
  );

  app.patch<ById>('/api/patients/:id', checked({ body: PATIENT_PATCH }), async (request) =>
    patients.update(httpContext(request, 'api'), request.params.id, request.body, 'patch'),
  );

  app.post<ById>('/api/patients/:id/merge', checked({ body: MERGE_BODY }), async (request) =>
    patients.merge(httpContext(request, 'api'), request.params.id, request.body),
  );

  app.post<ById>('/api/patients/:id/unmerge', checked({ body: NO_BODY }), async (request) =>
    patients.unmerge(httpContext(request, 'api'), request.params.id),
  );
}
