// Who a signed report names, over REST against `lantern serve` (authentication on): a logged-in radiologist
// signs under the account's display name whatever the body says, and the text export prints it; a service
// account's API key (a dictation system signing for a radiologist) must name the signer, and the signature
// keeps the key's id.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startServe, type RunningLantern } from '../support/lantern-server.js';
import { assertProblem, restClient, userSession, type Problem } from '../support/rest-client.js';

interface ReportBody {
  orderStatus: string;
  current: { version: number; status: string; signer: { id: string; name: string } | null };
}

let dataDir: string;
let server: RunningLantern;
let patientRef: number;
let procedureId: number;
const headers: Record<'reader' | 'dictation', Record<string, string>> = { reader: {}, dictation: {} };
const as = (who: 'admin' | keyof typeof headers) =>
  restClient(
    () => `${server.httpUrl}/api`,
    () => (who === 'admin' ? server.auth : headers[who]),
  );
const admin = as('admin');

/** An order walked to completed, with a draft report of the radiologist's. */
async function examWithDraft(): Promise<number> {
  const order = await admin<{ id: number }>('POST', '/orders', { patientRef, procedureId });
  assert.equal(order.status, 201, JSON.stringify(order.body));
  for (const to of ['arrived', 'in-progress', 'completed']) {
    assert.equal((await admin('POST', `/orders/${order.body.id}/transitions`, { to })).status, 200);
  }
  const draft = await as('reader')('POST', `/orders/${order.body.id}/report/drafts`, {});
  assert.equal(draft.status, 201, JSON.stringify(draft.body));
  return order.body.id;
}

before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'lantern-report-signer-'));
  server = await startServe({ LANTERN_DATA_DIR: dataDir });
  const patient = await admin<{ id: number }>('POST', '/patients', {
    patientId: 'SIGN-1',
    issuerOfPatientId: 'HOSP',
    name: 'Signer^Sam',
    birthDate: '19700101',
    sex: 'M',
  });
  assert.equal(patient.status, 201, JSON.stringify(patient.body));
  patientRef = patient.body.id;
  const procedure = await admin<{ id: number }>('POST', '/procedures', {
    code: 'XR-WRIST',
    codingScheme: '99LANTERN',
    meaning: 'X-ray wrist',
    modality: 'CR',
    durationMinutes: 10,
  });
  assert.equal(procedure.status, 201, JSON.stringify(procedure.body));
  procedureId = procedure.body.id;
  headers.reader = (await userSession(server, 'rad-rita', ['radiologist'], 'Rita Reader MD')).headers;
  const key = await admin<{ key: string }>('POST', '/api-keys', { name: 'dictation', role: 'radiologist' });
  assert.equal(key.status, 201, JSON.stringify(key.body));
  headers.dictation = { authorization: `Bearer ${key.body.key}` };
});

after(async () => {
  await server?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

test("a logged-in radiologist signs under the account's display name, whatever the body names", async () => {
  const orderId = await examWithDraft();
  const reader = as('reader');
  const prelim = await reader<ReportBody>('POST', `/orders/${orderId}/report/sign`, { as: 'preliminary' });
  assert.equal(prelim.status, 200, JSON.stringify(prelim.body));
  assert.deepEqual(prelim.body.current.signer, { id: 'rad-rita', name: 'Rita Reader MD' });

  await reader('POST', `/orders/${orderId}/report/drafts`, {}); // a revision of the preliminary report
  const final = await reader<ReportBody>('POST', `/orders/${orderId}/report/sign`, {
    as: 'final',
    signer: { name: 'Dr Somebody Else' },
  });
  assert.equal(final.status, 200, JSON.stringify(final.body));
  assert.equal(final.body.orderStatus, 'final');
  assert.deepEqual(final.body.current.signer, { id: 'rad-rita', name: 'Rita Reader MD' });

  const text = (await reader('GET', `/orders/${orderId}/report.txt`)).bytes.toString();
  assert.match(text, /Signed final by Rita Reader MD \(rad-rita\) at /);
  assert.doesNotMatch(text, /Somebody Else/);
});

test("an API key must name the signer; its signature keeps the key's id", async () => {
  const orderId = await examWithDraft();
  const dictation = as('dictation');
  const unnamed = await dictation<Problem>('POST', `/orders/${orderId}/report/sign`, { as: 'final' });
  assertProblem(
    unnamed,
    400,
    /signer\.name is required: the caller \(service dictation\) is no logged-in person/,
  );
  const report = await admin<ReportBody>('GET', `/orders/${orderId}/report`);
  assert.equal(report.body.current.status, 'draft', 'the refusal signed nothing');

  const named = await dictation<ReportBody>('POST', `/orders/${orderId}/report/sign`, {
    as: 'final',
    signer: { name: 'Rita Reader MD' },
  });
  assert.equal(named.status, 200, JSON.stringify(named.body));
  assert.deepEqual(named.body.current.signer, { id: 'service:dictation', name: 'Rita Reader MD' });
  const text = (await dictation('GET', `/orders/${orderId}/report.txt`)).bytes.toString();
  assert.match(text, /Signed final by Rita Reader MD \(service:dictation\) at /);
});
