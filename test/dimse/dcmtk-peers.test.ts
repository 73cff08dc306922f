// Lantern's DICOM door against DCMTK, as modalities and workstations use it: pydicom's test files go in
// with dcmsend (each in its own transfer syntax) and come back through C-GET and C-MOVE with the same
// data set bytes; C-FIND answers at every level of both query models.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { buffer } from 'node:stream/consumers';
import { openLantern } from '../../src/app.js';
import { toMatchRecord } from '../../src/archive/index.js';
import { scanHeader } from '../../src/lib/dicom/index.js';
import { loadConfig } from '../../src/platform/config/index.js';
import { createContext } from '../../src/platform/context.js';
import { silentLogger } from '../../src/platform/log/index.js';
import { runTool, startStorescp } from '../support/dcmtk.js';
import { runLantern } from '../support/lantern-cli.js';
import { startServe, type RunningLantern } from '../support/lantern-server.js';

const PYDICOM_FILES = '/usr/lib/python3/dist-packages/pydicom/data/test_files';
/** getscu's option to accept a stored transfer syntax ('' for the uncompressed ones it always accepts). */
const GETSCU_PREFERENCE: Record<string, string> = {
  '1.2.840.10008.1.2': '',
  '1.2.840.10008.1.2.1': '',
  '1.2.840.10008.1.2.2': '+xb',
  '1.2.840.10008.1.2.1.99': '+xd',
  '1.2.840.10008.1.2.4.50': '+xy',
  '1.2.840.10008.1.2.4.51': '+xx',
  '1.2.840.10008.1.2.4.70': '+xs',
  '1.2.840.10008.1.2.4.80': '+xt',
  '1.2.840.10008.1.2.4.81': '+xu',
  '1.2.840.10008.1.2.4.90': '+xv',
  '1.2.840.10008.1.2.4.91': '+xw',
  '1.2.840.10008.1.2.5': '+xr',
};
const CT_SMALL_STUDY = '1.3.6.1.4.1.5962.1.2.1.20040119072730.12322';

let dataDir: string;
let outDir: string;
let server: RunningLantern;
let destination: { port: number; stop(): void };
/** SOP Instance UID → the data sets of the source files that carry it. */
const sources = new Map<string, Buffer[]>();
/** SOP Instance UID → the data set as Lantern stored it (what the sender sent). */
const stored = new Map<string, Buffer>();

/** A DCMTK tool against Lantern: options, then the peer, then files (storescu, dcmsend). */
const dicom = (tool: string, aet: string, options: string[], files: string[] = []) =>
  runTool(tool, [
    '-aec',
    'LANTERN',
    '-aet',
    aet,
    ...options,
    '127.0.0.1',
    String(server.dicomPort),
    ...files,
  ]);

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath ?? e.path, e.name));
}

function dataSetOf(bytes: Buffer): { sopInstanceUid: string | undefined; dataSet: Buffer } | undefined {
  try {
    const header = scanHeader(bytes);
    return { sopInstanceUid: header.sopInstanceUid, dataSet: bytes.subarray(header.datasetOffset) };
  } catch {
    return undefined;
  }
}

/**
 * The received data set is the source's, byte for byte. DCMTK's senders drop a trailing Data Set Trailing
 * Padding element (FFFC,FFFC), which carries nothing, so a source may be longer by exactly that element.
 */
function sameDataSet(received: Buffer, sopInstanceUid: string): boolean {
  return (sources.get(sopInstanceUid) ?? []).some((source) => {
    if (source.equals(received)) return true;
    const rest = source.subarray(received.length);
    return source.subarray(0, received.length).equals(received) && rest.readUInt32LE(0) === 0xfffcfffc;
  });
}

/** Every file under `dir` carries exactly the data set Lantern received for its instance. */
async function assertAllIdentical(dir: string): Promise<number> {
  const files = await filesUnder(dir);
  for (const file of files) {
    const received = dataSetOf(readFileSync(file));
    assert.ok(received?.sopInstanceUid, `${file} is DICOM`);
    const original = stored.get(received.sopInstanceUid);
    assert.ok(original?.equals(received.dataSet), `${file}: data set differs from the one received`);
  }
  return files.length;
}

/** The data sets as stored, read through the archive's retrieve (what `lantern export` writes). */
async function loadStored(): Promise<void> {
  // The server's database: the data folder's SQLite, or PostgreSQL when the environment names one.
  const { LANTERN_DATABASE_URL } = process.env;
  const env = { LANTERN_DATA_DIR: dataDir, ...(LANTERN_DATABASE_URL ? { LANTERN_DATABASE_URL } : {}) };
  const lantern = await openLantern(loadConfig({ env }), silentLogger());
  try {
    const ctx = createContext(lantern.log, { kind: 'system', name: 'test' }, { door: 'cli' });
    const { matches } = await lantern.archive.query(ctx, { level: 'STUDY', limit: 1000 });
    for (const match of matches) {
      const studyInstanceUid = String(toMatchRecord(match).StudyInstanceUID);
      for (const instance of await lantern.archive.retrieve(ctx, { studyInstanceUid })) {
        stored.set(instance.sopInstanceUid, await buffer(instance.openDataset()));
      }
    }
  } finally {
    await lantern.close();
  }
}

before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'lantern-dimse-'));
  outDir = await mkdtemp(join(tmpdir(), 'lantern-dimse-out-'));
  for (const file of await filesUnder(PYDICOM_FILES)) {
    const parsed = dataSetOf(readFileSync(file));
    if (parsed?.sopInstanceUid)
      sources.set(parsed.sopInstanceUid, [...(sources.get(parsed.sopInstanceUid) ?? []), parsed.dataSet]);
  }
  destination = await startStorescp(join(outDir, 'moved'), 'DEST');
  const env = { LANTERN_DATA_DIR: dataDir };
  // The AE table is set up before the server starts, as an administrator would: strangers may only echo.
  for (const [aet, port, permissions] of [
    ['DEST', destination.port, 'echo,store,query,retrieve'],
    ['WORKSTATION', 1, 'echo,store,query,retrieve'],
    ['MODALITY', 1, 'echo,store'],
  ] as const) {
    const added = await runLantern(
      ['ae', 'add', aet, '127.0.0.1', String(port), '--permissions', permissions],
      env,
    );
    assert.equal(added.code, 0, added.stderr);
  }
  server = await startServe(env);
});

after(async () => {
  await server?.stop();
  destination?.stop();
  await rm(dataDir, { recursive: true, force: true });
  await rm(outDir, { recursive: true, force: true });
});

describe('DCMTK peers against lantern serve', () => {
  test('C-ECHO answers our AE title and refuses another', async () => {
    assert.equal((await dicom('echoscu', 'ANYONE', [])).code, 0);
    const wrong = await runTool('echoscu', ['-aec', 'NOT_LANTERN', '127.0.0.1', String(server.dicomPort)]);
    assert.notEqual(wrong.code, 0);
    assert.match(wrong.output, /Called AE Title Not Recognized/i);
  });

  test('dcmsend of pydicom test_files: every instance DCMTK can send is stored', async () => {
    const sent = await dicom(
      'dcmsend',
      'MODALITY',
      ['-v', '-nh', '--scan-directories', '--recurse', '--decompress-never'],
      [PYDICOM_FILES],
    );
    const success = Number(/with status SUCCESS\s*:\s*(\d+)/.exec(sent.output)?.[1]);
    const errors = Number(/with status ERROR\s*:\s*(\d+)/.exec(sent.output)?.[1] ?? 0);
    assert.ok(success > 100, `stored ${success}`);
    // The only refusals: files whose meta header names another instance than their data set (A900).
    assert.equal(errors, (sent.output.match(/DataSetDoesNotMatchSOPClass/g) ?? []).length);
    const verify = await runLantern(['verify', '--no-progress'], { LANTERN_DATA_DIR: dataDir });
    assert.match(verify.stdout, /Index and storage agree/);
    await loadStored();
    // What arrived is what was sent: for files DCMTK sends without re-encoding, the source's data set.
    for (const name of ['CT_small.dcm']) {
      const source = dataSetOf(readFileSync(join(PYDICOM_FILES, name)))!;
      assert.ok(
        sameDataSet(stored.get(source.sopInstanceUid!)!, source.sopInstanceUid!),
        `${name} stored as sent`,
      );
    }
  });

  test('C-FIND at every level of the Study Root and Patient Root models', async () => {
    const studies = await dicom('findscu', 'WORKSTATION', [
      '-S',
      '-k',
      'QueryRetrieveLevel=STUDY',
      '-k',
      'StudyInstanceUID=',
      '-k',
      'PatientName=',
    ]);
    assert.equal(studies.code, 0, studies.output);
    const api = (await (
      await fetch(`${server.httpUrl}/api/studies?limit=1000`, { headers: server.auth })
    ).json()) as { total: number };
    assert.equal((studies.output.match(/Find Response: \d+ \(Pending\)/g) ?? []).length, api.total);

    const ct = await dicom('findscu', 'WORKSTATION', [
      '-S',
      '-k',
      'QueryRetrieveLevel=SERIES',
      '-k',
      `StudyInstanceUID=${CT_SMALL_STUDY}`,
      '-k',
      'Modality=',
      '-k',
      'SeriesInstanceUID=',
    ]);
    assert.match(ct.output, /\(0008,0060\) CS \[CT\]/);
    const images = await dicom('findscu', 'WORKSTATION', [
      '-S',
      '-k',
      'QueryRetrieveLevel=IMAGE',
      '-k',
      `StudyInstanceUID=${CT_SMALL_STUDY}`,
      '-k',
      'SOPInstanceUID=',
    ]);
    assert.match(images.output, /1\.3\.6\.1\.4\.1\.5962\.1\.1\.1\.1\.1\.20040119072730\.12322/);
    const patients = await dicom('findscu', 'WORKSTATION', [
      '-P',
      '-k',
      'QueryRetrieveLevel=PATIENT',
      '-k',
      'PatientID=1CT1',
      '-k',
      'PatientName=',
      '-k',
      'NumberOfPatientRelatedStudies=',
    ]);
    assert.match(patients.output, /CompressedSamples\^CT1/);
    assert.match(patients.output, /\(0020,1200\) IS \[1 ?\]/);
    const wildcard = await dicom('findscu', 'WORKSTATION', [
      '-S',
      '-k',
      'QueryRetrieveLevel=STUDY',
      '-k',
      'PatientName=compressedsamples*',
      '-k',
      'StudyInstanceUID=',
    ]);
    assert.ok(
      (wildcard.output.match(/Pending/g) ?? []).length >= 2,
      'a case-insensitive wildcard name matches several studies',
    );
  });

  test('an AE without the query permission cannot even ask', async () => {
    const refused = await dicom('findscu', 'STRANGER', ['-S', '-k', 'QueryRetrieveLevel=STUDY']);
    assert.notEqual(refused.code, 0);
    assert.match(refused.output, /No Acceptable Presentation Contexts/);
  });

  test('C-GET returns every stored instance with the data set bytes that were received', async () => {
    // getscu accepts uncompressed transfer syntaxes plus one preferred one; Lantern sends instances as
    // stored (no transcoding yet), so each study is fetched once per transfer syntax it holds.
    // The server's database: the data folder's SQLite, or PostgreSQL when the environment names one.
    const { LANTERN_DATABASE_URL } = process.env;
    const env = { LANTERN_DATA_DIR: dataDir, ...(LANTERN_DATABASE_URL ? { LANTERN_DATABASE_URL } : {}) };
    const lantern = await openLantern(loadConfig({ env }), silentLogger());
    const ctx = createContext(lantern.log, { kind: 'system', name: 'test' }, { door: 'cli' });
    const wanted = new Map<string, Set<string>>();
    try {
      const { matches } = await lantern.archive.query(ctx, { level: 'IMAGE', limit: 10_000 });
      for (const record of matches.map(toMatchRecord)) {
        const study = String(record.StudyInstanceUID);
        wanted.set(study, (wanted.get(study) ?? new Set()).add(String(record.AvailableTransferSyntaxUID)));
      }
    } finally {
      await lantern.close();
    }
    const dir = join(outDir, 'get');
    await mkdir(dir, { recursive: true });
    const unaskable = new Set<string>();
    for (const [study, syntaxes] of wanted) {
      for (const ts of syntaxes) {
        const preference = GETSCU_PREFERENCE[ts];
        if (preference === undefined) {
          unaskable.add(ts);
          continue;
        }
        const options = [
          '+B',
          '-od',
          dir,
          '-k',
          'QueryRetrieveLevel=STUDY',
          '-k',
          `StudyInstanceUID=${study}`,
        ];
        const got = await dicom('getscu', 'WORKSTATION', preference ? [preference, ...options] : options);
        assert.ok(
          got.code === 0 || /Warning|0xb000/i.test(got.output),
          `${study} ${ts}: ${got.output.slice(-500)}`,
        );
      }
    }
    const expected = [...stored.keys()].length;
    const received = await assertAllIdentical(dir);
    const skipped = [...unaskable].join(', ');
    assert.ok(
      received >= expected - 5,
      `received ${received} of ${expected} (getscu cannot ask for: ${skipped})`,
    );
  });

  test('C-MOVE sends a study to a destination from the AE table, and refuses an unknown one', async () => {
    const moved = await dicom('movescu', 'WORKSTATION', [
      '-aem',
      'DEST',
      '-S',
      '-k',
      'QueryRetrieveLevel=STUDY',
      '-k',
      `StudyInstanceUID=${CT_SMALL_STUDY}`,
    ]);
    assert.equal(moved.code, 0, moved.output);
    assert.equal(await assertAllIdentical(join(outDir, 'moved')), 1);
    const unknown = await dicom('movescu', 'WORKSTATION', [
      '-aem',
      'NOWHERE',
      '-S',
      '-k',
      'QueryRetrieveLevel=STUDY',
      '-k',
      `StudyInstanceUID=${CT_SMALL_STUDY}`,
    ]);
    assert.match(unknown.output, /MoveDestinationUnknown/);
  });

  test('lantern echo and lantern send reach an AE of the AE table', async () => {
    const env = { LANTERN_DATA_DIR: dataDir };
    const echo = await runLantern(['echo', 'DEST'], env);
    assert.equal(echo.code, 0, echo.stderr);
    assert.match(echo.stdout, /DEST answered C-ECHO in \d+ ms/);
    const sent = await runLantern(['send', CT_SMALL_STUDY, 'DEST'], env);
    assert.equal(sent.code, 0, sent.stderr);
    assert.match(sent.stdout, /Sent 1 of 1 instances to DEST/);
    const unknown = await runLantern(['echo', 'NOWHERE'], env);
    assert.notEqual(unknown.code, 0);
    assert.match(unknown.stderr, /AE NOWHERE not found/);
  });
});
