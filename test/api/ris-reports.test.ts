// Reading, reporting and charges over the REST API against `lantern serve`: an order driven to completed
// appears on the reading worklist, is claimed, reported (draft, preliminary, final, addendum) with a
// critical result, exported as text and PDF, and billed (charges made at completion, edited, released,
// exported as CSV). Refused actions change nothing. The outbox is read at the end for report.finalized.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { openDatabase } from '../../src/platform/db/index.js';
import { listEvents } from '../../src/platform/events/index.js';
import { startServe, type RunningLantern } from '../support/lantern-server.js';
import { restClient, type Problem } from '../support/rest-client.js';

interface Version {
  version: number;
  kind: string;
  status: string;
  sections: { title: string; text: string }[];
  signer: { id: string; name: string } | null;
  signedAt: string | null;
}
interface ReportBody {
  orderStatus: string;
  critical: boolean;
  current: Version;
  versions: Version[];
  criticalResults: { finding: string; method: string; notified: { name: string } }[];
}
interface WorklistBody {
  total: number;
  entries: { orderId: number; priority: string; claim: { by: string } | null; aiFlag: string | null }[];
}
interface ChargesBody {
  status: string;
  lines: { code: string; modifiers: string[]; quantity: number; releasedAt: string | null }[];
}

let dataDir: string;
let server: RunningLantern;
let api: string;
let patientRef: number;
let procedureId: number;
let routine: number;
let stat: number;
let notDone: number;

const call = restClient(
  () => api,
  () => server.auth,
);

async function placeOrder(priority: string, upTo: string[]): Promise<number> {
  const placed = await call<{ id: number }>('POST', '/orders', { patientRef, procedureId, priority });
  assert.equal(placed.status, 201, JSON.stringify(placed.body));
  for (const to of upTo) {
    const moved = await call('POST', `/orders/${placed.body.id}/transitions`, { to });
    assert.equal(moved.status, 200, JSON.stringify(moved.body));
  }
  return placed.body.id;
}

const report = async (orderId: number) => call<ReportBody>('GET', `/orders/${orderId}/report`);
const orderStatus = async (orderId: number) =>
  (await call<{ status: string }>('GET', `/orders/${orderId}`)).body.status;

before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'lantern-reports-'));
  server = await startServe({ LANTERN_DATA_DIR: dataDir });
  api = `${server.httpUrl}/api`;
  const patient = await call<{ id: number }>('POST', '/patients', {
    patientId: 'REP-1',
    issuerOfPatientId: 'HOSP',
    name: 'Report^Rita',
    birthDate: '19700101',
    sex: 'F',
  });
  assert.equal(patient.status, 201, JSON.stringify(patient.body));
  patientRef = patient.body.id;
  const procedure = await call<{ id: number }>('POST', '/procedures', {
    code: 'CT-CHEST-W',
    codingScheme: '99LANTERN',
    meaning: 'CT Chest with contrast',
    modality: 'CT',
    durationMinutes: 20,
    charges: [{ code: '71260', codingScheme: 'C4', modifiers: ['26'], quantity: 1 }],
  });
  assert.equal(procedure.status, 201);
  procedureId = procedure.body.id;
  routine = await placeOrder('ROUTINE', ['arrived', 'in-progress', 'completed']);
  stat = await placeOrder('STAT', ['arrived', 'in-progress', 'completed']);
  notDone = await placeOrder('ROUTINE', ['arrived']);
});

after(async () => {
  await server?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

test('completed exams are on the reading worklist, STAT first; claims hold and release', async () => {
  const list = await call<WorklistBody>('GET', '/reading-worklist?modality=CT');
  assert.equal(list.status, 200);
  assert.equal(list.body.total, 2);
  assert.deepEqual(
    list.body.entries.map((e) => [e.orderId, e.priority, e.claim, e.aiFlag]),
    [
      [stat, 'STAT', null, null],
      [routine, 'ROUTINE', null, null],
    ],
  );
  const page = await call<WorklistBody>(
    'GET',
    '/reading-worklist?limit=1&offset=1&priority=ROUTINE&priority=STAT',
  );
  assert.deepEqual([page.body.total, page.body.entries.map((e) => e.orderId)], [2, [routine]]);
  assert.equal((await call<WorklistBody>('GET', '/reading-worklist?modality=MR')).body.total, 0);
  assert.equal((await call<Problem>('GET', '/reading-worklist?priority=SOON')).status, 400);

  const claimed = await call<{ by: string; expiresAt: string }>('POST', `/reading-worklist/${routine}/claim`);
  assert.equal(claimed.status, 200, JSON.stringify(claimed.body));
  assert.equal(claimed.body.by, 'service:bootstrap-admin');
  assert.ok(Date.parse(claimed.body.expiresAt) - Date.now() > 29 * 60_000);
  const shown = await call<WorklistBody>('GET', '/reading-worklist');
  assert.equal(shown.body.entries.find((e) => e.orderId === routine)!.claim!.by, 'service:bootstrap-admin');
  const refused = await call<Problem>('POST', `/reading-worklist/${notDone}/claim`);
  assert.equal(refused.status, 409);
  assert.match(refused.body.detail, /order is arrived; only completed exams/);
  assert.match(refused.type, /^application\/problem\+json/);
  assert.equal((await call('DELETE', `/reading-worklist/${routine}/claim`)).status, 204);
  assert.equal((await call('POST', `/reading-worklist/999999/claim`)).status, 404);
});

test('a report from its template: draft, preliminary, final, addendum; signed versions never change', async () => {
  const template = await call<{ id: number }>('POST', '/report-templates', {
    procedureId,
    name: 'CT chest',
    sections: [
      { title: 'Findings', text: '' },
      { title: 'Impression', text: '' },
    ],
  });
  assert.equal(template.status, 201);
  assert.equal(
    (await call<{ templates: unknown[] }>('GET', `/report-templates?procedureId=${procedureId}`)).body
      .templates.length,
    1,
  );

  // Not completed: nothing to report, and nothing is created.
  const early = await call<Problem>('POST', `/orders/${notDone}/report/drafts`, {});
  assert.equal(early.status, 409);
  assert.match(early.body.detail, /order is arrived; the exam is not completed/);
  assert.equal((await report(notDone)).status, 404);

  assert.equal((await report(routine)).status, 404);
  const draft = await call<ReportBody>('POST', `/orders/${routine}/report/drafts`, {
    templateId: template.body.id,
  });
  assert.equal(draft.status, 201, JSON.stringify(draft.body));
  assert.deepEqual(
    draft.body.current.sections.map((s) => s.title),
    ['Findings', 'Impression'],
  );
  const sections = [
    { title: 'Findings', text: 'Segmental pulmonary embolism, right lower lobe (see image 42).' },
    { title: 'Impression', text: 'Pulmonary embolism.' },
  ];
  const edited = await call<ReportBody>('PUT', `/orders/${routine}/report/draft`, { sections });
  assert.equal(edited.status, 200);
  assert.deepEqual(edited.body.current.sections, sections);

  const bad = await call<Problem>('POST', `/orders/${routine}/report/sign`, {
    as: 'draft',
    signer: { name: 'X' },
  });
  assert.equal(bad.status, 400);
  const prelim = await call<ReportBody>('POST', `/orders/${routine}/report/sign`, {
    as: 'preliminary',
    signer: { name: 'Resident Rae' },
  });
  assert.equal(prelim.status, 200, JSON.stringify(prelim.body));
  assert.equal(prelim.body.orderStatus, 'preliminary');
  assert.equal(await orderStatus(routine), 'preliminary');

  const critical = await call<ReportBody>('POST', `/orders/${routine}/report/critical-results`, {
    finding: 'Pulmonary embolism',
    notified: { name: 'Dr Ward', role: 'attending' },
    method: 'phone',
  });
  assert.equal(critical.status, 201, JSON.stringify(critical.body));
  assert.equal(critical.body.critical, true);
  assert.deepEqual(
    critical.body.criticalResults.map((c) => [c.finding, c.method, c.notified.name]),
    [['Pulmonary embolism', 'phone', 'Dr Ward']],
  );

  const final = await call<ReportBody>('POST', `/orders/${routine}/report/sign`, {
    as: 'final',
    signer: { name: 'Attending Ann' },
  });
  assert.equal(final.status, 200);
  assert.equal(final.body.current.status, 'final');
  assert.equal(final.body.current.signer!.name, 'Attending Ann');
  assert.equal(await orderStatus(routine), 'final');
  const history = await call<{ history: { to: string; reason: string | null }[] }>(
    'GET',
    `/orders/${routine}/history`,
  );
  assert.deepEqual(history.body.history.at(-1), {
    ...history.body.history.at(-1),
    to: 'final',
    reason: 'report version 1 signed final by Attending Ann',
  });
  // The final report has left the worklist.
  assert.ok(
    (await call<WorklistBody>('GET', '/reading-worklist')).body.entries.every((e) => e.orderId !== routine),
  );

  // A final version is never edited, nor signed again; the refusal leaves it as it was.
  const change = await call<Problem>('PUT', `/orders/${routine}/report/draft`, {
    sections: [{ title: 'Findings', text: 'no' }],
  });
  assert.equal(change.status, 409);
  assert.match(change.body.detail, /version 1 is final; signed versions never change/);
  const again = await call<Problem>('POST', `/orders/${routine}/report/sign`, {
    as: 'final',
    signer: { name: 'X' },
  });
  assert.equal(again.status, 409);
  assert.deepEqual((await report(routine)).body.versions, final.body.versions);

  const addendum = await call<ReportBody>('POST', `/orders/${routine}/report/amend`, {
    kind: 'addendum',
    reason: 'comparison with prior CT',
    addendum: 'Compared with CT of 2024-11-02: new.',
  });
  assert.equal(addendum.status, 201, JSON.stringify(addendum.body));
  assert.deepEqual(
    addendum.body.versions.map((v) => [v.version, v.kind, v.status]),
    [
      [1, 'original', 'final'],
      [2, 'addendum', 'draft'],
    ],
  );
  const amended = await call<ReportBody>('POST', `/orders/${routine}/report/sign`, {
    as: 'final',
    signer: { name: 'Attending Ann' },
  });
  assert.equal(amended.status, 200);
  assert.equal(await orderStatus(routine), 'amended');
  assert.deepEqual(amended.body.versions[0], final.body.versions[0]);
  assert.deepEqual(amended.body.current.sections.at(-1), {
    title: 'Addendum',
    text: 'Compared with CT of 2024-11-02: new.',
  });

  // Exports: the newest signed version, or the one asked for.
  const txt = await call('GET', `/orders/${routine}/report.txt`);
  assert.equal(txt.status, 200);
  assert.match(txt.type, /^text\/plain/);
  const text = txt.bytes.toString();
  assert.match(text, /^RADIOLOGY REPORT - ADDENDUM FINAL\n/);
  assert.match(text, /Patient: {5}Report Rita\n/);
  assert.match(text, /Segmental pulmonary embolism, right lower lobe \(see image 42\)\./);
  assert.match(text, /ADDENDUM\nCompared with CT of 2024-11-02: new\./);
  assert.match(text, /Dr Ward \(attending\) notified by phone/);
  const v1 = (await call('GET', `/orders/${routine}/report.txt?version=1`)).bytes.toString();
  assert.match(v1, /^RADIOLOGY REPORT - FINAL\nVersion 1 of 2\n/);
  assert.doesNotMatch(v1, /ADDENDUM/);

  const pdf = await call('GET', `/orders/${routine}/report.pdf`);
  assert.equal(pdf.status, 200);
  assert.equal(pdf.type, 'application/pdf');
  const raw = pdf.bytes.toString('latin1');
  assert.ok(raw.startsWith('%PDF-1.4\n'));
  assert.ok(raw.endsWith('%%EOF\n'));
  const xrefAt = Number(/startxref\n(\d+)\n%%EOF\n$/.exec(raw)![1]);
  assert.equal(raw.slice(xrefAt, xrefAt + 5), 'xref\n');
  assert.match(raw.slice(xrefAt), /trailer\n<< \/Size \d+ \/Root 1 0 R/);
  assert.match(raw, /\(Segmental pulmonary embolism, right lower lobe \\\(see image 42\\\)\.\) Tj/);
  assert.equal((await call('GET', `/orders/${routine}/report.pdf?version=9`)).status, 404);
});

test('signing a discontinued exam is refused and changes nothing', async () => {
  const stopped = await placeOrder('ROUTINE', ['arrived', 'in-progress', 'discontinued']);
  const refused = await call<Problem>('POST', `/orders/${stopped}/report/sign`, {
    as: 'final',
    signer: { name: 'X' },
  });
  assert.equal(refused.status, 409);
  assert.match(refused.body.detail, /order is discontinued; a discontinued exam is not reported/);
  assert.equal(await orderStatus(stopped), 'discontinued');
  assert.equal((await report(stopped)).status, 404);
  assert.equal((await call<ChargesBody>('GET', `/orders/${stopped}/charges`)).body.status, 'none');
});

test('charges: made at completion, edited, released and locked, exported as CSV', async () => {
  const made = await call<ChargesBody>('GET', `/orders/${stat}/charges`);
  assert.equal(made.status, 200);
  assert.equal(made.body.status, 'open');
  assert.deepEqual(
    made.body.lines.map((l) => [l.code, l.modifiers, l.quantity]),
    [['71260', ['26'], 1]],
  );
  assert.equal((await call<ChargesBody>('GET', `/orders/${notDone}/charges`)).body.status, 'none');

  const edited = await call<ChargesBody>('PUT', `/orders/${stat}/charges`, {
    lines: [
      { code: '71260', codingScheme: 'C4', modifiers: ['26', 'TC'], quantity: 1 },
      { code: 'Q9967', codingScheme: 'HCPCS', quantity: 80 },
    ],
  });
  assert.equal(edited.status, 200, JSON.stringify(edited.body));
  assert.deepEqual(
    edited.body.lines.map((l) => [l.code, l.modifiers, l.quantity]),
    [
      ['71260', ['26', 'TC'], 1],
      ['Q9967', [], 80],
    ],
  );
  assert.equal(
    (await call<Problem>('PUT', `/orders/${stat}/charges`, { lines: [{ code: 'X' }] })).status,
    400,
  );

  const released = await call<{ released: ChargesBody[] }>('POST', '/charges/release', { orderIds: [stat] });
  assert.equal(released.status, 200, JSON.stringify(released.body));
  assert.equal(released.body.released[0]!.status, 'released');
  const locked = await call<Problem>('PUT', `/orders/${stat}/charges`, { lines: [] });
  assert.equal(locked.status, 409);
  assert.match(locked.body.detail, /released charges never change/);
  assert.equal((await call<ChargesBody>('GET', `/orders/${stat}/charges`)).body.lines.length, 2);
  assert.equal((await call<Problem>('POST', '/charges/release', { orderIds: [stat] })).status, 409);

  const day = new Date().toISOString().slice(0, 10);
  const csv = await call('GET', `/charges.csv?from=2000-01-01&to=2100-01-01`);
  assert.equal(csv.status, 200);
  assert.match(csv.type, /^text\/csv/);
  assert.match(
    csv.headers.get('content-disposition') ?? '',
    /^attachment; filename="charges-2000-01-01-2100-01-01\.csv"$/,
  );
  const rows = csv.bytes.toString().split('\r\n');
  assert.match(rows[0]!, /^accession_number,order_id,patient_id,/);
  const mine = rows.filter((r) => r.includes(`,${stat},`));
  assert.equal(mine.length, 2);
  assert.match(
    mine[0]!,
    new RegExp(
      `,${stat},REP-1,HOSP,Report\\^Rita,CT-CHEST-W,CT Chest with contrast,${day}T[^,]+Z,1,71260,C4,"26,TC",1,released,`,
    ),
  );
  assert.ok(rows.some((r) => r.includes(`,${routine},`) && r.endsWith(',open,')));
  const empty = await call('GET', '/charges.csv?from=2000-01-01&to=2000-02-01');
  assert.equal(empty.bytes.toString().split('\r\n').length, 2);
  assert.equal((await call('GET', '/charges.csv?from=2000-01-01')).status, 400);
});

test('the outbox holds report.finalized and report.amended for the order (HL7 ORU, FHIR read these)', async () => {
  await server.stop();
  const database = openDatabase({ url: '', dataDir, sqliteSynchronous: 'normal' });
  try {
    const events = await listEvents(database, { limit: 1000 });
    const signed = ['report.preliminary', 'report.finalized', 'report.amended'];
    const mine = events.filter((e) => e.payload.orderId === routine && signed.includes(e.type));
    assert.deepEqual(
      mine.map((e) => [e.type, e.payload.version, (e.payload.signer as { name: string }).name]),
      [
        ['report.preliminary', 1, 'Resident Rae'],
        ['report.finalized', 1, 'Attending Ann'],
        ['report.amended', 2, 'Attending Ann'],
      ],
    );
  } finally {
    await database.close();
  }
});
