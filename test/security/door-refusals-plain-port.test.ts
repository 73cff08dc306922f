// The plain port is no way around TLS identity. With dicom.tlsAeIdentity "cn", a privileged AE title sent
// over the plain DICOM port is not believed: that peer gets only dicom.unknownAePermissions (echo), while the
// same node with its client certificate on the TLS port stores and queries. With tls.plainListeners false,
// the plain HTTP and DICOM ports are not opened at all, and HTTPS and DICOM TLS work.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { freePort, runTool } from '../support/dcmtk.js';
import { startServe, type RunningLantern } from '../support/lantern-server.js';
import { auditRows, lastSeq, selfSigned } from './security-support.js';

const CT_SMALL = '/usr/lib/python3/dist-packages/pydicom/data/test_files/CT_small.dcm';
const STUDY = '1.3.6.1.4.1.5962.1.2.1.20040119072730.12322';
const FIND_STUDY = ['-S', '-k', 'QueryRetrieveLevel=STUDY', '-k', 'PatientID=1CT1', '-k', 'StudyInstanceUID'];

let dir: string;
let serverCert: { cert: string; key: string };

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lantern-plain-port-'));
  serverCert = selfSigned(dir, 'localhost');
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('dicom.tlsAeIdentity "cn": a calling AE title on the plain port is not trusted', () => {
  let server: RunningLantern;
  let dataDir: string;
  // The node's own certificate, CN = its AE title; trusted directly as the client CA.
  let node: { cert: string; key: string };

  before(async () => {
    node = selfSigned(dir, 'PRIVILEGED');
    dataDir = join(dir, 'cn');
    server = await startServe({
      LANTERN_DATA_DIR: dataDir,
      LANTERN_DICOM_TLS_PORT: '0',
      LANTERN_DICOM_TLS_CERT_FILE: serverCert.cert,
      LANTERN_DICOM_TLS_KEY_FILE: serverCert.key,
      LANTERN_DICOM_TLS_CA_FILE: node.cert,
      LANTERN_DICOM_TLS_AE_IDENTITY: 'cn',
      LANTERN_DICOM_REMOTE_AES: JSON.stringify([
        {
          aeTitle: 'PRIVILEGED',
          host: '127.0.0.1',
          port: 104,
          permissions: ['echo', 'store', 'query', 'retrieve'],
        },
      ]),
    });
  });

  after(async () => {
    await server?.stop();
  });

  // DCMTK: options, then the peer, then files.
  const overTls = (tool: string, args: string[], files: string[] = []) =>
    runTool(tool, [
      '+tls',
      node.key,
      node.cert,
      '+cf',
      serverCert.cert,
      ...args,
      '-aec',
      'LANTERN',
      '-aet',
      'PRIVILEGED',
      '127.0.0.1',
      String(server.dicomTlsPort),
      ...files,
    ]);
  const overPlain = (tool: string, args: string[], files: string[] = []) =>
    runTool(tool, [
      ...args,
      ...['-aec', 'LANTERN', '-aet', 'PRIVILEGED', '127.0.0.1', String(server.dicomPort)],
      ...files,
    ]);

  test('with its certificate, on the TLS port, the node stores and queries', async () => {
    const stored = await overTls('storescu', [], [CT_SMALL]);
    assert.equal(stored.code, 0, stored.output);
    const found = await overTls('findscu', FIND_STUDY);
    assert.equal(found.code, 0, found.output);
    assert.equal((found.output.match(/Find Response: \d+ \(Pending\)/g) ?? []).length, 1, found.output);
    assert.ok(found.output.includes(STUDY), found.output);
  });

  test('the same AE title on the plain port may only echo: store and query are refused, audited', async () => {
    const since = lastSeq(dataDir);
    const echo = await overPlain('echoscu', []);
    assert.equal(echo.code, 0, echo.output);

    const stored = await overPlain('storescu', [], [CT_SMALL]);
    assert.notEqual(stored.code, 0, stored.output);
    assert.match(stored.output, /No presentation context|No Acceptable Presentation Contexts/i);
    const found = await overPlain('findscu', FIND_STUDY);
    assert.notEqual(found.code, 0, found.output);
    assert.doesNotMatch(found.output, /Find Response: \d+ \(Pending\)/);

    const rows = auditRows(dataDir, since);
    assert.equal(rows.filter((row) => row.action === 'instance.store').length, 0, 'nothing stored');
    assert.equal(rows.filter((row) => row.action === 'study.query').length, 0, 'nothing queried');
    const denials = rows.filter((row) => row.action === 'security.deny');
    assert.equal(denials.length, 2, JSON.stringify(denials)); // one per refused association
    for (const denial of denials) {
      assert.equal(denial.actorId, 'PRIVILEGED');
      assert.deepEqual(denial.detail.granted, ['echo']);
      assert.match(String(denial.detail.untrusted), /tlsAeIdentity/);
    }
  });
});

describe('tls.plainListeners false: TLS only', () => {
  let server: RunningLantern;
  let plainHttpPort: number;
  let plainDicomPort: number;

  before(async () => {
    plainHttpPort = await freePort();
    plainDicomPort = await freePort();
    server = await startServe({
      LANTERN_DATA_DIR: join(dir, 'tls-only'),
      LANTERN_TLS_CERT_FILE: serverCert.cert,
      LANTERN_TLS_KEY_FILE: serverCert.key,
      LANTERN_TLS_PLAIN_LISTENERS: 'false',
      LANTERN_HTTP_PORT: String(plainHttpPort),
      LANTERN_DICOM_PORT: String(plainDicomPort),
      LANTERN_HTTP_TLS_PORT: '0',
      LANTERN_DICOM_TLS_PORT: '0',
    });
  });

  after(async () => {
    await server?.stop();
  });

  /** Resolves with how a TCP connection to the port ends: 'connected' or the error code. */
  const dial = (port: number) =>
    new Promise<string>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.destroy();
        resolve('connected');
      });
      socket.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    });

  test('the ready line names only the TLS listeners, and the plain ports refuse connections', async () => {
    assert.equal(server.httpUrl, '', server.stdout());
    assert.equal(server.dicomPort, 0, server.stdout());
    assert.ok(server.httpsUrl && server.dicomTlsPort, server.stdout());
    assert.equal(await dial(plainHttpPort), 'ECONNREFUSED');
    assert.equal(await dial(plainDicomPort), 'ECONNREFUSED');
    const echo = await runTool('echoscu', ['-aec', 'LANTERN', '127.0.0.1', String(plainDicomPort)]);
    assert.notEqual(echo.code, 0, echo.output);
  });

  test('HTTPS (curl --cacert) and DICOM TLS (echoscu +tls) answer', async () => {
    const { stdout } = await promisify(execFile)('curl', [
      '--silent',
      '--show-error',
      '--cacert',
      serverCert.cert,
      '--write-out',
      '\n%{http_code}',
      `${server.httpsUrl}/health`,
    ]);
    assert.equal(stdout.trim().split('\n').at(-1), '200', stdout);
    const echo = await runTool('echoscu', [
      '+tls',
      serverCert.key,
      serverCert.cert,
      '+cf',
      serverCert.cert,
      '-aec',
      'LANTERN',
      '127.0.0.1',
      String(server.dicomTlsPort),
    ]);
    assert.equal(echo.code, 0, echo.output);
  });
});
