// DICOM TLS with client certificates (dicom.tlsCaFile) and dicom.tlsAeIdentity "cn": the certificate's subject
// CN is the identity a node calls as (or the AE title dicom.tlsAeMap gives that CN). Real peers: DCMTK storescu
// +tls with certificates made by openssl, against the DICOM TLS port of a running `lantern serve`.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runTool } from '../support/dcmtk.js';
import { startServe, type RunningLantern } from '../support/lantern-server.js';
import { auditRows, lastSeq, selfSigned } from './security-support.js';

const CT_SMALL = '/usr/lib/python3/dist-packages/pydicom/data/test_files/CT_small.dcm';

let dir: string;
let server: RunningLantern;
let serverCert: { cert: string; key: string };
const clients: Record<string, { cert: string; key: string }> = {};

const openssl = (args: string[]) => execFileSync('openssl', args, { stdio: 'ignore' });

/** A certificate authority: its certificate signs the client certificates the DICOM listener trusts. */
function authority(name: string): { cert: string; key: string } {
  const pair = { cert: join(dir, `${name}.crt`), key: join(dir, `${name}.key`) };
  openssl(
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2'].concat([
      '-subj',
      `/CN=${name}`,
      '-keyout',
      pair.key,
      '-out',
      pair.cert,
    ]),
  );
  return pair;
}

/** A client certificate with subject CN `cn`, signed by `ca`. */
function clientCertificate(name: string, cn: string, ca: { cert: string; key: string }) {
  const pair = { cert: join(dir, `${name}.crt`), key: join(dir, `${name}.key`) };
  const csr = join(dir, `${name}.csr`);
  openssl(
    ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'].concat([
      '-subj',
      `/CN=${cn}`,
      '-keyout',
      pair.key,
      '-out',
      csr,
    ]),
  );
  openssl(
    ['x509', '-req', '-in', csr, '-CA', ca.cert, '-CAkey', ca.key, '-CAcreateserial', '-days', '2'].concat([
      '-out',
      pair.cert,
    ]),
  );
  return pair;
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lantern-dicom-client-cert-'));
  serverCert = selfSigned(dir, 'localhost');
  const ca = authority('Hospital Devices CA');
  clients.scanner = clientCertificate('scanner', 'CTSCANNER', ca);
  clients.mapped = clientCertificate('mapped', 'ct-room-2.hospital.example', ca);
  clients.stranger = clientCertificate('stranger', 'CTSCANNER', authority('Another CA'));
  server = await startServe({
    LANTERN_DATA_DIR: join(dir, 'data'),
    LANTERN_DICOM_TLS_CERT_FILE: serverCert.cert,
    LANTERN_DICOM_TLS_KEY_FILE: serverCert.key,
    LANTERN_DICOM_TLS_CA_FILE: ca.cert,
    LANTERN_DICOM_TLS_PORT: '0',
    LANTERN_DICOM_TLS_AE_IDENTITY: 'cn',
    LANTERN_DICOM_TLS_AE_MAP: '["ct-room-2.hospital.example=CT2"]',
    LANTERN_DICOM_REMOTE_AES: JSON.stringify(
      ['CTSCANNER', 'CT2'].map((aeTitle) => ({
        aeTitle,
        host: '127.0.0.1',
        port: 104,
        permissions: ['store'],
      })),
    ),
  });
  assert.ok(server.dicomTlsPort, 'a DICOM TLS listener');
});

after(async () => {
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

/** storescu over TLS with a client certificate (or, with `client` undefined, anonymous TLS). */
function store(client: { cert: string; key: string } | undefined, callingAe: string) {
  const tls = client ? ['+tls', client.key, client.cert] : ['+tla'];
  return runTool('storescu', [
    ...tls,
    '+cf',
    serverCert.cert,
    '-aec',
    'LANTERN',
    '-aet',
    callingAe,
    '127.0.0.1',
    String(server.dicomTlsPort),
    CT_SMALL,
  ]);
}

test("the certificate's CN is the calling AE: it stores, and the audit names that AE", async () => {
  const since = lastSeq(join(dir, 'data'));
  const stored = await store(clients.scanner, 'CTSCANNER');
  assert.equal(stored.code, 0, stored.output);
  const records = auditRows(join(dir, 'data'), since).filter((r) => r.action === 'instance.store');
  assert.deepEqual(
    records.map((r) => [r.actorKind, r.actorId, r.door, r.outcome]),
    [['ae', 'CTSCANNER', 'dimse', 'success']],
  );
});

test('calling as another AE than its CN is rejected at association, audited once', async () => {
  const since = lastSeq(join(dir, 'data'));
  const refused = await store(clients.scanner, 'PRETENDER');
  assert.notEqual(refused.code, 0);
  assert.match(refused.output, /Association Rejected/i, refused.output);
  const denials = auditRows(join(dir, 'data'), since).filter((r) => r.action === 'security.deny');
  assert.equal(denials.length, 1, JSON.stringify(denials));
  assert.equal(denials[0]!.actorId, 'PRETENDER');
  assert.match(String(denials[0]!.detail.reason), /client certificate CN CTSCANNER may call as CTSCANNER/);
  assert.equal(
    auditRows(join(dir, 'data'), since).filter((r) => r.action === 'instance.store').length,
    0,
    'nothing stored',
  );
});

test('dicom.tlsAeMap: a CN calls as the AE title the map gives it, and only as that', async () => {
  const mapped = await store(clients.mapped, 'CT2');
  assert.equal(mapped.code, 0, mapped.output);
  const asCn = await store(clients.mapped, 'CTSCANNER');
  assert.match(asCn.output, /Association Rejected/i, asCn.output);
});

test('no client certificate, or one another CA signed: the TLS handshake fails, nothing is stored', async () => {
  const since = lastSeq(join(dir, 'data'));
  const stranger = await store(clients.stranger, 'CTSCANNER');
  assert.notEqual(stranger.code, 0, stranger.output);
  const anonymous = await store(undefined, 'CTSCANNER');
  assert.notEqual(anonymous.code, 0, anonymous.output);
  assert.equal(auditRows(join(dir, 'data'), since).filter((r) => r.action === 'instance.store').length, 0);
  // The listener keeps serving the trusted node.
  assert.equal((await store(clients.scanner, 'CTSCANNER')).code, 0);
});
