// WADO-RS study retrieve as a stream against `lantern serve`: a client that stops reading does not make the
// server read (and hold) the rest of the study, a client that goes away leaves no file open, and the parts
// are the stored files byte for byte. The server's reads are counted by the kernel (/proc/<pid>/io, Linux).
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { request, type IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { after, before, test } from 'node:test';
import { MultipartReader } from '../../src/adapters/dicomweb/multipart-reader.js';
import { runLantern } from '../support/lantern-cli.js';
import { startServe, type RunningLantern } from '../support/lantern-server.js';
import { writeSyntheticStudy } from '../support/synthetic-ct.js';

/** 64 CT slices of 525 KB: 34 MB, well beyond what loopback socket buffers hold (a few MB each way). */
const SERIES = 4;
const PER_SERIES = 16;

let dataDir: string;
let server: RunningLantern;
let studyPath: string;
let files: Buffer[];
let studyBytes: number;

before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'lantern-wado-stream-'));
  const incoming = join(dataDir, 'incoming');
  const study = await writeSyntheticStudy(incoming, {
    seed: 4242,
    series: SERIES,
    instancesPerSeries: PER_SERIES,
  });
  files = study.files.map((file) => readFileSync(file));
  studyBytes = files.reduce((sum, bytes) => sum + bytes.byteLength, 0);
  const imported = await runLantern(['import', '--no-progress', incoming], { LANTERN_DATA_DIR: dataDir });
  assert.equal(imported.code, 0, imported.stderr);
  await rm(incoming, { recursive: true });
  server = await startServe({ LANTERN_DATA_DIR: dataDir });
  studyPath = `/dicom-web/studies/${study.studyInstanceUid}`;
});

after(async () => {
  await server?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

/** Bytes the server process has read through read system calls so far (files and sockets). */
function serverReadBytes(): number {
  const io = readFileSync(`/proc/${server.process.pid}/io`, 'utf8');
  return Number(/^rchar: (\d+)$/m.exec(io)![1]);
}

/** The server's file descriptors open on stored blobs. */
function openBlobs(): number {
  const dir = `/proc/${server.process.pid}/fd`;
  return readdirSync(dir).filter((fd) => {
    try {
      return (
        readlinkSync(join(dir, fd)).includes(`${dataDir}/`) && readlinkSync(join(dir, fd)).includes('blob')
      );
    } catch {
      return false;
    }
  }).length;
}

async function retrieve(): Promise<IncomingMessage> {
  const url = new URL(`${server.httpUrl}${studyPath}`);
  const req = request(url, {
    headers: { ...server.auth, accept: 'multipart/related; type="application/dicom"' },
  });
  req.end();
  const [response] = (await once(req, 'response')) as [IncomingMessage];
  assert.equal(response.statusCode, 200);
  return response;
}

/** Reads until at least `bytes` have arrived, then stops reading (the socket is paused). */
async function readAtLeast(response: IncomingMessage, bytes: number): Promise<Buffer[]> {
  const chunks: Buffer[] = [];
  let got = 0;
  for (;;) {
    const chunk = response.read() as Buffer | null;
    if (chunk) {
      chunks.push(chunk);
      got += chunk.byteLength;
      if (got >= bytes) return chunks;
      continue;
    }
    await once(response, 'readable');
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await sleep(50);
  assert.ok(condition(), what);
}

test('a client that stops reading holds the server at a few files; resumed, it gets every stored file byte for byte', async () => {
  const response = await retrieve();
  const start = await readAtLeast(response, 1 << 20);
  response.pause();
  const readWhilePaused = serverReadBytes();
  // Long enough for a server that ignored backpressure to read the whole study many times over.
  await sleep(1500);
  const readMore = serverReadBytes() - readWhilePaused;
  assert.ok(
    readMore < studyBytes / 4,
    `the server read ${readMore} bytes of a ${studyBytes}-byte study for a client that stopped reading`,
  );
  const rest = await buffer(response);
  const body = Buffer.concat([...start, rest]);
  const boundary = /boundary=(\S+)/.exec(response.headers['content-type'] ?? '')![1]!;
  assert.equal(body.byteLength, Number(response.headers['content-length']));
  const reader = new MultipartReader(Readable.from([body]), boundary, {
    maxBodyBytes: 1 << 30,
    maxParts: 1000,
  });
  const parts: Buffer[] = [];
  for (let part = await reader.nextPart(); part; part = await reader.nextPart())
    parts.push(await buffer(part.body));
  const key = (bytes: Buffer) => bytes.toString('base64');
  assert.deepEqual(parts.map(key).sort(), files.map(key).sort());
});

test('a client that goes away midway leaves no stored file open, and the next retrieve is whole', async () => {
  for (let i = 0; i < 3; i++) {
    const response = await retrieve();
    await readAtLeast(response, (i + 1) * 3_000_000);
    response.destroy();
  }
  await until(() => openBlobs() === 0, 'stored files left open after the clients went away');
  const whole = await buffer(await retrieve());
  assert.ok(whole.byteLength > studyBytes);
});
