// The patient REST API against `lantern serve`: register, search, update, merge and unmerge, with the
// identity C-FIND answers (DCMTK findscu) following each change, and the refusals a client can meet.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runTool, storeFolder } from '../support/dcmtk.js';
import { startServe, type RunningLantern } from '../support/lantern-server.js';
import { userSession } from '../support/rest-client.js';
import { writeSyntheticStudy } from '../support/synthetic-ct.js';

interface PatientBody {
  id: number;
  patientId: string;
  issuerOfPatientId: string;
  name?: { dicom: string; family?: string; given?: string };
  birthDate?: string;
  sex?: string;
  otherIds: { value: string; issuer: string; type: string }[];
  mergedInto?: number;
}

let dataDir: string;
let server: RunningLantern;
let api: string;
const studies: Record<string, string> = {};

before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'lantern-patients-'));
  const source = join(dataDir, 'incoming');
  const small = { series: 1, instancesPerSeries: 2, rows: 16, columns: 16 };
  // A registered patient's study, and one a modality sent under a temporary ID for the same person, both
  // sent with DCMTK's storescu (quicker than a `lantern import` process).
  studies.registered = (
    await writeSyntheticStudy(join(source, 'a'), {
      ...small,
      seed: 11,
      patientId: 'MRN-A',
      patientName: 'SMITH^ALICE',
    })
  ).studyInstanceUid;
  studies.temporary = (
    await writeSyntheticStudy(join(source, 'b'), {
      ...small,
      seed: 12,
      patientId: 'TMP-77',
      patientName: 'UNKNOWN^PATIENT',
    })
  ).studyInstanceUid;
  server = await startServe({
    LANTERN_DATA_DIR: dataDir,
    LANTERN_DICOM_UNKNOWN_AE_PERMISSIONS: 'echo,store,query,retrieve',
  });
  await storeFolder(server.dicomPort, source);
  api = `${server.httpUrl}/api/patients`;
});

after(async () => {
  await server?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

const send = (method: string, url: string, body?: unknown) =>
  fetch(url, {
    method,
    headers: { ...server.auth, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
const get = (url: string) => send('GET', url);

async function json<T>(response: Response, status = 200): Promise<T> {
  const body = await response.text();
  assert.equal(response.status, status, body);
  return JSON.parse(body) as T;
}

async function findOne(identifier: string): Promise<PatientBody> {
  const found = await json<{ total: number; patients: PatientBody[] }>(
    await get(`${api}?identifier=${encodeURIComponent(identifier)}`),
  );
  assert.equal(found.total, 1, identifier);
  return found.patients[0]!;
}

/** C-FIND through DCMTK (findscu): each answer as tag ('0010,0020') → value. */
async function cFind(model: '-S' | '-P', keys: string[]): Promise<Record<string, string>[]> {
  const result = await runTool('findscu', [
    model,
    ...keys.flatMap((k) => ['-k', k]),
    '-aec',
    'LANTERN',
    '-aet',
    'WORKSTATION',
    '127.0.0.1',
    String(server.dicomPort),
  ]);
  assert.equal(result.code, 0, result.output);
  return result.output
    .split(/Find Response: \d+ \(Pending\)/)
    .slice(1)
    .map((block) =>
      Object.fromEntries(
        [...block.matchAll(/\((\w{4},\w{4})\) \w\w \[([^\]]*)\]/g)].map((m) => [
          m[1]!,
          m[2]!.replace(/[\s\0]+$/, ''),
        ]),
      ),
    );
}

/** Study-level C-FIND: Study Instance UID → the patient identity the archive answers with. */
async function cFindStudies(): Promise<Map<string, { patientId: string; patientName: string }>> {
  const answers = await cFind('-S', [
    'QueryRetrieveLevel=STUDY',
    'StudyInstanceUID=',
    'PatientID=',
    'PatientName=',
  ]);
  return new Map(
    answers.map((a) => [a['0020,000d']!, { patientId: a['0010,0020']!, patientName: a['0010,0010']! }]),
  );
}

/** Patient-level C-FIND (Patient Root): the Patient IDs that answer. */
async function cFindPatients(patientId: string): Promise<string[]> {
  const answers = await cFind('-P', ['QueryRetrieveLevel=PATIENT', `PatientID=${patientId}`, 'PatientName=']);
  return answers.map((a) => a['0010,0020']!);
}

test('register, read, search with a total, and update over REST', async () => {
  const created = await send('POST', api, {
    patientId: 'MRN-B',
    issuerOfPatientId: 'HOSP',
    name: { family: 'Jones', given: 'Bob' },
    birthDate: '1970-05-04',
    sex: 'M',
    otherIds: [{ value: '999-11', issuer: 'NATION', type: 'NI' }],
  });
  const bob = await json<PatientBody>(created, 201);
  assert.equal(created.headers.get('location'), `/api/patients/${bob.id}`);
  assert.deepEqual(bob.name, { dicom: 'Jones^Bob', family: 'Jones', given: 'Bob' });
  assert.deepEqual(await json<PatientBody>(await get(`${api}/${bob.id}`)), bob);

  // Patients the images created are there too; search is by name prefix, case-insensitively.
  const all = await json<{ total: number; patients: PatientBody[] }>(await get(`${api}?limit=2`));
  assert.equal(all.total, 3);
  assert.equal(all.patients.length, 2);
  const smiths = await json<{ total: number; patients: PatientBody[] }>(await get(`${api}?name=smi`));
  assert.deepEqual(
    smiths.patients.map((p) => p.patientId),
    ['MRN-A'],
  );
  assert.equal((await findOne('NATION|999-11')).id, bob.id);
  const born = await json<{ total: number }>(await get(`${api}?birthDate=19700101-19701231`));
  assert.equal(born.total, 1);

  const alice = await findOne('MRN-A');
  const patched = await json<PatientBody>(
    await send('PATCH', `${api}/${alice.id}`, { name: 'Smith^Alice^Marie', birthDate: '19850317', sex: 'F' }),
  );
  assert.equal(patched.name?.dicom, 'Smith^Alice^Marie');
  const replaced = await json<PatientBody>(
    await send('PUT', `${api}/${bob.id}`, {
      patientId: 'MRN-B',
      issuerOfPatientId: 'HOSP',
      name: 'Jones^Robert',
    }),
  );
  assert.equal(replaced.name?.given, 'Robert');
  assert.equal(replaced.birthDate, undefined);
  assert.deepEqual(replaced.otherIds, []);
});

test('refusals: 400 problem+json naming the field, 404 for unknown patients, 409 for taken identities', async () => {
  const bad = await send('POST', api, { patientId: 'MRN-C', name: 'Lee^Chris', sex: 'Q' });
  assert.equal(bad.status, 400);
  assert.equal(bad.headers.get('content-type'), 'application/problem+json; charset=utf-8');
  assert.match((await json<{ detail: string }>(bad, 400)).detail, /^sex: /);
  const badDate = await send('POST', api, { patientId: 'MRN-C', name: 'Lee^Chris', birthDate: '19991332' });
  assert.match((await json<{ detail: string }>(badDate, 400)).detail, /^birthDate: /);
  const missing = await send('POST', api, { name: 'Lee^Chris' });
  assert.match((await json<{ detail: string }>(missing, 400)).detail, /^patientId: required/);
  const badSearch = await get(`${api}?birthDate=soon`);
  assert.match((await json<{ detail: string }>(badSearch, 400)).detail, /^birthDate: /);
  const badPatch = await send('PATCH', `${api}/${(await findOne('MRN-A')).id}`, {
    otherIds: [{ type: 'MR' }],
  });
  assert.match((await json<{ detail: string }>(badPatch, 400)).detail, /^otherIds\[0\]\.value: /);

  assert.equal((await get(`${api}/987654`)).status, 404);
  assert.equal((await get(`${api}/not-a-patient`)).status, 404);
  assert.equal((await send('PATCH', `${api}/987654`, { sex: 'F' })).status, 404);
  assert.equal((await send('POST', `${api}/987654/merge`, { into: 1 })).status, 404);
  const taken = await send('POST', api, { patientId: 'MRN-A', name: 'Somebody^Else' });
  assert.match((await json<{ detail: string }>(taken, 409)).detail, /^patientId: /);

  const alice = await findOne('MRN-A');
  const itself = await send('POST', `${api}/${alice.id}/merge`, { into: alice.id });
  assert.match((await json<{ detail: string }>(itself, 400)).detail, /^into: .*itself/);
  assert.equal((await send('POST', `${api}/${alice.id}/unmerge`)).status, 409);
});

test('merge: C-FIND answers the surviving identity for both studies; unmerge restores them', async () => {
  const alice = await findOne('MRN-A');
  const temporary = await findOne('TMP-77');
  const before = await cFindStudies();
  assert.deepEqual(before.get(studies.temporary!), { patientId: 'TMP-77', patientName: 'UNKNOWN^PATIENT' });

  const merge = await json<{
    mergeId: number;
    moved: Record<string, number>;
    merged: PatientBody;
    survivor: PatientBody;
  }>(await send('POST', `${api}/${alice.id}/merge`, { from: temporary.id }));
  assert.deepEqual(merge.moved, { study: 1, order: 0 });
  assert.equal(merge.merged.mergedInto, alice.id);
  const merged = await cFindStudies();
  for (const uid of [studies.registered!, studies.temporary!]) {
    assert.deepEqual(merged.get(uid), { patientId: 'MRN-A', patientName: 'Smith^Alice^Marie' }, uid);
  }
  // C-GET (DCMTK getscu) of the merged study: the stored files go out with the survivor's identity.
  const got = join(dataDir, 'get-merged');
  await mkdir(got, { recursive: true });
  const cGet = await runTool('getscu', [
    '-aec',
    'LANTERN',
    '-aet',
    'WORKSTATION',
    '-od',
    got,
    '-k',
    'QueryRetrieveLevel=STUDY',
    '-k',
    `StudyInstanceUID=${studies.temporary!}`,
    '127.0.0.1',
    String(server.dicomPort),
  ]);
  assert.equal(cGet.code, 0, cGet.output);
  const files = await readdir(got);
  assert.equal(files.length, 2, cGet.output);
  for (const file of files) {
    const dump = await runTool('dcmdump', ['+P', 'PatientID', '+P', 'PatientName', join(got, file)]);
    assert.equal(dump.code, 0, dump.output);
    assert.match(dump.stdout, /\(0010,0020\) LO \[MRN-A\]/, file);
    assert.match(dump.stdout, /\(0010,0010\) PN \[Smith\^Alice\^Marie\]/, file);
  }
  // Patient Root: the merged identity no longer answers on its own; it is the survivor's now.
  assert.deepEqual(await cFindPatients('TMP-77'), []);
  assert.deepEqual(await cFindPatients('MRN-A'), ['MRN-A']);
  const listed = await json<{ total: number }>(await get(`${server.httpUrl}/api/studies?PatientID=MRN-A`));
  assert.equal(listed.total, 2);
  // A merged patient leaves the search unless asked for, and cannot be changed or merged again.
  assert.equal((await json<{ total: number }>(await get(`${api}?identifier=TMP-77`))).total, 0);
  const withMerged = await json<{ patients: PatientBody[] }>(
    await get(`${api}?identifier=TMP-77&includeMerged=true`),
  );
  assert.equal(withMerged.patients[0]!.mergedInto, alice.id);
  assert.equal((await send('PATCH', `${api}/${temporary.id}`, { sex: 'F' })).status, 409);
  assert.equal((await send('POST', `${api}/${temporary.id}/merge`, { into: alice.id })).status, 409);

  const unmerged = await json<{ mergeId: number; moved: Record<string, number> }>(
    await send('POST', `${api}/${temporary.id}/unmerge`),
  );
  assert.deepEqual(unmerged, { ...unmerged, mergeId: merge.mergeId, moved: { study: 1 } });
  const after = await cFindStudies();
  assert.deepEqual(after.get(studies.temporary!), { patientId: 'TMP-77', patientName: 'UNKNOWN^PATIENT' });
  assert.deepEqual(after.get(studies.registered!), { patientId: 'MRN-A', patientName: 'Smith^Alice^Marie' });
  assert.equal((await findOne('TMP-77')).mergedInto, undefined);
  assert.deepEqual(await cFindPatients('TMP-77'), ['TMP-77']);
});

test('unmerge is for administrators: a clerk gets 403, one security.deny and no change', async () => {
  const register = async (patientId: string) =>
    json<PatientBody>(
      await send('POST', api, { patientId, issuerOfPatientId: 'HOSP', name: 'Twin^Tess' }),
      201,
    );
  const [kept, away] = [await register('MRN-UNMERGE-1'), await register('MRN-UNMERGE-2')];
  const clerk = await userSession(server, 'desk-clerk', ['clerk']);
  const asClerk = (method: string, url: string, body?: unknown) =>
    fetch(url, {
      method,
      headers: { ...clerk.headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  // The desk merges (patient.write) ...
  assert.equal((await asClerk('POST', `${api}/${away.id}/merge`, { into: kept.id })).status, 200);
  // ... but only an administrator undoes it.
  const refused = await asClerk('POST', `${api}/${away.id}/unmerge`);
  assert.equal(refused.status, 403, await refused.clone().text());
  assert.match(refused.headers.get('content-type') ?? '', /^application\/problem\+json/);
  assert.match(((await refused.json()) as { detail: string }).detail, /patient\.unmerge/);
  const denials = await json<{
    records: { action: string; actor: { kind: string; id: string }; detail: unknown }[];
  }>(await get(`${server.httpUrl}/api/audit?action=security.deny&actor=desk-clerk`));
  assert.equal(denials.records.length, 1, JSON.stringify(denials.records));
  assert.deepEqual(denials.records[0]!.actor, { kind: 'user', id: 'desk-clerk' });
  assert.deepEqual(denials.records[0]!.detail, {
    permission: 'patient.unmerge',
    resource: 'POST /api/patients/:id/unmerge',
  });
  const unmerges = await json<{ total: number }>(
    await get(`${server.httpUrl}/api/audit?action=patient.unmerge&actor=desk-clerk`),
  );
  assert.equal(unmerges.total, 0);
  assert.equal((await json<PatientBody>(await get(`${api}/${away.id}`))).mergedInto, kept.id);

  const undone = await send('POST', `${api}/${away.id}/unmerge`);
  assert.equal(undone.status, 200, await undone.clone().text());
  assert.equal((await json<PatientBody>(await get(`${api}/${away.id}`))).mergedInto, undefined);
});
