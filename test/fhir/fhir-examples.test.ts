// The FHIR door's rules against `lantern serve`, with fhir-kit-client and the official R4 examples
// (hl7.fhir.r4.examples): examples validate and round-trip where Lantern stores them; invalid resources
// get an OperationOutcome naming each problem's path; versions, If-Match, paging, _summary, unknown
// parameters (lenient and strict) and the CapabilityStatement.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { Client } from 'fhir-kit-client';
import type {
  Bundle,
  CapabilityStatement,
  OperationOutcome,
  Patient,
  ServiceRequest,
} from '@medplum/fhirtypes';
import { startServe, type RunningLantern } from '../support/lantern-server.js';

const examples = dirname(createRequire(import.meta.url).resolve('hl7.fhir.r4.examples/package.json'));
const example = <T>(name: string): T =>
  JSON.parse(readFileSync(join(examples, `${name}.json`), 'utf8')) as unknown as T;

let dataDir: string;
let server: RunningLantern;
let fhir: Client;
let base: string;

before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'lantern-fhir-examples-'));
  server = await startServe({ LANTERN_DATA_DIR: dataDir });
  base = `${server.httpUrl}/fhir`;
  fhir = new Client({ baseUrl: base, customHeaders: server.auth });
});

after(async () => {
  await server?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

const raw = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
  fetch(`${base}${path}`, {
    method,
    headers: {
      ...server.auth,
      ...(body === undefined ? {} : { 'content-type': 'application/fhir+json' }),
      ...headers,
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

async function refusal(response: Response, status: number): Promise<OperationOutcome> {
  const text = await response.text();
  assert.equal(response.status, status, text);
  assert.match(response.headers.get('content-type') ?? '', /application\/fhir\+json/);
  const outcome = JSON.parse(text) as unknown as OperationOutcome;
  assert.equal(outcome.resourceType, 'OperationOutcome');
  return outcome;
}

test('the Patient example round-trips what Lantern keeps, with versions and If-Match', async () => {
  const { id: _id, ...source } = example<Patient>('Patient-example');
  const created = (await fhir.create({ resourceType: 'Patient', body: source })) as unknown as Patient;
  const read = (await fhir.read({ resourceType: 'Patient', id: created.id! })) as unknown as Patient;
  assert.deepEqual(
    read.identifier!.map((i) => [i.system, i.value]),
    source.identifier!.map((i) => [i.system, i.value]),
  );
  const official = source.name!.find((n) => n.use === 'official')!;
  assert.equal(read.name![0]!.family, official.family);
  assert.deepEqual(read.name![0]!.given, official.given);
  assert.equal(read.gender, source.gender);
  assert.equal(read.birthDate, source.birthDate);
  assert.equal(read.telecom?.[0]?.value, source.telecom!.find((t) => t.system === 'phone')!.value);

  const stale = `W/"${read.meta!.versionId}"`;
  const changed = { ...read, birthDate: '1974-12-24' };
  await new Promise((r) => setTimeout(r, 5));
  const updated = await raw('PUT', `/Patient/${read.id}`, changed, { 'if-match': stale });
  assert.equal(updated.status, 200, await updated.clone().text());
  assert.notEqual(updated.headers.get('etag'), stale);
  assert.equal(((await updated.json()) as unknown as Patient).birthDate, '1974-12-24');
  const outcome = await refusal(await raw('PUT', `/Patient/${read.id}`, changed, { 'if-match': stale }), 412);
  assert.equal(outcome.issue[0]!.code, 'conflict');
});

test('the ServiceRequest example is placed once its code is in the catalogue and its patient exists', async () => {
  const procedure = await fetch(`${server.httpUrl}/api/procedures`, {
    method: 'POST',
    headers: { ...server.auth, 'content-type': 'application/json' },
    body: JSON.stringify({
      code: '24627-2',
      codingScheme: 'LN',
      meaning: 'Chest CT',
      modality: 'CT',
      durationMinutes: 20,
    }),
  });
  assert.equal(procedure.status, 201, await procedure.text());
  const { id: _p, ...patient } = example<Patient>('Patient-dicom');
  const subject = (await fhir.create({ resourceType: 'Patient', body: patient })) as unknown as Patient;
  const { id: _s, ...source } = example<ServiceRequest>('ServiceRequest-di');
  const placed = (await fhir.create({
    resourceType: 'ServiceRequest',
    body: { ...source, subject: { reference: `Patient/${subject.id}` } },
  })) as unknown as ServiceRequest;
  assert.equal(placed.status, 'active');
  assert.deepEqual(
    placed.code!.coding!.map((c) => [c.system, c.code]),
    [['http://loinc.org', '24627-2']],
  );
  assert.equal(placed.requester?.reference, 'Practitioner/example');
  assert.equal(placed.requester?.display, 'Dr. Adam Careful');
  assert.equal(placed.reasonCode?.[0]?.text, 'Check for metastatic disease');

  // Revoking cancels the order in the RIS; a cancelled order cannot become active again.
  const revoked = (await fhir.update({
    resourceType: 'ServiceRequest',
    id: placed.id!,
    body: { ...placed, status: 'revoked' },
  })) as unknown as ServiceRequest;
  assert.equal(revoked.extension?.[0]?.valueCode, 'cancelled');
  await refusal(await raw('PUT', `/ServiceRequest/${placed.id}`, { ...revoked, status: 'active' }), 409);
  const unknownCode = {
    ...source,
    code: { coding: [{ system: 'http://loinc.org', code: '0000-0' }] },
    subject: { reference: `Patient/${subject.id}` },
  };
  const business = await refusal(await raw('POST', '/ServiceRequest', unknownCode), 422);
  assert.deepEqual(business.issue[0]!.expression, ['ServiceRequest.code']);
});

test('an invalid resource gets one issue per problem, each with its path', async () => {
  const outcome = await refusal(
    await raw('POST', '/Patient', {
      resourceType: 'Patient',
      identifier: [{ value: 'BAD-1' }],
      name: [{ family: '', given: ['Ann'] }],
      gender: 'banana',
      birthDate: '2020-13-01',
      active: 'yes',
      colour: 'blue',
    }),
    400,
  );
  const paths = outcome.issue.map((i) => i.expression?.[0]).sort();
  assert.deepEqual(paths, [
    'Patient.active',
    'Patient.birthDate',
    'Patient.colour',
    'Patient.gender',
    'Patient.name[0].family',
  ]);
  const status = await refusal(
    await raw('POST', '/ServiceRequest', {
      resourceType: 'ServiceRequest',
      status: 'finished',
      intent: 'order',
      subject: { reference: 'Patient/1' },
    }),
    400,
  );
  assert.deepEqual(
    status.issue.map((i) => i.expression?.[0]),
    ['ServiceRequest.status'],
  );
  await refusal(await raw('GET', '/Patient/999999'), 404);
  await refusal(await raw('GET', '/Medication/1'), 404);
});

test('search: paging with next links, _summary=count, unknown parameters lenient and strict', async () => {
  for (const n of [1, 2, 3]) {
    await fhir.create({
      resourceType: 'Patient',
      body: {
        resourceType: 'Patient',
        identifier: [{ system: 'urn:test:page', value: `PAGE-${n}` }],
        name: [{ family: 'Pager', given: [`P${n}`] }],
      },
    });
  }
  const first = (await fhir.search({
    resourceType: 'Patient',
    searchParams: { name: 'pager', _count: '2' },
  })) as unknown as Bundle;
  assert.equal(first.total, 3);
  assert.equal(first.entry!.length, 2);
  const second = (await fhir.nextPage({ bundle: first as never })) as unknown as Bundle;
  assert.equal(second.entry!.length, 1);
  assert.equal(
    second.link!.some((l) => l.relation === 'next'),
    false,
  );
  const count = (await fhir.search({
    resourceType: 'Patient',
    searchParams: { name: 'pager', _summary: 'count' },
  })) as unknown as Bundle;
  assert.equal(count.total, 3);
  assert.equal(count.entry, undefined);

  const lenient = (await fhir.search({
    resourceType: 'Patient',
    searchParams: { name: 'pager', shoeSize: '44' },
  })) as unknown as Bundle;
  assert.equal(lenient.total, 3);
  const warning = lenient.entry!.find((e) => e.search?.mode === 'outcome')!.resource as OperationOutcome;
  assert.equal(warning.issue[0]!.severity, 'warning');
  assert.deepEqual(warning.issue[0]!.expression, ['shoeSize']);
  const strict = await refusal(
    await raw('GET', '/Patient?name=pager&shoeSize=44', undefined, { prefer: 'handling=strict' }),
    400,
  );
  assert.deepEqual(strict.issue[0]!.expression, ['shoeSize']);
});

test('the CapabilityStatement lists what the door does', async () => {
  const statement = (await fhir.capabilityStatement()) as unknown as CapabilityStatement;
  assert.equal(statement.fhirVersion, '4.0.1');
  const patient = statement.rest![0]!.resource!.find((r) => r.type === 'Patient')!;
  assert.deepEqual(
    patient.interaction!.map((i) => i.code),
    ['read', 'search-type', 'create', 'update'],
  );
  const study = statement.rest![0]!.resource!.find((r) => r.type === 'ImagingStudy')!;
  assert.deepEqual(
    study.interaction!.map((i) => i.code),
    ['read', 'search-type'],
  );
  assert.ok(study.searchInclude!.includes('ImagingStudy:patient'));
  assert.ok(patient.searchRevInclude!.includes('ImagingStudy:patient'));
});
