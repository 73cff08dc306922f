// STOW-RS (PS3.18 10.5) against `lantern serve`: dicomweb-client stores pydicom's test files, which come
// back byte for byte; raw requests check the answers to broken, oversize and mistyped bodies, and that
// nothing half-received is stored or indexed.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buffer } from 'node:stream/consumers';
import { after, before, describe, test } from 'node:test';
import { api } from 'dicomweb-client';
import { openLantern } from '../../src/app.js';
import { scanHeader } from '../../src/lib/dicom/index.js';
import { loadConfig } from '../../src/platform/config/index.js';
import { createContext } from '../../src/platform/context.js';
import { silentLogger } from '../../src/platform/log/index.js';
import { runLantern } from '../support/lantern-cli.js';
import { startServe, type RunningLantern } from '../support/lantern-server.js';
import { syntheticCtInstance } from '../support/synthetic-ct.js';
import { stagedLeftovers } from '../support/staged-leftovers.js';

const PYDICOM_FILES = '/usr/lib/python3/dist-packages/pydicom/data/test_files';
const MAX_INSTANCE = 512 * 1024;
const MAX_REQUEST = 4 * 1024 * 1024;
const MAX_PARTS = 300;

// dicomweb-client is written for browsers: it needs an XMLHttpRequest.
(globalThis as { XMLHttpRequest?: unknown }).XMLHttpRequest = createRequire(import.meta.url)('xhr2');

type JsonDataset = Record<string, { vr: string; Value?: unknown[] }>;
interface Reference {
  sopClassUid?: string;
  sopInstanceUid?: string;
  retrieveUrl?: string;
  warning?: number;
  failure?: number;
}

let dataDir: string;
let server: RunningLantern;
let stowUrl: string;

const items = (dataset: JsonDataset, tag: string) => (dataset[tag]?.Value ?? []) as JsonDataset[];
const first = <T>(dataset: JsonDataset, tag: string) => dataset[tag]?.Value?.[0] as T | undefined;
const reference = (item: JsonDataset): Reference => ({
  sopClassUid: first(item, '00081150'),
  sopInstanceUid: first(item, '00081155'),
  retrieveUrl: first(item, '00081190'),
  warning: first(item, '00081196'),
  failure: first(item, '00081197'),
});
const stored = (body: JsonDataset) => items(body, '00081199').map(reference);
const failed = (body: JsonDataset) => items(body, '00081198').map(reference);

function multipart(parts: { bytes: Uint8Array; type?: string }[], boundary = 'lantern-test-boundary') {
  const pieces: Buffer[] = [];
  for (const part of parts) {
    const type = part.type === undefined ? 'Content-Type: application/dicom\r\n' : part.type;
    pieces.push(Buffer.from(`--${boundary}\r\n${type}\r\n`), Buffer.from(part.bytes), Buffer.from('\r\n'));
  }
  pieces.push(Buffer.from(`--${boundary}--\r\n`));
  return {
    body: Buffer.concat(pieces),
    contentType: `multipart/related; type="application/dicom"; boundary=${boundary}`,
  };
}

async function post(
  body: NonNullable<RequestInit['body']>,
  contentType: string | undefined,
  options: { study?: string; headers?: Record<string, string> } = {},
) {
  const response = await fetch(`${stowUrl}/studies${options.study ? `/${options.study}` : ''}`, {
    method: 'POST',
    body,
    headers: { ...server.auth, ...(contentType ? { 'content-type': contentType } : {}), ...options.headers },
    duplex: 'half',
  } as RequestInit);
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    text,
    json: () => JSON.parse(text) as JsonDataset,
  };
}

const ct = (seed: number, patientId = 'STOW', rows = 16) =>
  syntheticCtInstance({ seed, patientId, rows, columns: rows });
const sopOf = (bytes: Uint8Array) => scanHeader(bytes).sopInstanceUid!;
const studyOf = (bytes: Uint8Array) => scanHeader(bytes).string('0020000D')!;

/** The bytes Lantern holds for an instance, read as `lantern export` reads them; undefined if not indexed. */
async function storedBytes(sopInstanceUids: string[]): Promise<Map<string, Buffer>> {
  const lantern = await openLantern(loadConfig({ env: { LANTERN_DATA_DIR: dataDir } }), silentLogger());
  const found = new Map<string, Buffer>();
  try {
    const ctx = createContext(lantern.log, { kind: 'system', name: 'test' }, { door: 'cli' });
    for (const sopInstanceUid of sopInstanceUids) {
      const [instance] = await lantern.archive.retrieve(ctx, { sopInstanceUid }).catch(() => []);
      if (instance) found.set(sopInstanceUid, await buffer(instance.open()));
    }
  } finally {
    await lantern.close();
  }
  return found;
}

async function studyCount(studyInstanceUid: string): Promise<number> {
  const response = await fetch(`${server.httpUrl}/api/studies?StudyInstanceUID=${studyInstanceUid}`, {
    headers: server.auth,
  });
  return ((await response.json()) as { total: number }).total;
}

before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'lantern-stow-'));
  server = await startServe({
    LANTERN_DATA_DIR: dataDir,
    LANTERN_DICOMWEB_STOW_MAX_INSTANCE_BYTES: String(MAX_INSTANCE),
    LANTERN_DICOMWEB_STOW_MAX_REQUEST_BYTES: String(MAX_REQUEST),
    LANTERN_DICOMWEB_STOW_MAX_PARTS: String(MAX_PARTS),
  });
  stowUrl = `${server.httpUrl}/dicom-web`;
});

after(async () => {
  await server?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

describe('STOW-RS against lantern serve', () => {
  test('dicomweb-client stores pydicom test files; each comes back byte for byte', async (t) => {
    const entries = await readdir(PYDICOM_FILES, { withFileTypes: true, recursive: true });
    const files = entries
      .filter((e) => e.isFile())
      .map((e) => join(e.parentPath ?? e.path, e.name))
      .sort();
    const contents = files.map((file) => readFileSync(file));
    const client = new api.DICOMwebClient({ url: stowUrl, headers: server.auth, singlepart: false });
    const answer = (await client
      .storeInstances({
        datasets: contents.map((b) => b.buffer.slice(b.byteOffset, b.byteOffset + b.length)),
      })
      .catch((error: { status: number; response: string }) => {
        throw new Error(`STOW failed with ${error.status}: ${error.response}`);
      })) as string;
    const body = JSON.parse(answer) as JsonDataset;
    const ok = stored(body);
    const bad = failed(body);
    t.diagnostic(`${files.length} files: ${ok.length} stored, ${bad.length} failed`);
    assert.equal(ok.length + bad.length, files.length, 'every part is answered');
    assert.ok(ok.length > 100, `stored ${ok.length}`);
    assert.equal(first(body, '00081190'), undefined, 'several studies: no single study Retrieve URL');

    // Which sources carry which SOP Instance UID (several files are the same instance, compressed otherwise).
    const bySop = new Map<string, Buffer[]>();
    const readable = new Map<string, { sop: string; metaSop?: string }>();
    files.forEach((file, i) => {
      try {
        const header = scanHeader(contents[i]!);
        const sop = header.sopInstanceUid;
        if (!sop) return;
        bySop.set(sop, [...(bySop.get(sop) ?? []), contents[i]!]);
        readable.set(file, { sop, metaSop: header.string('00020003') });
      } catch {
        // not DICOM to our reader: expected among the failures
      }
    });
    for (const item of ok) {
      assert.ok(item.sopInstanceUid && item.sopClassUid, 'a stored instance is named');
      assert.match(
        item.retrieveUrl ?? '',
        /\/dicom-web\/studies\/[\d.]+\/series\/[\d.]+\/instances\/[\d.]+$/,
      );
      assert.ok(item.warning === undefined || item.warning === 0xb00e, `warning ${item.warning}`);
    }
    // A repeated SOP Instance UID is kept once and reported with the duplicate warning.
    const duplicates = ok.filter((item) => item.warning === 0xb00e).length;
    const distinct = new Set(ok.map((item) => item.sopInstanceUid)).size;
    assert.equal(ok.length - duplicates, distinct);

    // Failures have reasons that fit the file: unreadable (C000) or a file meta naming another instance (A900).
    for (const item of bad) {
      assert.ok(item.failure === 0xc000 || item.failure === 0xa900, `failure reason ${item.failure}`);
      if (item.failure === 0xa900) {
        const source = [...readable.values()].find((r) => r.sop === item.sopInstanceUid);
        assert.ok(source && source.metaSop !== source.sop, `A900 for ${item.sopInstanceUid}`);
      }
    }
    // Every file our reader could read with consistent UIDs and a file meta was stored, or is named failing.
    const failedSops = new Set(bad.map((item) => item.sopInstanceUid));
    for (const [file, { sop }] of readable) {
      assert.ok(ok.some((item) => item.sopInstanceUid === sop) || failedSops.has(sop), `${file} answered`);
    }

    // Each stored instance is indexed under its study, and its bytes are one of the sources' exactly.
    const kept = await storedBytes([...new Set(ok.map((item) => item.sopInstanceUid!))]);
    assert.equal(kept.size, distinct);
    for (const [sop, bytes] of kept) {
      assert.ok(
        (bySop.get(sop) ?? contents).some((source) => source.equals(bytes)),
        `${sop}: stored bytes are a source file's bytes`,
      );
    }
    const study = (item: Reference) => /studies\/([\d.]+)\//.exec(item.retrieveUrl!)![1]!;
    for (const uid of new Set(ok.map(study))) assert.equal(await studyCount(uid), 1, `study ${uid} indexed`);
  });

  test('deliberately broken pydicom files fail alone (409) with the reason that fits', async () => {
    const cases: [string, number, RegExp][] = [
      ['README.txt', 0xc000, /not a DICOM file/],
      ['MR_truncated.dcm', 0xc000, /pixel data truncated/],
      ['dicomdirtests/DICOMDIR', 0xc000, /DICOMDIR/],
      ['rtplan.dcm', 0xa900, /the file meta names instance/],
    ];
    for (const [name, reason, text] of cases) {
      const { body, contentType } = multipart([{ bytes: readFileSync(join(PYDICOM_FILES, name)) }]);
      const answer = await post(body, contentType);
      assert.equal(answer.status, 409, `${name}: ${answer.text}`);
      assert.equal(failed(answer.json())[0]?.failure, reason, name);
      assert.match(answer.headers.get('warning') ?? '', text, name);
    }
  });

  test('a study in the path: its instances are stored (200), another study fails with A900 (409)', async () => {
    const a = ct(101);
    const b = ct(102, 'OTHER');
    const match = multipart([{ bytes: a }]);
    const good = await post(match.body, match.contentType, { study: studyOf(a) });
    assert.equal(good.status, 200, good.text);
    assert.equal(first(good.json(), '00081190'), `${stowUrl}/studies/${studyOf(a)}`);
    assert.equal(stored(good.json())[0]?.sopInstanceUid, sopOf(a));

    const wrong = multipart([{ bytes: b }]);
    const refused = await post(wrong.body, wrong.contentType, { study: studyOf(a) });
    assert.equal(refused.status, 409, refused.text);
    assert.deepEqual(failed(refused.json())[0], {
      sopClassUid: '1.2.840.10008.5.1.4.1.1.2',
      sopInstanceUid: sopOf(b),
      retrieveUrl: undefined,
      warning: undefined,
      failure: 0xa900,
    });
    assert.match(refused.headers.get('warning') ?? '', /A900 the instance belongs to study/);
    assert.equal(await studyCount(studyOf(b)), 0);
  });

  test('a duplicate is kept once and answered 202 with a warning; parts without a type are DICOM', async () => {
    const a = ct(103);
    const body = multipart([{ bytes: a, type: 'Content-ID: <first>\r\n' }, { bytes: a }]);
    const answer = await post(body.body, body.contentType.replace('type="application/dicom"; ', ''));
    assert.equal(answer.status, 202, answer.text);
    assert.deepEqual(
      stored(answer.json()).map((item) => item.warning),
      [undefined, 0xb00e],
    );
  });

  test('non-DICOM parts fail alone with a reason; the other parts are stored (202)', async () => {
    const a = ct(104);
    const body = multipart([
      { bytes: Buffer.from('this is not DICOM') },
      { bytes: a },
      { bytes: Buffer.from('{"00100010":{}}'), type: 'Content-Type: application/dicom+json\r\n' },
    ]);
    const answer = await post(body.body, body.contentType);
    assert.equal(answer.status, 202, answer.text);
    assert.deepEqual(
      failed(answer.json()).map((item) => item.failure),
      [0xc000, 0x0122],
    );
    assert.equal(stored(answer.json())[0]?.sopInstanceUid, sopOf(a));
    const warning = answer.headers.get('warning') ?? '';
    assert.match(warning, /part 1: C000/);
    assert.match(warning, /part 3: 0122 part media type application\/dicom\+json is not supported/);
  });

  test('wrong content types get 415, DICOM XML 406, broken bodies 400, each with a reason', async () => {
    const a = ct(105);
    const { body, contentType } = multipart([{ bytes: a }], 'b0undary');
    const cases: [
      string,
      number,
      RegExp,
      NonNullable<RequestInit['body']>,
      string | undefined,
      Record<string, string>?,
    ][] = [
      ['no content type', 415, /needs Content-Type: multipart\/related/, body, undefined],
      ['json', 415, /application\/json is not supported/, '{}', 'application/json'],
      [
        'metadata and bulk data',
        415,
        /application\/dicom\+json is not supported/,
        body,
        contentType.replace('application/dicom', 'application/dicom+json'),
      ],
      ['no boundary', 400, /no boundary parameter/, body, 'multipart/related; type="application/dicom"'],
      ['bad boundary', 400, /boundary is not valid/, body, 'multipart/related; boundary="a b "'],
      [
        'xml',
        406,
        /only be application\/dicom\+json/,
        body,
        contentType,
        { accept: 'application/dicom+xml' },
      ],
      ['truncated', 400, /ended before its close delimiter/, body.subarray(0, body.length - 20), contentType],
      ['garbage', 400, /malformed multipart body/, Buffer.from('x'.repeat(5000)), contentType],
      ['no parts', 400, /holds no parts/, '--b0undary--\r\n', contentType],
      [
        'bad part headers',
        400,
        /headers are malformed/,
        `--b0undary\r\n${'x'.repeat(20_000)}\r\n`,
        contentType,
      ],
    ];
    for (const [name, status, detail, payload, type, headers] of cases) {
      const answer = await post(payload, type, { headers: headers ?? {} });
      assert.equal(answer.status, status, `${name}: ${answer.text}`);
      assert.match(answer.headers.get('content-type') ?? '', /application\/problem\+json/, name);
      assert.match(JSON.parse(answer.text).detail as string, detail, name);
    }
    // Whatever was cut off was not stored; a whole body afterwards is.
    assert.equal(await studyCount(studyOf(a)), 0);
    assert.equal((await post(body, contentType)).status, 200);
  });

  test('oversize: a part over stowMaxInstanceBytes fails alone (A700), or is a 413 when it is all', async () => {
    const big = ct(106, 'BIG', 600);
    const small = ct(107);
    assert.ok(big.length > MAX_INSTANCE);
    const mixed = multipart([{ bytes: big }, { bytes: small }]);
    const answer = await post(mixed.body, mixed.contentType);
    assert.equal(answer.status, 202, answer.text);
    assert.deepEqual(
      failed(answer.json()).map((item) => [item.sopInstanceUid, item.failure]),
      [[sopOf(big), 0xa700]],
    );
    assert.match(answer.headers.get('warning') ?? '', /dicomweb\.stowMaxInstanceBytes/);
    assert.equal(await studyCount(studyOf(big)), 0);

    const alone = multipart([{ bytes: big }]);
    const refused = await post(alone.body, alone.contentType);
    assert.equal(refused.status, 413, refused.text);
    assert.match(JSON.parse(refused.text).detail as string, /dicomweb\.stowMaxInstanceBytes/);
  });

  test('oversize: a body over stowMaxRequestBytes or stowMaxParts is a 413 naming the setting', async () => {
    const parts = Array.from({ length: 14 }, (_, i) => ({ bytes: ct(200 + i, 'HUGE', 400) }));
    const huge = multipart(parts);
    assert.ok(huge.body.length > MAX_REQUEST);
    const declared = await post(huge.body, huge.contentType);
    assert.equal(declared.status, 413, declared.text);
    assert.match(JSON.parse(declared.text).detail as string, /dicomweb\.stowMaxRequestBytes/);
    // Without a Content-Length the limit is found while reading; what came before it may be stored.
    const streamed = await post(
      new ReadableStream({
        start(controller) {
          for (let i = 0; i < huge.body.length; i += 64 * 1024)
            controller.enqueue(huge.body.subarray(i, i + 64 * 1024));
          controller.close();
        },
      }),
      huge.contentType,
    );
    assert.equal(streamed.status, 413, streamed.text);
    assert.match(JSON.parse(streamed.text).detail as string, /dicomweb\.stowMaxRequestBytes/);

    const many = multipart(Array.from({ length: MAX_PARTS + 1 }, () => ({ bytes: Buffer.from('x') })));
    const tooMany = await post(many.body, many.contentType);
    assert.equal(tooMany.status, 413, tooMany.text);
    assert.match(JSON.parse(tooMany.text).detail as string, /dicomweb\.stowMaxParts/);
  });

  test('a client that goes away inside a part leaves nothing stored', async () => {
    const a = ct(109, 'GONE', 200);
    const { body, contentType } = multipart([{ bytes: a }]);
    const controller = new AbortController();
    const sent = fetch(`${stowUrl}/studies`, {
      method: 'POST',
      headers: { ...server.auth, 'content-type': contentType },
      signal: controller.signal,
      duplex: 'half',
      body: new ReadableStream({
        start(stream) {
          stream.enqueue(body.subarray(0, body.length / 2)); // and never the rest
        },
      }),
    } as RequestInit);
    setTimeout(() => controller.abort(), 300);
    await assert.rejects(sent);
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(await studyCount(studyOf(a)), 0);
  });

  test('afterwards the server still serves and lantern verify finds index and storage agree', async () => {
    assert.equal((await fetch(`${server.httpUrl}/health`)).status, 200);
    const a = ct(108);
    const again = multipart([{ bytes: a }]);
    assert.equal((await post(again.body, again.contentType)).status, 200);
    const verify = await runLantern(['verify', '--no-progress'], { LANTERN_DATA_DIR: dataDir });
    assert.equal(verify.code, 0, verify.stderr);
    assert.match(verify.stdout, /Index and storage agree/);
    assert.deepEqual(await stagedLeftovers(join(dataDir, 'storage')), [], 'no staged upload is left behind');
  });
});
