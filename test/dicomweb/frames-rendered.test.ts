// Frames, rendered and thumbnail resources of the DICOMweb door against `lantern serve`, seeded with pydicom's
// test files (`lantern import`) and synthetic CT. Decoded frames are compared with pydicom's decoding (Debian's
// python3 with numpy and Pillow), or with the uncompressed sibling file where pydicom has no handler.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { scanHeader } from '../../src/lib/dicom/index.js';
import { runLantern } from '../support/lantern-cli.js';
import { startServe, type RunningLantern } from '../support/lantern-server.js';
import { syntheticCtInstance } from '../support/synthetic-ct.js';

const PYDICOM_FILES = '/usr/lib/python3/dist-packages/pydicom/data/test_files';
/** Debian's python3 has pydicom, numpy and Pillow; a pyenv python3 earlier on PATH may not. */
const PYTHON = '/usr/bin/python3';
const FILES = [
  'MR_small.dcm', // native, signed 16-bit
  'MR_small_bigendian.dcm',
  'MR_small_RLE.dcm',
  'MR_small_jp2klossless.dcm',
  'MR_small_jpeg_ls_lossless.dcm',
  'JPEG2000.dcm', // JPEG 2000 lossy
  'SC_rgb_jpeg_dcmtk.dcm', // JPEG baseline, YBR_FULL
  'SC_rgb_small_odd_jpeg.dcm', // 3 × 3 pixels
  'SC_rgb_small_odd.dcm',
  'SC_rgb_rle_2frame.dcm',
  'rtdose_rle.dcm', // 15 frames, RLE
  'image_dfl.dcm', // deflated
];

// One SHA-256 per frame of pydicom's decoding: little endian, colour-by-pixel. JPEG colour is decoded by Pillow
// to RGB, as libjpeg does; pydicom would keep YCbCr.
const REFERENCE = `
import sys, json, hashlib, io
import numpy as np, pydicom
from pydicom.encaps import generate_pixel_data_frame
def frames(path):
    ds = pydicom.dcmread(path)
    n = int(getattr(ds, 'NumberOfFrames', 1) or 1)
    if ds.file_meta.TransferSyntaxUID == '1.2.840.10008.1.2.4.50' and ds.SamplesPerPixel == 3:
        from PIL import Image
        return [np.asarray(Image.open(io.BytesIO(f)).convert('RGB')) for f in generate_pixel_data_frame(ds.PixelData, n)]
    return ds.pixel_array[None] if n == 1 else ds.pixel_array
digest = lambda f: hashlib.sha256(np.ascontiguousarray(f.astype(f.dtype.newbyteorder('<'))).tobytes()).hexdigest()
print(json.dumps({path: [digest(f) for f in frames(path)] for path in sys.argv[1:]}))
`;
/** pydicom's frame hashes of each file, from one python3 run (its start-up is most of the cost). */
const references = (paths: string[]): Record<string, string[]> =>
  JSON.parse(execFileSync(PYTHON, ['-c', REFERENCE, ...paths], { encoding: 'utf8' })) as Record<
    string,
    string[]
  >;
let expectedFrames: Record<string, string[]>;
const reference = (path: string): string[] => expectedFrames[path]!;
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

interface Uids {
  study: string;
  series: string;
  instance: string;
}
let dataDir: string;
let server: RunningLantern;
const uids = new Map<string, Uids>();
let ct: Uids;
const ctSeries: Uids[] = [];

async function uidsOf(path: string): Promise<Uids> {
  const header = scanHeader(await readFile(path));
  return {
    study: header.string('0020000D')!,
    series: header.string('0020000E')!,
    instance: header.sopInstanceUid!,
  };
}

const instanceUrl = (u: Uids) =>
  `${server.httpUrl}/dicom-web/studies/${u.study}/series/${u.series}/instances/${u.instance}`;

/** The parts of a multipart/related body (RFC 2387) with their headers. */
function parts(body: Buffer, contentType: string): { headers: string; body: Buffer }[] {
  const boundary = /boundary="?([^";]+)"?/.exec(contentType)?.[1];
  assert.ok(boundary, `a boundary in ${contentType}`);
  const delimiter = Buffer.from(`--${boundary}`);
  const out: { headers: string; body: Buffer }[] = [];
  let at = body.indexOf(delimiter);
  for (;;) {
    const start = at + delimiter.length;
    if (body.subarray(start, start + 2).toString() === '--') break;
    const next = body.indexOf(delimiter, start);
    assert.ok(next > 0, 'a closing boundary');
    const part = body.subarray(start + 2, next - 2); // CRLF after the boundary, CRLF before the next
    const split = part.indexOf('\r\n\r\n');
    out.push({ headers: part.subarray(0, split).toString(), body: part.subarray(split + 4) });
    at = next;
  }
  return out;
}

async function getFrames(u: Uids, list: string, accept?: string) {
  const response = await fetch(`${instanceUrl(u)}/frames/${list}`, {
    headers: { ...server.auth, ...(accept ? { accept } : {}) },
  });
  const body = Buffer.from(await response.arrayBuffer());
  return { response, body };
}

before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'lantern-frames-'));
  const seed = join(dataDir, 'seed');
  await import('node:fs/promises').then((fs) => fs.mkdir(seed));
  for (const name of FILES) {
    await copyFile(join(PYDICOM_FILES, name), join(seed, name));
    uids.set(name, await uidsOf(join(PYDICOM_FILES, name)));
  }
  const study = '2.25.4242';
  const series = '2.25.4243';
  for (let i = 1; i <= 3; i++) {
    const file = join(seed, `ct-${i}.dcm`);
    await writeFile(
      file,
      syntheticCtInstance({
        seed: 40 + i,
        studyInstanceUid: study,
        seriesInstanceUid: series,
        instanceNumber: i,
      }),
    );
    ctSeries.push(await uidsOf(file));
  }
  ct = ctSeries[0]!;
  expectedFrames = references(
    FILES.filter((name) => !name.includes('jpeg_ls')).map((n) => join(PYDICOM_FILES, n)),
  );
  const imported = await runLantern(['import', '--no-progress', seed], {
    LANTERN_DATA_DIR: join(dataDir, 'lantern'),
  });
  assert.equal(imported.code, 0, imported.stderr + imported.stdout);
  server = await startServe({ LANTERN_DATA_DIR: join(dataDir, 'lantern') });
});

after(async () => {
  await server?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

describe('frames', () => {
  test('every frame decodes to the values pydicom decodes (uncompressed by default)', async () => {
    for (const name of FILES) {
      const expected =
        name === 'MR_small_jpeg_ls_lossless.dcm' // pydicom has no JPEG-LS handler here: the uncompressed sibling
          ? reference(join(PYDICOM_FILES, 'MR_small.dcm'))
          : reference(join(PYDICOM_FILES, name));
      const list = expected.map((_, i) => i + 1).join(',');
      const { response, body } = await getFrames(uids.get(name)!, list);
      assert.equal(response.status, 200, `${name}: ${body.toString()}`);
      const contentType = response.headers.get('content-type')!;
      assert.match(contentType, /^multipart\/related; type="application\/octet-stream"/);
      const got = parts(body, contentType);
      assert.equal(got.length, expected.length, name);
      for (const [i, part] of got.entries()) {
        assert.match(
          part.headers,
          /Content-Type: application\/octet-stream; transfer-syntax=1\.2\.840\.10008\.1\.2\.1/,
        );
        // Native 8-bit data may carry a pad byte only after the last frame; frames themselves are exact.
        assert.equal(sha256(part.body), expected[i], `${name} frame ${i + 1}`);
      }
    }
  });

  test('multi-frame selection returns the listed frames in the order listed', async () => {
    const expected = reference(join(PYDICOM_FILES, 'rtdose_rle.dcm'));
    const { response, body } = await getFrames(uids.get('rtdose_rle.dcm')!, '15,2,7');
    const got = parts(body, response.headers.get('content-type')!);
    assert.deepEqual(
      got.map((p) => sha256(p.body)),
      [expected[14], expected[1], expected[6]],
    );
  });

  test('transfer-syntax=* returns the stored codestream; a named syntax is transcoded', async () => {
    const stored = await getFrames(
      uids.get('MR_small_jpeg_ls_lossless.dcm')!,
      '1',
      'multipart/related; type="image/jls"; transfer-syntax=*',
    );
    assert.equal(stored.response.status, 200);
    const [jls] = parts(stored.body, stored.response.headers.get('content-type')!);
    assert.match(jls!.headers, /image\/jls; transfer-syntax=1\.2\.840\.10008\.1\.2\.4\.80/);
    assert.deepEqual([...jls!.body.subarray(0, 4)], [0xff, 0xd8, 0xff, 0xf7]); // SOI, SOF55 (JPEG-LS)

    const native = await getFrames(ct, '1');
    for (const [type, ts, magic] of [
      ['image/jls', '1.2.840.10008.1.2.4.80', [0xff, 0xd8]],
      ['image/jp2', '1.2.840.10008.1.2.4.90', [0xff, 0x4f, 0xff, 0x51]],
      ['image/jphc', '1.2.840.10008.1.2.4.201', [0xff, 0x4f, 0xff, 0x51]],
      ['image/dicom-rle', '1.2.840.10008.1.2.5', [2, 0, 0, 0]], // RLE header: two segments for 16-bit samples
    ] as const) {
      const { response, body } = await getFrames(
        ct,
        '1',
        `multipart/related; type="${type}"; transfer-syntax=${ts}`,
      );
      assert.equal(response.status, 200, `${type}: ${body.toString()}`);
      const [part] = parts(body, response.headers.get('content-type')!);
      assert.match(part!.headers, new RegExp(`${type}; transfer-syntax=${ts.replaceAll('.', '\\.')}`));
      assert.deepEqual([...part!.body.subarray(0, magic.length)], magic, type);
      assert.ok(part!.body.length < native.body.length / 1.5, `${type} compresses the CT frame`);
    }
  });

  test('406 when no acceptable syntax can be produced; 404 and 400 for bad frames and UIDs', async () => {
    for (const accept of [
      'multipart/related; type="video/mpeg"',
      'multipart/related; type="image/jxl"', // no JPEG XL encoder
      'multipart/related; type="image/jpeg"; transfer-syntax=1.2.840.10008.1.2.4.50', // 12-bit CT is not baseline
    ]) {
      const { response } = await getFrames(ct, '1', accept);
      assert.equal(response.status, 406, accept);
      assert.match(response.headers.get('content-type')!, /^application\/problem\+json/);
    }
    assert.equal((await getFrames(uids.get('rtdose_rle.dcm')!, '16')).response.status, 404);
    assert.equal((await getFrames(ct, '1,x')).response.status, 400);
    assert.equal((await getFrames(ct, '0')).response.status, 400);
    assert.equal((await getFrames({ ...ct, instance: '2.25.1' }, '1')).response.status, 404);
    assert.equal((await getFrames({ ...ct, series: '2.25.1' }, '1')).response.status, 404);
  });
});

describe('rendered and thumbnails', () => {
  const get = (url: string, accept?: string) =>
    fetch(url, { headers: { ...server.auth, ...(accept ? { accept } : {}) } });
  const image = async (response: Response) => {
    assert.equal(response.status, 200, response.status === 200 ? '' : await response.clone().text());
    const body = Buffer.from(await response.arrayBuffer());
    return { body, meta: await sharp(body).metadata() };
  };

  // How fast it renders is bench/dicomweb's to measure (rendered 512 × 512 JPEG), not a test's.
  test('a CT instance renders as a 512 × 512 JPEG, and the window changes it', async () => {
    const url = `${instanceUrl(ct)}/rendered`;
    const first = await image(await get(url));
    assert.equal(first.meta.format, 'jpeg');
    assert.deepEqual([first.meta.width, first.meta.height], [512, 512]);
    const lung = await image(await get(`${url}?window=-600,1500`));
    const bone = await image(await get(`${url}?window=300,1500,sigmoid`));
    assert.notEqual(sha256(lung.body), sha256(first.body));
    assert.notEqual(sha256(lung.body), sha256(bone.body));
    const { data: lungPixels } = await sharp(lung.body).raw().toBuffer({ resolveWithObject: true });
    const { data: narrow } = await sharp((await image(await get(`${url}?window=40,1`))).body)
      .raw()
      .toBuffer({ resolveWithObject: true });
    const mean = (b: Buffer) => b.reduce((n, v) => n + v, 0) / b.length;
    assert.ok(Math.abs(mean(lungPixels) - mean(narrow)) > 5, 'different windows give different brightness');
  });

  test('PNG, viewport and quality', async () => {
    const url = `${instanceUrl(ct)}/rendered`;
    const png = await image(await get(url, 'image/png'));
    assert.equal(png.meta.format, 'png');
    const small = await image(await get(`${url}?viewport=200,100`));
    assert.deepEqual([small.meta.width, small.meta.height], [100, 100]);
    const cropped = await image(await get(`${url}?viewport=64,64,100,100,200,-200`));
    assert.deepEqual([cropped.meta.width, cropped.meta.height], [64, 64]);
    const low = await image(await get(`${url}?quality=5`));
    const high = await image(await get(`${url}?quality=95`));
    assert.ok(low.body.length < high.body.length / 2);
    assert.equal((await get(url, 'image/gif')).status, 406);
    for (const query of ['window=abc', 'window=40,0', 'viewport=0,10', 'quality=101', 'window=1,2,cubic']) {
      const response = await get(`${url}?${query}`);
      assert.equal(response.status, 400, query);
    }
  });

  test('frames, colour, series and study render; thumbnails are small', async () => {
    const frame = await image(await get(`${instanceUrl(uids.get('rtdose_rle.dcm')!)}/frames/9/rendered`));
    assert.deepEqual([frame.meta.width, frame.meta.height], [10, 10]);
    const colour = await image(
      await get(`${instanceUrl(uids.get('SC_rgb_jpeg_dcmtk.dcm')!)}/rendered`, 'image/png'),
    );
    assert.equal(colour.meta.channels, 3);
    // SC_rgb images are bands of pure colours: the top left is red.
    const { data } = await sharp(colour.body).raw().toBuffer({ resolveWithObject: true });
    assert.ok(data[0]! > 200 && data[1]! < 40 && data[2]! < 40, `red, got ${[...data.subarray(0, 3)]}`);
    const series = `${server.httpUrl}/dicom-web/studies/${ct.study}/series/${ct.series}`;
    for (const url of [`${series}/rendered`, `${server.httpUrl}/dicom-web/studies/${ct.study}/rendered`]) {
      const rendered = await image(await get(url));
      assert.deepEqual([rendered.meta.width, rendered.meta.height], [512, 512]);
    }
    for (const url of [
      `${series}/thumbnail`,
      `${instanceUrl(ct)}/thumbnail`,
      `${instanceUrl(uids.get('rtdose_rle.dcm')!)}/frames/3/thumbnail`,
    ]) {
      const thumb = await image(await get(url));
      assert.equal(thumb.meta.format, 'jpeg');
      assert.ok(Math.max(thumb.meta.width!, thumb.meta.height!) <= 128, url);
      assert.ok(thumb.body.length < 12_000, `${url}: ${thumb.body.length} bytes`);
    }
    assert.equal((await get(`${instanceUrl(ct)}/frames/2/rendered`)).status, 404);
    assert.equal((await get(`${instanceUrl(ct)}/frames/1,2/rendered`)).status, 400);
  });
});
