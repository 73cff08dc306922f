// WADO-URI (PS3.18 9) against `lantern serve`: the stored file for application/dicom, a rendered JPEG by default,
// PNG, size and window parameters, and a 400 naming the parameter for each invalid request.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import sharp from 'sharp';
import { runLantern } from '../support/lantern-cli.js';
import { startServe, type RunningLantern } from '../support/lantern-server.js';
import { syntheticCtInstance } from '../support/synthetic-ct.js';

const MR_SMALL = '/usr/lib/python3/dist-packages/pydicom/data/test_files/MR_small_jpeg_ls_lossless.dcm';
const MR_UIDS = {
  studyUID: '1.3.6.1.4.1.5962.1.2.4.20040826185059.5457',
  seriesUID: '1.3.6.1.4.1.5962.1.3.4.1.20040826185059.5457',
  objectUID: '1.3.6.1.4.1.5962.1.1.4.1.1.20040826185059.5457',
};
const CT = { studyUID: '2.25.5151', seriesUID: '2.25.5152', objectUID: '2.25.5153' };
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

let dataDir: string;
let server: RunningLantern;
let ctFile: Uint8Array;

before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'lantern-wado-uri-'));
  const seed = join(dataDir, 'seed');
  await mkdir(seed);
  ctFile = syntheticCtInstance({
    seed: 9,
    studyInstanceUid: CT.studyUID,
    seriesInstanceUid: CT.seriesUID,
    sopInstanceUid: CT.objectUID,
  });
  await writeFile(join(seed, 'ct.dcm'), ctFile);
  await writeFile(join(seed, 'mr.dcm'), await readFile(MR_SMALL));
  const env = { LANTERN_DATA_DIR: join(dataDir, 'lantern') };
  const imported = await runLantern(['import', '--no-progress', seed], env);
  assert.equal(imported.code, 0, imported.stderr + imported.stdout);
  server = await startServe(env);
});

after(async () => {
  await server?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

const wado = (params: Record<string, string>) =>
  fetch(`${server.httpUrl}/wado?${new URLSearchParams(params).toString()}`, { headers: server.auth });
const ctRequest = (extra: Record<string, string> = {}) => wado({ requestType: 'WADO', ...CT, ...extra });

async function image(response: Response) {
  assert.equal(response.status, 200, response.status === 200 ? '' : await response.clone().text());
  const body = Buffer.from(await response.arrayBuffer());
  return { body, meta: await sharp(body).metadata() };
}

test('application/dicom returns the stored file byte for byte', async () => {
  for (const [uids, bytes] of [
    [CT, ctFile],
    [MR_UIDS, await readFile(MR_SMALL)],
  ] as const) {
    const response = await wado({ requestType: 'WADO', ...uids, contentType: 'application/dicom' });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'application/dicom');
    assert.equal(sha256(Buffer.from(await response.arrayBuffer())), sha256(bytes));
  }
  const same = await ctRequest({ contentType: 'application/dicom', transferSyntax: '1.2.840.10008.1.2.1' });
  assert.equal(same.status, 200);
  await same.arrayBuffer();
  const other = await ctRequest({
    contentType: 'application/dicom',
    transferSyntax: '1.2.840.10008.1.2.4.80',
  });
  assert.equal(other.status, 406);
});

test('a JPEG by default; PNG, rows/columns, window and quality change the rendering', async () => {
  const jpeg = await image(await ctRequest());
  assert.equal(jpeg.meta.format, 'jpeg');
  assert.deepEqual([jpeg.meta.width, jpeg.meta.height], [512, 512]);
  const png = await image(await ctRequest({ contentType: 'image/png' }));
  assert.equal(png.meta.format, 'png');
  const small = await image(await ctRequest({ rows: '100', columns: '200' }));
  assert.deepEqual([small.meta.width, small.meta.height], [100, 100]);
  const region = await image(await ctRequest({ region: '0,0,0.5,0.25' }));
  assert.deepEqual([region.meta.width, region.meta.height], [256, 128]);
  const windowed = await image(await ctRequest({ windowCenter: '-600', windowWidth: '1500' }));
  assert.notEqual(sha256(windowed.body), sha256(jpeg.body));
  const low = await image(await ctRequest({ imageQuality: '5' }));
  assert.ok(low.body.length < jpeg.body.length / 2);
  const listed = await ctRequest({ contentType: 'image/gif,image/png' });
  assert.equal(listed.headers.get('content-type'), 'image/png');
  await listed.arrayBuffer();
  const mr = await image(await wado({ requestType: 'WADO', ...MR_UIDS, frameNumber: '1' }));
  assert.deepEqual([mr.meta.width, mr.meta.height], [64, 64]);
});

test('invalid or missing parameters are a 400 that names the parameter; unknown UIDs a 404', async () => {
  const cases: [Record<string, string>, string][] = [
    [{ ...CT }, 'requestType'],
    [{ requestType: 'WADO2', ...CT }, 'requestType'],
    [{ requestType: 'WADO', seriesUID: CT.seriesUID, objectUID: CT.objectUID }, 'studyUID'],
    [{ requestType: 'WADO', ...CT, seriesUID: '1.2.abc' }, 'seriesUID'],
    [{ requestType: 'WADO', ...CT, windowCenter: '40' }, 'windowWidth'],
    [{ requestType: 'WADO', ...CT, windowWidth: '400' }, 'windowCenter'],
    [{ requestType: 'WADO', ...CT, windowCenter: 'x', windowWidth: '400' }, 'windowCenter'],
    [{ requestType: 'WADO', ...CT, imageQuality: '0' }, 'imageQuality'],
    [{ requestType: 'WADO', ...CT, frameNumber: '0' }, 'frameNumber'],
    [{ requestType: 'WADO', ...CT, rows: '-5' }, 'rows'],
    [{ requestType: 'WADO', ...CT, region: '0.5,0,0.2,1' }, 'region'],
    [{ requestType: 'WADO', ...CT, anonymize: 'yes' }, 'anonymize'],
  ];
  for (const [params, parameter] of cases) {
    const response = await wado(params);
    assert.equal(response.status, 400, JSON.stringify(params));
    const problem = (await response.json()) as { detail: string };
    assert.ok(problem.detail.includes(parameter), `${parameter} named in "${problem.detail}"`);
  }
  assert.equal((await ctRequest({ objectUID: '2.25.999' })).status, 404);
  assert.equal((await ctRequest({ studyUID: '2.25.999', contentType: 'application/dicom' })).status, 404);
  assert.equal((await ctRequest({ frameNumber: '2' })).status, 404);
  assert.equal((await ctRequest({ contentType: 'text/html' })).status, 406);
});
