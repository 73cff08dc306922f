// One certificate setting (tls.certFile, tls.keyFile) puts every door on TLS: HTTPS on http.tlsPort beside
// plain HTTP, DICOM TLS on dicom.tlsPort, MLLP over TLS on the HL7 port. Real clients: curl, DCMTK +tls.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { runTool } from '../support/dcmtk.js';
import { startServe, type RunningLantern } from '../support/lantern-server.js';
import { hl7Message, selfSigned, sendMllp } from './security-support.js';

const CT_SMALL = '/usr/lib/python3/dist-packages/pydicom/data/test_files/CT_small.dcm';
let dir: string;
let pair: { cert: string; key: string };
let server: RunningLantern;
let httpsUrl: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lantern-transport-'));
  pair = selfSigned(dir, 'lantern');
  server = await startServe({
    LANTERN_DATA_DIR: join(dir, 'data'),
    LANTERN_TLS_CERT_FILE: pair.cert,
    LANTERN_TLS_KEY_FILE: pair.key,
    LANTERN_HTTP_TLS_PORT: '0',
    LANTERN_DICOM_TLS_PORT: '0',
    // TLSPEER may store, TLSFINDER may query; the HL7 sender is listed.
    LANTERN_DICOM_REMOTE_AES: JSON.stringify([
      { aeTitle: 'TLSPEER', host: '127.0.0.1', port: 104, permissions: ['echo', 'store'] },
      { aeTitle: 'TLSFINDER', host: '127.0.0.1', port: 104, permissions: ['query'] },
    ]),
    LANTERN_HL7_ALLOWED_SENDERS: 'RIS^HOSP',
  });
  assert.ok(server.httpsUrl, 'the ready line names the HTTPS address');
  httpsUrl = server.httpsUrl;
});

after(async () => {
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

test('curl --cacert reaches /health over HTTPS', async () => {
  const { stdout } = await promisify(execFile)('curl', [
    '--silent',
    '--show-error',
    '--cacert',
    pair.cert,
    '--write-out',
    '\n%{http_code}',
    `${httpsUrl}/health`,
  ]);
  assert.equal(stdout.trim().split('\n').at(-1), '200', stdout);
});

test('a plain HTTP client on the HTTPS port is refused; without trust, curl refuses the server', async () => {
  await assert.rejects(fetch(`${httpsUrl.replace('https:', 'http:')}/health`));
  const untrusting = await promisify(execFile)('curl', ['--silent', `${httpsUrl}/health`]).then(
    () => 'connected',
    () => 'refused',
  );
  assert.equal(untrusting, 'refused');
});

test('DCMTK storescu and findscu with +tls on the DICOM TLS port (the shared certificate)', async () => {
  assert.ok(server.dicomTlsPort, 'the shared certificate opens the DICOM TLS listener');
  const tls = ['+tls', pair.key, pair.cert, '+cf', pair.cert];
  const peer = ['-aec', 'LANTERN', '-aet', 'TLSPEER', '127.0.0.1', String(server.dicomTlsPort)];
  const stored = await runTool('storescu', [...tls, ...peer, CT_SMALL]);
  assert.equal(stored.code, 0, stored.output);
  const find = (callingAe: string) =>
    runTool('findscu', [
      '-S',
      '-k',
      'QueryRetrieveLevel=STUDY',
      '-k',
      'PatientID=1CT1',
      '-k',
      'StudyInstanceUID',
      ...tls,
      '-aec',
      'LANTERN',
      '-aet',
      callingAe,
      '127.0.0.1',
      String(server.dicomTlsPort),
    ]);
  // A node that may query finds the study it just stored, over TLS.
  const found = await find('TLSFINDER');
  assert.equal(found.code, 0, found.output);
  assert.equal((found.output.match(/Find Response: \d+ \(Pending\)/g) ?? []).length, 1, found.output);
  assert.match(
    found.output,
    /\(0020,000d\) UI \[1\.3\.6\.1\.4\.1\.5962\.1\.2\.1\.20040119072730\.12322\0?\]/,
  );
  // TLSPEER may store, not query: refused by policy over TLS (the association and the handshake worked).
  const refused = await find('TLSPEER');
  assert.match(
    refused.output,
    /No Acceptable Presentation Contexts|No presentation context/i,
    refused.output,
  );
  const plain = await runTool('echoscu', peer);
  assert.notEqual(plain.code, 0, 'plain DICOM on the TLS port fails');
});

test('MLLP over TLS with the shared certificate; plain MLLP is refused', async () => {
  const ca = await readFile(pair.cert);
  assert.equal(
    await sendMllp(server.hl7Port, hl7Message('RIS^HOSP', 'ADT^A04^ADT_A01', 'TLS-1'), { ca }),
    'AA',
  );
  await assert.rejects(sendMllp(server.hl7Port, hl7Message('RIS^HOSP', 'ADT^A04^ADT_A01', 'TLS-2')));
});
