// The audit trail over REST as an auditor reads it (GET /api/audit): filters by user, action, patient, outcome
// and time, paging with a total, who may read it; and the failed bearer authentications that every HTTP door
// leaves in it (a wrong API key on /api, /dicom-web and /fhir), never with the secret.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startServe, type RunningLantern } from '../support/lantern-server.js';
import { auditRows, lastSeq } from './security-support.js';

interface AuditRecord {
  seq: number;
  recordedAt: string;
  actor: { kind: string; id: string };
  door: string;
  remoteAddress: string | null;
  action: string;
  outcome: 'success' | 'failure';
  patientId: string | null;
  detail: Record<string, unknown> | null;
}
interface Page {
  total: number;
  records: AuditRecord[];
}

let dataDir: string;
let server: RunningLantern;
const keys: Record<'auditor' | 'clerk' | 'desk2', string> = { auditor: '', clerk: '', desk2: '' };
// When the clerks' patients were registered: between these two instants and nothing else of theirs.
let window: { from: string; to: string };

const call = (path: string, key: string, init: RequestInit = {}) =>
  fetch(`${server.httpUrl}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...init.headers },
  });

async function search(query: Record<string, string | number>): Promise<Page> {
  const params = new URLSearchParams(Object.entries(query).map(([k, v]): [string, string] => [k, String(v)]));
  const response = await call(`/api/audit?${params}`, keys.auditor);
  assert.equal(response.status, 200, await response.clone().text());
  return (await response.json()) as Page;
}

const register = async (key: string, patientId: string) => {
  const response = await call('/api/patients', key, {
    method: 'POST',
    body: JSON.stringify({ patientId, name: `Audit^${patientId}` }),
  });
  assert.equal(response.status, 201, await response.clone().text());
};

before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'lantern-audit-search-'));
  server = await startServe({ LANTERN_DATA_DIR: dataDir, LANTERN_SECURITY_AUTHENTICATION: 'on' });
  for (const [name, role] of [
    ['auditor', 'auditor'],
    ['clerk', 'clerk'],
    ['desk2', 'clerk'],
  ] as const) {
    const response = await call('/api/api-keys', server.auth.authorization!.slice(7), {
      method: 'POST',
      body: JSON.stringify({ name: `audit-test-${name}`, role }),
    });
    assert.equal(response.status, 201, await response.clone().text());
    keys[name] = ((await response.json()) as { key: string }).key;
  }
  const from = new Date(Date.now() - 1).toISOString();
  await register(keys.clerk, 'AUD-1');
  await register(keys.clerk, 'AUD-2');
  await register(keys.desk2, 'AUD-3');
  // A failure of the clerk's: the same Patient ID again.
  const again = await call('/api/patients', keys.clerk, {
    method: 'POST',
    body: JSON.stringify({ patientId: 'AUD-1', name: 'Audit^Again' }),
  });
  assert.equal(again.status, 409);
  await new Promise((resolve) => setTimeout(resolve, 5));
  window = { from, to: new Date().toISOString() };
  await new Promise((resolve) => setTimeout(resolve, 5));
  await register(keys.clerk, 'AUD-4');
});

after(async () => {
  await server?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

describe('GET /api/audit', () => {
  test('an auditor reads the trail; a clerk is refused 403, and the refusal is itself recorded', async () => {
    const since = lastSeq(dataDir);
    const refused = await call('/api/audit', keys.clerk);
    assert.equal(refused.status, 403);
    const denials = auditRows(dataDir, since).filter((r) => r.action === 'security.deny');
    assert.equal(denials.length, 1);
    assert.equal(denials[0]!.actorId, 'audit-test-clerk');
    assert.equal(denials[0]!.detail.permission, 'audit.read');
    const page = await search({ limit: 5 });
    assert.ok(page.total > 5 && page.records.length === 5);
  });

  test('by user (actor id) and exact action', async () => {
    const page = await search({ actor: 'audit-test-clerk', action: 'patient.create', limit: 100 });
    assert.deepEqual(
      page.records.map((r) => [r.actor.id, r.action, r.outcome, r.patientId]),
      [
        ['audit-test-clerk', 'patient.create', 'success', 'AUD-4'],
        ['audit-test-clerk', 'patient.create', 'failure', null],
        ['audit-test-clerk', 'patient.create', 'success', 'AUD-2'],
        ['audit-test-clerk', 'patient.create', 'success', 'AUD-1'],
      ],
    );
    assert.equal(page.total, 4);
    const desk2 = await search({ actor: 'audit-test-desk2', action: 'patient.', limit: 100 });
    assert.deepEqual(
      desk2.records.map((r) => r.patientId),
      ['AUD-3'],
    );
  });

  test('by action prefix, several actions, and by patient', async () => {
    const prefixed = await search({ action: 'patient.', limit: 100 });
    assert.ok(prefixed.records.every((r) => r.action.startsWith('patient.')));
    assert.equal(prefixed.records.filter((r) => r.action === 'patient.create').length, 5);
    const several = await search({ action: 'patient.create,apikey.create', limit: 100 });
    assert.deepEqual([...new Set(several.records.map((r) => r.action))].sort(), [
      'apikey.create',
      'patient.create',
    ]);
    const one = await search({ patientId: 'AUD-2', limit: 100 });
    assert.deepEqual(
      one.records.map((r) => [r.action, r.patientId, r.actor.id]),
      [['patient.create', 'AUD-2', 'audit-test-clerk']],
    );
  });

  test('by outcome', async () => {
    const failures = await search({ outcome: 'failure', actor: 'audit-test-clerk', limit: 100 });
    assert.ok(failures.records.length >= 1);
    assert.ok(failures.records.every((r) => r.outcome === 'failure'));
    assert.ok(failures.records.some((r) => r.action === 'patient.create' && r.detail?.error === 'conflict'));
    const successes = await search({ outcome: 'success', action: 'patient.create', limit: 100 });
    assert.equal(successes.total, 4);
  });

  test('by time range: from inclusive, to exclusive', async () => {
    const inside = await search({ ...window, action: 'patient.create', limit: 100 });
    assert.deepEqual(inside.records.map((r) => r.patientId ?? '-').sort(), ['-', 'AUD-1', 'AUD-2', 'AUD-3']);
    for (const r of inside.records) {
      assert.ok(r.recordedAt >= window.from && r.recordedAt < window.to, r.recordedAt);
    }
    const later = await search({ from: window.to, action: 'patient.create', limit: 100 });
    assert.deepEqual(
      later.records.map((r) => r.patientId),
      ['AUD-4'],
    );
    const bad = await call('/api/audit?from=yesterday', keys.auditor);
    assert.equal(bad.status, 400);
  });

  test('paging: newest first, limit and offset, one total, pages that neither overlap nor skip', async () => {
    // A window that ends in the past, so the searches' own records do not move the pages.
    const query = { to: window.to };
    const all = await search({ ...query, limit: 1000 });
    assert.equal(all.records.length, all.total);
    assert.ok(all.total >= 7, `total ${all.total}`);
    const seqs = all.records.map((r) => r.seq);
    assert.deepEqual(
      seqs,
      [...seqs].sort((a, b) => b - a),
      'newest first',
    );
    const paged: number[] = [];
    for (let offset = 0; offset < all.total; offset += 3) {
      const page = await search({ ...query, limit: 3, offset });
      assert.equal(page.total, all.total);
      assert.equal(page.records.length, Math.min(3, all.total - offset));
      paged.push(...page.records.map((r) => r.seq));
    }
    assert.deepEqual(paged, seqs);
    const past = await search({ ...query, limit: 3, offset: all.total });
    assert.deepEqual([past.total, past.records], [all.total, []]);
    const empty = await search({ limit: 0 });
    assert.deepEqual(empty.records, []);
    assert.ok(empty.total > 0);
    assert.equal((await call('/api/audit?limit=1001', keys.auditor)).status, 400);
  });

  test('one record by its sequence number; each read is itself audited', async () => {
    const [newest] = (await search({ action: 'patient.create', limit: 1 })).records;
    const since = lastSeq(dataDir);
    const response = await call(`/api/audit/${newest!.seq}`, keys.auditor);
    assert.equal(response.status, 200);
    assert.deepEqual(((await response.json()) as AuditRecord).patientId, 'AUD-4');
    const reads = auditRows(dataDir, since).filter((r) => r.action === 'audit.read');
    assert.equal(reads.length, 1);
    assert.equal(reads[0]!.detail.seq, newest!.seq);
    assert.equal((await call('/api/audit/999999', keys.auditor)).status, 404);
  });
});

describe('failed bearer authentications are audited on every HTTP door', () => {
  const WRONG_KEY = 'lantern_this-key-was-never-issued-0123456789abcdef';
  for (const [door, path] of [
    ['api', '/api/studies'],
    ['dicomweb', '/dicom-web/studies'],
    ['fhir', '/fhir/Patient'],
  ] as const) {
    test(`a wrong API key on ${path}: 401 and exactly one failure record, without the key`, async () => {
      const since = lastSeq(dataDir);
      const response = await call(path, WRONG_KEY);
      assert.equal(response.status, 401);
      const rows = auditRows(dataDir, since);
      assert.equal(rows.length, 1, JSON.stringify(rows));
      const [record] = rows;
      assert.equal(record!.action, 'security.authenticate');
      assert.equal(record!.outcome, 'failure');
      assert.equal(record!.door, door);
      assert.equal(record!.remoteAddress, '127.0.0.1');
      assert.equal(record!.detail.method, 'api-key');
      assert.equal(record!.detail.resource, `GET ${path}`);
      assert.ok(!JSON.stringify(record).includes('never-issued'), 'no part of the secret is kept');
    });
  }

  test('a forged token names whom it claimed to be, and keeps nothing of the token', async () => {
    const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const forged = `${part({ alg: 'HS256', typ: 'at+jwt' })}.${part({ iss: 'lantern', sub: '1', name: 'admin' })}.c2lnbmF0dXJl`;
    const since = lastSeq(dataDir);
    assert.equal((await call('/fhir/Patient', forged)).status, 401);
    const rows = auditRows(dataDir, since);
    assert.equal(rows.length, 1, JSON.stringify(rows));
    assert.deepEqual(
      [rows[0]!.action, rows[0]!.door, rows[0]!.detail.method, rows[0]!.detail.claimed],
      ['security.authenticate', 'fhir', 'access-token', 'admin'],
    );
    assert.ok(!JSON.stringify(rows[0]).includes('c2lnbmF0dXJl'));
  });
});
