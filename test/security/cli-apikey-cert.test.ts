// `lantern apikey create <name> --role <role>` and `lantern cert`, as an operator uses them: the key the CLI
// prints works as `Authorization: Bearer <key>` on every HTTP door (/api, /dicom-web, /fhir, /wado) and is
// refused (403) where its role lacks the permission; the certificate `lantern cert` makes is the one the
// server then presents (curl --cacert with it reaches HTTPS), configured with the settings it prints.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { runLantern } from '../support/lantern-cli.js';
import { startServe, type RunningLantern } from '../support/lantern-server.js';

const CT_SMALL = '/usr/lib/python3/dist-packages/pydicom/data/test_files/CT_small.dcm';
const STUDY = '1.3.6.1.4.1.5962.1.2.1.20040119072730.12322';

let dataDir: string;
let server: RunningLantern;
let certificate: { cert: string; key: string };
const keys: Record<string, string> = {};
let instance: { series: string; sop: string };

/** Runs the CLI on the test's data folder; it must succeed. */
async function lantern(args: string[]): Promise<string> {
  const result = await runLantern(args, { LANTERN_DATA_DIR: dataDir });
  assert.equal(result.code, 0, `${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'lantern-cli-keys-'));
  const incoming = join(dataDir, 'incoming');
  await mkdir(incoming);
  await copyFile(CT_SMALL, join(incoming, 'ct.dcm'));
  await lantern(['import', '--no-progress', incoming]);

  // What `lantern cert` prints is what the operator sets: its LANTERN_TLS_* lines.
  const printed = await lantern(['cert']);
  const setting = (name: string) => new RegExp(`^\\s*${name}=(\\S+)`, 'm').exec(printed)?.[1];
  certificate = { cert: setting('LANTERN_TLS_CERT_FILE')!, key: setting('LANTERN_TLS_KEY_FILE')! };
  assert.ok(certificate.cert && certificate.key, printed);

  for (const role of ['radiologist', 'clerk']) {
    const created = await lantern(['apikey', 'create', `svc-${role}`, '--role', role]);
    // The key alone on the line after the heading, and in the usage line.
    const key = created.split('\n')[1]!.trim();
    assert.match(created, new RegExp(`Authorization: Bearer ${key}`));
    keys[role] = key;
  }

  server = await startServe({
    LANTERN_DATA_DIR: dataDir,
    LANTERN_TLS_CERT_FILE: certificate.cert,
    LANTERN_TLS_KEY_FILE: certificate.key,
    LANTERN_HTTP_TLS_PORT: '0',
    LANTERN_DICOM_TLS_PORT: '0',
  });
  const listed = await fetch(`${server.httpUrl}/dicom-web/studies/${STUDY}/instances`, {
    headers: server.auth,
  });
  const [first] = (await listed.json()) as Record<string, { Value: string[] }>[];
  instance = { series: first!['0020000E']!.Value[0]!, sop: first!['00080018']!.Value[0]! };
});

after(async () => {
  await server?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

const asKey = (key: string, path: string) =>
  fetch(`${server.httpUrl}${path}`, { headers: { authorization: `Bearer ${key}` } });

/** A study read on each HTTP door. */
const studyReads = () => ({
  api: `/api/studies?StudyInstanceUID=${STUDY}`,
  dicomweb: `/dicom-web/studies?StudyInstanceUID=${STUDY}`,
  fhir: `/fhir/ImagingStudy?identifier=urn:oid:${STUDY}`,
  wado: `/wado?${new URLSearchParams({
    requestType: 'WADO',
    studyUID: STUDY,
    seriesUID: instance.series,
    objectUID: instance.sop,
    contentType: 'application/dicom',
  }).toString()}`,
});

describe('lantern apikey create', () => {
  test('a radiologist key reads the study on every HTTP door', async () => {
    for (const [door, path] of Object.entries(studyReads())) {
      const response = await asKey(keys.radiologist!, path);
      assert.equal(response.status, 200, `${door}: ${await response.clone().text()}`);
      if (door === 'wado') {
        const bytes = Buffer.from(await response.arrayBuffer());
        assert.equal(bytes.subarray(128, 132).toString('latin1'), 'DICM');
      }
    }
  });

  test('a clerk key is refused (403) the study reads its role lacks, and works where it has them', async () => {
    for (const [door, path] of Object.entries(studyReads())) {
      assert.equal((await asKey(keys.clerk!, path)).status, 403, door);
    }
    assert.equal((await asKey(keys.clerk!, '/api/patients')).status, 200);
    assert.equal((await asKey(keys.clerk!, '/fhir/Patient')).status, 200);
  });

  test('a key that was never printed is not accepted', async () => {
    assert.equal((await asKey(`${keys.clerk!}x`, '/api/patients')).status, 401);
  });
});

describe('lantern cert', () => {
  test('the server presents the certificate: curl --cacert reaches HTTPS, with the key too', async () => {
    assert.ok(server.httpsUrl, server.stdout());
    const curl = (path: string, ...extra: string[]) =>
      promisify(execFile)('curl', [
        '--silent',
        '--show-error',
        '--cacert',
        certificate.cert,
        '--write-out',
        '\n%{http_code}',
        ...extra,
        `${server.httpsUrl}${path}`,
      ]);
    assert.equal((await curl('/health')).stdout.trim().split('\n').at(-1), '200');
    const studies = await curl(studyReads().api, '-H', `Authorization: Bearer ${keys.radiologist!}`);
    assert.equal(studies.stdout.trim().split('\n').at(-1), '200', studies.stdout);
    assert.ok(studies.stdout.includes(STUDY), studies.stdout);
    // Another certificate does not vouch for it.
    const other = await promisify(execFile)('curl', [
      '--silent',
      '--cacert',
      '/etc/ssl/certs/ca-certificates.crt',
      `${server.httpsUrl}/health`,
    ]).then(
      () => 'trusted',
      () => 'refused',
    );
    assert.equal(other, 'refused');
  });
});
