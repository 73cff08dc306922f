// Refusals of each door that the other security tests leave out, over the wire: DIMSE retrieve (C-GET,
// C-MOVE) without `retrieve`, Modality Worklist C-FIND and MPPS N-CREATE without `worklist` (the context is
// refused, one security.deny each, while a node holding the permission gets through); an HL7 sending
// application from another facility than the one listed (AR); and JSON bodies over http.maxJsonBodyBytes
// on /api (413 problem+json) and /fhir (413 OperationOutcome).
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runTool } from '../support/dcmtk.js';
import { startServe, type RunningLantern } from '../support/lantern-server.js';
import { mppsCreate, quietDimse, sendDimse } from '../support/ris-doors.js';
import { auditRows, hl7Message, lastSeq, sendMllp, type AuditRow } from './security-support.js';

const GET_STUDY_ROOT = '1.2.840.10008.5.1.4.1.2.2.3';
const MOVE_STUDY_ROOT = '1.2.840.10008.5.1.4.1.2.2.2';
const WORKLIST_FIND = '1.2.840.10008.5.1.4.31';
const MPPS = '1.2.840.10008.3.1.2.3.3';
const BODY_LIMIT = 4096;

let dataDir: string;
let server: RunningLantern;

const ae = (aeTitle: string, permissions: string[]) => ({
  aeTitle,
  host: '127.0.0.1',
  port: 104,
  permissions,
});

before(async () => {
  quietDimse();
  dataDir = await mkdtemp(join(tmpdir(), 'lantern-door-refusals-'));
  server = await startServe({
    LANTERN_DATA_DIR: dataDir,
    LANTERN_DICOM_REMOTE_AES: JSON.stringify([
      ae('STOREONLY', ['echo', 'store']),
      ae('QUERYONLY', ['query']),
      ae('RETRIEVER', ['retrieve']),
      ae('MODALITY', ['worklist']),
    ]),
    LANTERN_HL7_ALLOWED_SENDERS: 'EPIC^HOSP,*^LAB=adt',
    LANTERN_HTTP_MAX_JSON_BODY_BYTES: String(BODY_LIMIT),
  });
});

after(async () => {
  await server?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

/** The security.deny records `work` wrote. */
async function denialsOf(work: () => Promise<void>): Promise<AuditRow[]> {
  const since = lastSeq(dataDir);
  await work();
  return auditRows(dataDir, since).filter((row) => row.action === 'security.deny');
}

const dimse = (tool: string, callingAe: string, options: string[]) =>
  runTool(tool, [...options, '-aec', 'LANTERN', '-aet', callingAe, '127.0.0.1', String(server.dicomPort)]);

/** One denial by `callingAe` at association, refusing exactly `abstractSyntax`. */
function assertContextRefused(denials: AuditRow[], callingAe: string, abstractSyntax: string): void {
  assert.equal(denials.length, 1, JSON.stringify(denials));
  const [denial] = denials;
  assert.equal(denial!.actorKind, 'ae');
  assert.equal(denial!.actorId, callingAe);
  assert.equal(denial!.door, 'dimse');
  assert.equal(denial!.outcome, 'failure');
  assert.equal(denial!.detail.resource, 'A-ASSOCIATE');
  assert.deepEqual(denial!.detail.refused, [abstractSyntax]);
}

/** What DCMTK says when the context its request needs was not accepted. */
const NO_CONTEXT = /No (Acceptable|adequate|valid) Presentation Context/i;

/** getscu of one (absent) study as `ae`, into the test's folder. */
const getStudy = (ae: string) =>
  dimse('getscu', ae, [
    '-S',
    '-k',
    'QueryRetrieveLevel=STUDY',
    '-k',
    'StudyInstanceUID=1.2.3.4',
    '-od',
    dataDir,
  ]);

describe('DIMSE: services the calling AE may not use', () => {
  test('C-GET by an AE without retrieve: the C-GET context is refused, audited once', async () => {
    let output = '';
    const denials = await denialsOf(async () => {
      const got = await getStudy('STOREONLY');
      assert.notEqual(got.code, 0, got.output);
      output = got.output;
    });
    assert.match(output, NO_CONTEXT);
    // Its storage contexts (the store permission) were accepted: only C-GET itself is refused.
    assertContextRefused(denials, 'STOREONLY', GET_STUDY_ROOT);
    // A node that may retrieve asks the same and is answered (no match, no refusal).
    const allowed = await denialsOf(async () => {
      const got = await getStudy('RETRIEVER');
      assert.equal(got.code, 0, got.output);
    });
    assert.deepEqual(allowed, []);
  });

  test('C-MOVE by an AE without retrieve: the C-MOVE context is refused, audited once', async () => {
    let output = '';
    const denials = await denialsOf(async () => {
      const moved = await dimse('movescu', 'QUERYONLY', [
        '-S',
        '-aem',
        'STOREONLY',
        '-k',
        'QueryRetrieveLevel=STUDY',
        '-k',
        'StudyInstanceUID=1.2.3.4',
      ]);
      output = moved.output; // movescu exits 0 even when the move failed: its output says why
      assert.doesNotMatch(output, /Move Response.*Success/i);
    });
    assert.match(output, NO_CONTEXT);
    assertContextRefused(denials, 'QUERYONLY', MOVE_STUDY_ROOT);
  });

  test('Modality Worklist C-FIND by an AE without worklist: refused, audited once', async () => {
    const query = ['-W', '-k', 'AccessionNumber', '-k', 'PatientName'];
    let output = '';
    const denials = await denialsOf(async () => {
      const found = await dimse('findscu', 'STOREONLY', query);
      assert.notEqual(found.code, 0, found.output);
      output = found.output;
    });
    assert.match(output, NO_CONTEXT);
    assertContextRefused(denials, 'STOREONLY', WORKLIST_FIND);
    // The modality that may read its worklist is answered.
    const allowed = await denialsOf(async () => {
      const found = await dimse('findscu', 'MODALITY', query);
      assert.equal(found.code, 0, found.output);
    });
    assert.deepEqual(allowed, []);
  });

  test('MPPS N-CREATE by an AE without worklist: refused, nothing created, audited once', async () => {
    const since = lastSeq(dataDir);
    const create = () =>
      mppsCreate('1.2.826.0.1.3680043.8.498.9901', {
        PerformedProcedureStepStatus: 'IN PROGRESS',
        PatientID: 'NOBODY',
        Modality: 'CT',
      });
    const replies = await sendDimse(server.dicomPort, 'STOREONLY', [create()]).catch((error: Error) => [
      { status: -1, errorComment: error.message },
    ]);
    // No success: the request has no context to travel on.
    assert.ok(
      replies.every((reply) => reply.status !== 0),
      JSON.stringify(replies),
    );
    const rows = auditRows(dataDir, since);
    assertContextRefused(
      rows.filter((row) => row.action === 'security.deny'),
      'STOREONLY',
      MPPS,
    );
    assert.deepEqual(
      rows.filter((row) => row.action.startsWith('mpps.')),
      [],
      'no MPPS was created or refused by the RIS: it never got that far',
    );
  });
});

describe('HL7: the facility is part of the sender', () => {
  test('a listed application from another facility gets AR, audited once', async () => {
    const denials = await denialsOf(async () => {
      assert.equal(
        await sendMllp(server.hl7Port, hl7Message('EPIC^ELSEWHERE', 'ADT^A04^ADT_A01', 'FAC-1', 'FAC-P1')),
        'AR',
      );
    });
    assert.equal(denials.length, 1, JSON.stringify(denials));
    assert.equal(denials[0]!.actorKind, 'hl7-app');
    assert.equal(denials[0]!.actorId, 'EPIC@ELSEWHERE');
    assert.equal(denials[0]!.door, 'hl7');
    // From the facility it is listed with, the same message is accepted.
    const accepted = await denialsOf(async () => {
      assert.equal(
        await sendMllp(server.hl7Port, hl7Message('EPIC^HOSP', 'ADT^A04^ADT_A01', 'FAC-2', 'FAC-P2')),
        'AA',
      );
    });
    assert.deepEqual(accepted, []);
  });

  test('"*^LAB=adt": any application of that facility may send ADT, not orders', async () => {
    const adt = await denialsOf(async () => {
      assert.equal(
        await sendMllp(server.hl7Port, hl7Message('ANALYSER^LAB', 'ADT^A04^ADT_A01', 'LAB-1', 'LAB-P1')),
        'AA',
      );
    });
    assert.deepEqual(adt, []);
    const order = await denialsOf(async () => {
      assert.equal(
        await sendMllp(server.hl7Port, hl7Message('ANALYSER^LAB', 'ORM^O01^ORM_O01', 'LAB-2', 'LAB-P1')),
        'AR',
      );
    });
    assert.equal(order.length, 1, JSON.stringify(order));
    assert.equal(order[0]!.detail.permission, 'order.write');
  });
});

describe('HTTP: JSON bodies over http.maxJsonBodyBytes', () => {
  const oversized = JSON.stringify({ patientId: 'BIG-1', name: `Doe^${'J'.repeat(2 * BODY_LIMIT)}` });

  test('/api answers 413 problem+json naming the setting, also for a chunked body', async () => {
    const sent = await fetch(`${server.httpUrl}/api/patients`, {
      method: 'POST',
      headers: { ...server.auth, 'content-type': 'application/json' },
      body: oversized,
    });
    assert.equal(sent.status, 413);
    assert.match(sent.headers.get('content-type') ?? '', /^application\/problem\+json/);
    const problem = (await sent.json()) as { status: number; detail: string };
    assert.equal(problem.status, 413);
    assert.match(problem.detail, /http\.maxJsonBodyBytes \(4096 bytes\)/);

    // Without a Content-Length the body is counted as it arrives.
    const chunked = await fetch(`${server.httpUrl}/api/patients`, {
      method: 'POST',
      headers: { ...server.auth, 'content-type': 'application/json' },
      body: new ReadableStream({
        start(controller) {
          for (let i = 0; i < 4; i++) controller.enqueue(new TextEncoder().encode(' '.repeat(2048)));
          controller.enqueue(new TextEncoder().encode(oversized));
          controller.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    assert.equal(chunked.status, 413);

    // Under the limit the same route takes the patient.
    const small = await fetch(`${server.httpUrl}/api/patients`, {
      method: 'POST',
      headers: { ...server.auth, 'content-type': 'application/json' },
      body: JSON.stringify({ patientId: 'SMALL-1', issuerOfPatientId: 'HOSP', name: 'Doe^Jane' }),
    });
    assert.equal(small.status, 201, await small.text());
  });

  test('/fhir answers 413 with an OperationOutcome', async () => {
    const resource = {
      resourceType: 'Patient',
      identifier: [{ system: 'urn:oid:1.2.3', value: 'BIG-2' }],
      name: [{ family: 'Doe', given: ['J'.repeat(2 * BODY_LIMIT)] }],
    };
    const sent = await fetch(`${server.httpUrl}/fhir/Patient`, {
      method: 'POST',
      headers: { ...server.auth, 'content-type': 'application/fhir+json' },
      body: JSON.stringify(resource),
    });
    assert.equal(sent.status, 413);
    assert.match(sent.headers.get('content-type') ?? '', /^application\/fhir\+json/);
    const outcome = (await sent.json()) as {
      resourceType: string;
      issue: { severity: string; code: string; diagnostics: string }[];
    };
    assert.equal(outcome.resourceType, 'OperationOutcome');
    assert.equal(outcome.issue[0]!.severity, 'error');
    assert.equal(outcome.issue[0]!.code, 'too-costly');
    assert.match(outcome.issue[0]!.diagnostics, /http\.maxJsonBodyBytes/);
    const small = await fetch(`${server.httpUrl}/fhir/Patient`, {
      method: 'POST',
      headers: { ...server.auth, 'content-type': 'application/fhir+json' },
      body: JSON.stringify({ ...resource, name: [{ family: 'Doe', given: ['Jane'] }] }),
    });
    assert.equal(small.status, 201, await small.text());
  });
});
