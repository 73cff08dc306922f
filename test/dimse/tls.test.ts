// DICOM over TLS (PS3.15 B.1) on its own port, against DCMTK's TLS peers: `lantern serve` with a certificate
// opens a second DIMSE listener with the same services; plain DICOM is refused there; with a CA file, a
// peer without a client certificate it signed is refused too.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runTool } from '../support/dcmtk.js';
import { runLantern } from '../support/lantern-cli.js';
import { OPEN_DOORS, startServe, type RunningLantern } from '../support/lantern-server.js';

const CT_SMALL = '/usr/lib/python3/dist-packages/pydicom/data/test_files/CT_small.dcm';

let dir: string;
/** A self-signed certificate: the server's, the peers' and, with tlsCaFile, its own CA. */
let cert: string;
let key: string;
/** A second self-signed certificate that the server's CA file does not hold. */
let strangerCert: string;
let strangerKey: string;

function selfSigned(name: string): { cert: string; key: string } {
  const pair = { cert: join(dir, `${name}.crt`), key: join(dir, `${name}.key`) };
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '2',
      '-subj',
      `/CN=${name}`,
      '-addext',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
      '-keyout',
      pair.key,
      '-out',
      pair.cert,
    ],
    { stdio: 'ignore' },
  );
  return pair;
}

/** A DCMTK tool against Lantern on `port`: TLS options, then the peer, then files. */
const dicom = (tool: string, port: number, options: string[], files: string[] = []) =>
  runTool(
    tool,
    ['-aec', 'LANTERN', '-aet', 'TLSPEER', ...options, '127.0.0.1', String(port), ...files],
    30_000,
  );

const tlsWith = (pair: { cert: string; key: string }) => ['+tls', pair.key, pair.cert, '+cf', cert];

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lantern-tls-'));
  ({ cert, key } = selfSigned('lantern'));
  ({ cert: strangerCert, key: strangerKey } = selfSigned('stranger'));
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('a TLS listener beside the plain one', () => {
  let server: RunningLantern;
  let tlsPort: number;

  before(async () => {
    server = await startServe({
      LANTERN_DATA_DIR: join(dir, 'data'),
      LANTERN_DICOM_TLS_PORT: '0',
      LANTERN_DICOM_TLS_CERT_FILE: cert,
      LANTERN_DICOM_TLS_KEY_FILE: key,
      ...OPEN_DOORS, // this test is about the transport: any AE may store
    });
    assert.ok(server.dicomTlsPort, 'the ready line names the DICOM-TLS port');
    tlsPort = server.dicomTlsPort;
    assert.notEqual(tlsPort, server.dicomPort);
  });

  after(async () => {
    await server?.stop();
  });

  test('C-ECHO over TLS succeeds, and the plain port still answers', async () => {
    const secure = await dicom('echoscu', tlsPort, tlsWith({ cert, key }));
    assert.equal(secure.code, 0, secure.output);
    const plain = await dicom('echoscu', server.dicomPort, []);
    assert.equal(plain.code, 0, plain.output);
  });

  test('plain DICOM on the TLS port fails', async () => {
    const result = await dicom('echoscu', tlsPort, []);
    assert.notEqual(result.code, 0, result.output);
  });

  test('a peer that does not trust the server certificate fails', async () => {
    const result = await dicom('echoscu', tlsPort, ['+tls', strangerKey, strangerCert, '+cf', strangerCert]);
    assert.notEqual(result.code, 0, result.output);
  });

  test('C-STORE over TLS stores CT_small, found afterwards through the API', async () => {
    const result = await dicom('storescu', tlsPort, tlsWith({ cert, key }), [CT_SMALL]);
    assert.equal(result.code, 0, result.output);
    const response = await fetch(`${server.httpUrl}/api/studies?PatientID=1CT1`, { headers: server.auth });
    assert.equal(response.status, 200);
    const body = (await response.json()) as { total: number; studies: Record<string, unknown>[] };
    assert.equal(body.total, 1);
    assert.equal(body.studies[0]!.StudyInstanceUID, '1.3.6.1.4.1.5962.1.2.1.20040119072730.12322');
  });
});

describe('with a CA file, client certificates are required', () => {
  let server: RunningLantern;

  before(async () => {
    server = await startServe({
      LANTERN_DATA_DIR: join(dir, 'data-ca'),
      LANTERN_DICOM_TLS_PORT: '0',
      LANTERN_DICOM_TLS_CERT_FILE: cert,
      LANTERN_DICOM_TLS_KEY_FILE: key,
      LANTERN_DICOM_TLS_CA_FILE: cert,
    });
  });

  after(async () => {
    await server?.stop();
  });

  test('a peer with a certificate the CA signed may associate', async () => {
    const result = await dicom('echoscu', server.dicomTlsPort!, tlsWith({ cert, key }));
    assert.equal(result.code, 0, result.output);
  });

  test('a peer without a client certificate, or with another one, is refused', async () => {
    const anonymous = await dicom('echoscu', server.dicomTlsPort!, ['+tla', '+cf', cert]);
    assert.notEqual(anonymous.code, 0, anonymous.output);
    const stranger = await dicom(
      'echoscu',
      server.dicomTlsPort!,
      tlsWith({ cert: strangerCert, key: strangerKey }),
    );
    assert.notEqual(stranger.code, 0, stranger.output);
  });
});

describe('a certificate that cannot be used stops serve, naming the setting', () => {
  const serve = (env: Record<string, string>) =>
    runLantern(['serve'], {
      LANTERN_DATA_DIR: join(dir, 'data-bad'),
      LANTERN_HTTP_PORT: '0',
      LANTERN_DICOM_PORT: '0',
      LANTERN_DICOM_TLS_PORT: '0',
      ...env,
    });

  test('a missing certificate file', async () => {
    const result = await serve({
      LANTERN_DICOM_TLS_CERT_FILE: join(dir, 'missing.crt'),
      LANTERN_DICOM_TLS_KEY_FILE: key,
    });
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /dicom\.tlsCertFile: cannot read .*missing\.crt/);
    assert.doesNotMatch(result.stdout, /serving on/);
  });

  test('an unreadable key file', async () => {
    const result = await serve({ LANTERN_DICOM_TLS_CERT_FILE: cert, LANTERN_DICOM_TLS_KEY_FILE: dir });
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /dicom\.tlsKeyFile: cannot read/);
  });

  test('a key without a certificate', async () => {
    const result = await serve({ LANTERN_DICOM_TLS_KEY_FILE: key });
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /dicom\.tlsCertFile/);
  });

  test('a key that does not match the certificate', async () => {
    const result = await serve({
      LANTERN_DICOM_TLS_CERT_FILE: cert,
      LANTERN_DICOM_TLS_KEY_FILE: strangerKey,
    });
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /dicom\.tlsCertFile, dicom\.tlsKeyFile/);
  });
});
