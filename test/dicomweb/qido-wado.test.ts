// QIDO-RS and WADO-RS against `lantern serve`, with dicomweb-client (OHIF's DICOMweb library) as the peer:
// pydicom's test files go in with `lantern import`; searches find each by its keys; retrieves return the
// stored bytes; metadata equals DCMTK's dcm2json of the same file, and its BulkDataURIs return the values.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { readDataset, scanHeader, type DicomHeader, type DicomJson } from '../../src/lib/dicom/index.js';
import { runTool } from '../support/dcmtk.js';
import { runLantern } from '../support/lantern-cli.js';
import { startServe, type RunningLantern } from '../support/lantern-server.js';
import { normalize } from './support/dcm2json-reference.js';
import { dicomwebPeer, type DicomwebPeer } from './support/dicomweb-peer.js';

const PYDICOM_FILES = '/usr/lib/python3/dist-packages/pydicom/data/test_files';
/** Native and encapsulated pixel data, big endian, deflated, implicit VR, no pixel data, multi-frame. */
const FILES = [
  'CT_small.dcm',
  'MR_small_bigendian.dcm',
  'JPEG2000.dcm',
  'SC_rgb_rle.dcm',
  'rtplan.dcm',
  'test-SR.dcm',
  'image_dfl.dcm',
  'liver_1frame.dcm',
  'rtdose.dcm',
];
/** dcm2json refuses encapsulated pixel data, so metadata is compared with it for the others only. */
const DCM2JSON_FILES = FILES.filter((f) => !['JPEG2000.dcm', 'SC_rgb_rle.dcm'].includes(f));

interface Source {
  name: string;
  bytes: Buffer;
  header: DicomHeader;
  study: string;
  series: string;
  sop: string;
}

let dataDir: string;
let server: RunningLantern;
let base: string;
let peer: DicomwebPeer;
const sources: Source[] = [];

const get = (path: string, headers: Record<string, string> = {}) =>
  fetch(`${base}${path}`, { headers: { ...server.auth, ...headers } });
const value = (json: DicomJson | undefined, tag: string) => json?.[tag]?.Value?.[0];
const uidsOf = (source: Source) => ({
  studyInstanceUID: source.study,
  seriesInstanceUID: source.series,
  sopInstanceUID: source.sop,
});
const source = (name: string) => sources.find((s) => s.name === name)!;

before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'lantern-dicomweb-'));
  const incoming = join(dataDir, 'incoming');
  await mkdir(incoming);
  for (const name of FILES) {
    await copyFile(join(PYDICOM_FILES, name), join(incoming, name));
    const bytes = readFileSync(join(PYDICOM_FILES, name));
    const header = scanHeader(bytes);
    sources.push({
      name,
      bytes,
      header,
      study: header.string('0020000D')!,
      series: header.string('0020000E')!,
      sop: header.sopInstanceUid!,
    });
  }
  const imported = await runLantern(['import', '--no-progress', incoming], { LANTERN_DATA_DIR: dataDir });
  assert.equal(imported.code, 0, imported.stderr);
  server = await startServe({ LANTERN_DATA_DIR: dataDir });
  base = `${server.httpUrl}/dicom-web`;
  peer = dicomwebPeer(base, server.auth);
});

after(async () => {
  await server?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

describe('QIDO-RS', () => {
  test('finds every stored file by its study, series and instance UIDs and its patient ID', async () => {
    for (const s of sources) {
      const [study, ...moreStudies] = await peer.searchForStudies({
        queryParams: { StudyInstanceUID: s.study },
      });
      assert.equal(moreStudies.length, 0, s.name);
      assert.equal(value(study, '0020000D'), s.study);
      assert.equal(value(study, '00100020'), s.header.string('00100020'), `${s.name} PatientID`);
      const byPatient = await peer.searchForStudies({
        queryParams: { PatientID: s.header.string('00100020') ?? '' },
      });
      assert.ok(
        byPatient.some((m) => value(m, '0020000D') === s.study),
        `${s.name} by PatientID`,
      );

      const series = await peer.searchForSeries({
        studyInstanceUID: s.study,
        queryParams: { SeriesInstanceUID: s.series },
      });
      assert.equal(series.length, 1);
      assert.equal(value(series[0], '00080060'), s.header.string('00080060'));
      assert.equal(value(series[0], '00081190'), `${base}/studies/${s.study}/series/${s.series}`);

      const instances = await peer.searchForInstances({ queryParams: { '00080018': s.sop } });
      assert.equal(instances.length, 1, `${s.name} by SOPInstanceUID`);
      assert.equal(value(instances[0], '00080016'), s.header.sopClassUid);
      assert.equal(value(instances[0], '0020000E'), s.series);
      assert.equal(
        value(instances[0], '00081190'),
        `${base}/studies/${s.study}/series/${s.series}/instances/${s.sop}`,
      );
      const inSeries = await peer.searchForInstances({
        studyInstanceUID: s.study,
        seriesInstanceUID: s.series,
      });
      assert.ok(inSeries.some((m) => value(m, '00080018') === s.sop));
    }
  });

  test('matching rules: wildcards, case-insensitive names, date ranges, UID lists, modalities', async () => {
    const ct = source('CT_small.dcm');
    const mr = source('MR_small_bigendian.dcm');
    const name = ct.header.personName('00100010')!.alphabetic!;
    const wildcard = await peer.searchForStudies({
      queryParams: { PatientName: `${name.slice(0, 3).toLowerCase()}*` },
    });
    assert.ok(wildcard.some((m) => value(m, '0020000D') === ct.study));
    const date = ct.header.string('00080020')!;
    const inRange = await peer.searchForStudies({ queryParams: { StudyDate: `${date}-${date}` } });
    assert.ok(inRange.every((m) => value(m, '00080020') === date));
    assert.ok(inRange.some((m) => value(m, '0020000D') === ct.study));
    const before = await peer.searchForStudies({ queryParams: { StudyDate: `-${Number(date) - 1}` } });
    assert.ok(!before.some((m) => value(m, '0020000D') === ct.study));
    const list = await peer.searchForStudies({
      queryParams: { StudyInstanceUID: `${ct.study},${mr.study}` },
    });
    assert.deepEqual(new Set(list.map((m) => value(m, '0020000D'))), new Set([ct.study, mr.study]));
    const modality = await peer.searchForStudies({ queryParams: { ModalitiesInStudy: 'MR' } });
    assert.ok(modality.some((m) => value(m, '0020000D') === mr.study));
    assert.ok(!modality.some((m) => value(m, '0020000D') === ct.study));
    const none = await get('/studies?PatientID=NOBODY');
    assert.equal(none.status, 200);
    assert.equal(none.headers.get('x-total-count'), '0');
    assert.deepEqual(await none.json(), []);
  });

  test('includefield adds attributes by keyword or tag, repeated or comma-separated, or all', async () => {
    const ct = source('CT_small.dcm');
    const find = async (query: string) => {
      const response = await get(`/studies?StudyInstanceUID=${ct.study}${query}`);
      assert.equal(response.status, 200);
      assert.match(response.headers.get('content-type')!, /^application\/dicom\+json(; charset=utf-8)?$/);
      return ((await response.json()) as DicomJson[])[0]!;
    };
    const plain = await find('');
    assert.equal(plain['00081030'], undefined, 'StudyDescription is not a default attribute');
    assert.equal(plain['00080080'], undefined);
    assert.equal(value(plain, '00201208'), 1);
    const one = await find('&includefield=StudyDescription');
    assert.deepEqual(one['00081030'], plain['00081030'] ?? one['00081030']);
    assert.ok('00081030' in one);
    const both = await find('&includefield=00081030,InstitutionName');
    assert.ok('00081030' in both && '00080080' in both);
    const repeated = await find('&includefield=00081030&includefield=00080080');
    assert.deepEqual(repeated, both);
    const all = await find('&includefield=all');
    assert.ok('00081030' in all && '00080080' in all && '00100021' in all);
    // An attribute DICOM has but the index does not hold is reported, not silently dropped.
    const response = await get(`/studies?StudyInstanceUID=${ct.study}&includefield=PatientAge`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('warning') ?? '', /299 .*PatientAge/);
  });

  test('limit and offset page through all matches; X-Total-Count gives the total', async () => {
    const everything = await get('/instances');
    const total = Number(everything.headers.get('x-total-count'));
    assert.equal(total, FILES.length);
    const all = (await everything.json()) as DicomJson[];
    assert.equal(all.length, total);
    const paged: unknown[] = [];
    for (let offset = 0; offset < total; offset += 4) {
      const page = await get(`/instances?limit=4&offset=${offset}`);
      assert.equal(page.headers.get('x-total-count'), String(total));
      const matches = (await page.json()) as DicomJson[];
      assert.equal(matches.length, Math.min(4, total - offset));
      paged.push(...matches.map((m) => value(m, '00080018')));
    }
    assert.deepEqual(
      paged,
      all.map((m) => value(m, '00080018')),
    );
    const past = await get(`/instances?offset=${total}`);
    assert.deepEqual(await past.json(), []);
    const studies = await get('/studies?limit=101&includefield=StudyDescription,ModalitiesInStudy');
    assert.equal(Number(studies.headers.get('x-total-count')), new Set(sources.map((s) => s.study)).size);
  });

  test('unknown or invalid parameters are a 400 problem+json naming the parameter', async () => {
    const ct = source('CT_small.dcm');
    const cases: [string, RegExp][] = [
      ['/studies?ShoeSize=42', /ShoeSize/],
      ['/studies?PatientAge=040Y', /PatientAge is not a supported matching key/],
      ['/studies?limit=ten', /limit/],
      ['/studies?limit=0', /limit/],
      ['/studies?offset=-1', /offset/],
      ['/studies?limit=1&limit=2', /limit/],
      ['/studies?StudyDate=tomorrow', /StudyDate/],
      ['/studies?StudyInstanceUID=1.2.x', /StudyInstanceUID/],
      ['/studies?fuzzymatching=maybe', /fuzzymatching/],
      ['/studies?includefield=NoSuchAttribute', /includefield.*NoSuchAttribute/],
      ['/studies?SOPInstanceUID=1.2.3', /SOPInstanceUID/],
      ['/studies?OtherPatientIDsSequence.PatientID=1', /OtherPatientIDsSequence\.PatientID/],
      [`/studies/${ct.study}/series?StudyInstanceUID=${ct.study}`, /StudyInstanceUID/],
      ['/studies/not-a-uid/series', /not-a-uid/],
    ];
    for (const [path, detail] of cases) {
      const response = await get(path);
      assert.equal(response.status, 400, path);
      assert.equal(response.headers.get('content-type'), 'application/problem+json; charset=utf-8');
      assert.match(((await response.json()) as { detail: string }).detail, detail, path);
    }
  });

  test('Accept: DICOM JSON or JSON; others 406; fuzzymatching is answered with a Warning', async () => {
    const json = await get('/studies', { accept: 'application/json' });
    assert.equal(json.status, 200);
    assert.match(json.headers.get('content-type')!, /^application\/json(; charset=utf-8)?$/);
    const xml = await get('/studies', { accept: 'multipart/related; type="application/dicom+xml"' });
    assert.equal(xml.status, 406);
    assert.equal(xml.headers.get('content-type'), 'application/problem+json; charset=utf-8');
    const fuzzy = await get('/studies?fuzzymatching=true&PatientName=*');
    assert.equal(fuzzy.status, 200);
    assert.match(fuzzy.headers.get('warning') ?? '', /fuzzymatching parameter is not supported/);
  });
});

describe('WADO-RS', () => {
  test('study, series and instance retrieves return the stored files byte for byte', async () => {
    for (const s of sources) {
      const [instance] = [await peer.retrieveInstance(uidsOf(s))];
      assert.ok(Buffer.from(instance!).equals(s.bytes), `${s.name} instance`);
      const series = await peer.retrieveSeries(uidsOf(s));
      assert.ok(
        series.some((part) => Buffer.from(part).equals(s.bytes)),
        `${s.name} series`,
      );
    }
    const ct = source('CT_small.dcm');
    const study = await peer.retrieveStudy({ studyInstanceUID: ct.study });
    const expected = sources.filter((s) => s.study === ct.study);
    assert.equal(study.length, expected.length);
    for (const s of expected) assert.ok(study.some((part) => Buffer.from(part).equals(s.bytes)));
  });

  test('Accept: transfer-syntax * or the stored one is served; another is 406 (no transcoding)', async () => {
    const j2k = source('JPEG2000.dcm');
    const path = `/studies/${j2k.study}/series/${j2k.series}/instances/${j2k.sop}`;
    const accept = (syntax: string) => ({
      accept: `multipart/related; type="application/dicom"; transfer-syntax=${syntax}`,
    });
    for (const ok of ['*', j2k.header.transferSyntaxUid]) {
      const response = await get(path, accept(ok));
      assert.equal(response.status, 200, ok);
      assert.match(
        response.headers.get('content-type')!,
        /^multipart\/related; type="application\/dicom"; boundary=/,
      );
      const body = Buffer.from(await response.arrayBuffer());
      assert.ok(body.includes(j2k.bytes), 'the part is the stored file');
      assert.ok(
        body.includes(`Content-Type: application/dicom; transfer-syntax=${j2k.header.transferSyntaxUid}`),
      );
    }
    assert.equal((await get(path, accept('1.2.840.10008.1.2.1'))).status, 406);
    assert.equal((await get(path, { accept: 'application/dicom+json' })).status, 406);
    assert.equal((await get(`${path}?foo=1`)).status, 400);
  });

  test('metadata equals dcm2json of the same file, apart from BulkDataURI and InlineBinary', async () => {
    for (const name of DCM2JSON_FILES) {
      const s = source(name);
      const [ours] = await peer.retrieveInstanceMetadata(uidsOf(s));
      const dcmtk = JSON.parse((await runTool('dcm2json', [join(PYDICOM_FILES, name)])).stdout) as DicomJson;
      assert.deepEqual(normalize(ours!), normalize(dcmtk), name);
    }
    const ct = source('CT_small.dcm');
    const study = await peer.retrieveStudyMetadata({ studyInstanceUID: ct.study });
    const series = await peer.retrieveSeriesMetadata(uidsOf(ct));
    const [instance] = await peer.retrieveInstanceMetadata(uidsOf(ct));
    assert.deepEqual(
      study.find((m) => value(m, '00080018') === ct.sop),
      instance,
    );
    assert.deepEqual(
      series.find((m) => value(m, '00080018') === ct.sop),
      instance,
    );
    // The second request is served from the cache: the same answer.
    assert.deepEqual((await peer.retrieveInstanceMetadata(uidsOf(ct)))[0], instance);
  });

  test('BulkDataURIs return the values: as dcm2json has them, or the fragments when encapsulated', async () => {
    for (const name of DCM2JSON_FILES) {
      const s = source(name);
      const [ours] = await peer.retrieveInstanceMetadata(uidsOf(s));
      const dcmtk = JSON.parse((await runTool('dcm2json', [join(PYDICOM_FILES, name)])).stdout) as DicomJson;
      for (const [tag, element] of Object.entries(ours!)) {
        if (!element.BulkDataURI) continue;
        assert.ok(
          element.BulkDataURI.startsWith(
            `${base}/studies/${s.study}/series/${s.series}/instances/${s.sop}/bulkdata/`,
          ),
        );
        const [part] = await peer.retrieveBulkData({ BulkDataURI: element.BulkDataURI });
        const expected = Buffer.from(dcmtk[tag]!.InlineBinary!, 'base64');
        assert.ok(Buffer.from(part!).equals(expected), `${name} ${tag}`);
      }
    }
    for (const name of ['JPEG2000.dcm', 'SC_rgb_rle.dcm']) {
      const s = source(name);
      const [ours] = await peer.retrieveInstanceMetadata(uidsOf(s));
      const [part] = await peer.retrieveBulkData({ BulkDataURI: ours!['7FE00010']!.BulkDataURI! });
      const fragments = Buffer.concat(readDataset(s.bytes).elements['7FE00010']!.fragments!);
      assert.ok(Buffer.from(part!).equals(fragments), name);
    }
    const ct = source('CT_small.dcm');
    const single = await get(
      `/studies/${ct.study}/series/${ct.series}/instances/${ct.sop}/bulkdata/7FE00010`,
      {
        accept: 'application/octet-stream',
      },
    );
    assert.equal(single.status, 200);
    assert.equal(Buffer.from(await single.arrayBuffer()).length, 128 * 128 * 2);
  });

  test('unknown UIDs are 404; a series under another study is not found', async () => {
    const ct = source('CT_small.dcm');
    const other = source('MR_small_bigendian.dcm');
    const paths = [
      '/studies/1.2.3.4',
      '/studies/1.2.3.4/metadata',
      `/studies/${ct.study}/series/1.2.3.4`,
      `/studies/${other.study}/series/${ct.series}/metadata`,
      `/studies/${ct.study}/series/${ct.series}/instances/1.2.3.4`,
      `/studies/${ct.study}/series/${ct.series}/instances/1.2.3.4/metadata`,
      `/studies/${ct.study}/series/${ct.series}/instances/1.2.3.4/bulkdata/7FE00010`,
      `/studies/${ct.study}/series/${ct.series}/instances/${ct.sop}/bulkdata/00100010`,
    ];
    for (const path of paths) {
      const response = await get(path);
      assert.equal(response.status, 404, path);
      assert.equal(response.headers.get('content-type'), 'application/problem+json; charset=utf-8');
    }
  });
});
