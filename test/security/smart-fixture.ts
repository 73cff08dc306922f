// The stage of the SMART tests: a server with authentication on, a local OpenID provider, and two patients,
// each with one CT study (stored over DIMSE) and one order. Helpers to read what FHIR answers.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Bundle, OperationOutcome, Resource } from '@medplum/fhirtypes';
import { runTool } from '../support/dcmtk.js';
import { startServe, type RunningLantern } from '../support/lantern-server.js';
import { restClient } from '../support/rest-client.js';
import { syntheticCtInstance } from '../support/synthetic-ct.js';
import { startIssuer } from './security-support.js';

export const ONE = { patientId: 'SMART-ONE', studyInstanceUid: '1.2.826.0.1.3680043.2.1125.8001' };
export const TWO = { patientId: 'SMART-TWO', studyInstanceUid: '1.2.826.0.1.3680043.2.1125.8002' };

export interface SmartStage {
  dataDir: string;
  server: RunningLantern;
  issuer: Awaited<ReturnType<typeof startIssuer>>;
  /** Lantern's keys of the two patients and their orders. */
  ids: { one: { patient: string; order: string }; two: { patient: string; order: string } };
  /** The administrator's REST client. */
  admin: ReturnType<typeof restClient>;
  /** A FHIR request with a bearer token. */
  fhir(token: string, path: string, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

export async function startSmartStage(): Promise<SmartStage> {
  const dataDir = await mkdtemp(join(tmpdir(), 'lantern-smart-'));
  const issuer = await startIssuer();
  const server = await startServe({
    LANTERN_DATA_DIR: dataDir,
    LANTERN_SECURITY_AUTHENTICATION: 'on',
    LANTERN_SECURITY_OIDC_ISSUER: issuer.issuer,
    LANTERN_SECURITY_OIDC_AUDIENCE: 'lantern',
    LANTERN_DICOM_REMOTE_AES: JSON.stringify([
      { aeTitle: 'MODALITY', host: '127.0.0.1', port: 104, permissions: ['store'] },
    ]),
  });
  const admin = restClient(
    () => server.httpUrl,
    () => server.auth,
  );
  const ids = { one: { patient: '', order: '' }, two: { patient: '', order: '' } };
  // A study of each patient arrives; ingest makes the patients.
  const files = join(dataDir, 'incoming');
  await mkdir(files);
  for (const [i, who] of [ONE, TWO].entries()) {
    const bytes = syntheticCtInstance({
      rows: 8,
      columns: 8,
      seed: i + 1,
      ...who,
      patientName: 'Smart^Test',
    });
    await writeFile(join(files, `${i}.dcm`), bytes);
  }
  const stored = await runTool('storescu', [
    ...['-aec', 'LANTERN', '-aet', 'MODALITY', '127.0.0.1', String(server.dicomPort), '+sd', files],
  ]);
  assert.equal(stored.code, 0, stored.output);
  const procedure = await admin<{ id: number }>('POST', '/api/procedures', {
    code: 'CT-SMART-1',
    codingScheme: '99LANTERN',
    meaning: 'CT chest',
    modality: 'CT',
    durationMinutes: 15,
  });
  assert.equal(procedure.status, 201, JSON.stringify(procedure.body));
  for (const [key, who] of [
    ['one', ONE],
    ['two', TWO],
  ] as const) {
    const found = await admin<{ patients: { id: number }[] }>(
      'GET',
      `/api/patients?identifier=${who.patientId}`,
    );
    ids[key].patient = String(found.body.patients[0]!.id);
    const order = await admin<{ id: number }>('POST', '/api/orders', {
      patientRef: Number(ids[key].patient),
      procedureId: procedure.body.id,
      orderingProvider: { id: 'dr-smart', name: 'Doc^Smart' },
    });
    assert.equal(order.status, 201, JSON.stringify(order.body));
    ids[key].order = String(order.body.id);
  }
  return {
    dataDir,
    server,
    issuer,
    ids,
    admin,
    fhir: (token, path, init = {}) =>
      fetch(`${server.httpUrl}/fhir${path}`, {
        ...init,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/fhir+json' },
      }),
    async close() {
      await server.stop();
      await issuer.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** The patient a resource of the compartment belongs to, from its reference. */
export function patientOf(resource: Resource): string | undefined {
  const ref = (r: string | undefined) => r?.replace(/^Patient\//, '');
  switch (resource.resourceType) {
    case 'Patient':
      return resource.id;
    case 'ServiceRequest':
    case 'DiagnosticReport':
    case 'ImagingStudy':
      return ref(resource.subject?.reference);
    case 'Appointment':
      return ref(
        resource.participant?.find((p) => p.actor?.reference?.startsWith('Patient/'))?.actor?.reference,
      );
    default:
      return undefined;
  }
}

export const data = (bundle: Bundle) =>
  (bundle.entry ?? []).filter((e) => e.search?.mode !== 'outcome').map((e) => e.resource!);

export async function refused(response: Response): Promise<void> {
  assert.equal(response.status, 403, await response.clone().text());
  assert.equal(((await response.json()) as OperationOutcome).resourceType, 'OperationOutcome');
}
