// SIGKILL of lantern serve during a storescu run: after a restart, every instance that got a success
// status is there, byte for byte, and `lantern verify` finds index and storage in agreement.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buffer } from 'node:stream/consumers';
import { after, before, test } from 'node:test';
import { openLantern } from '../../src/app.js';
import { scanHeader } from '../../src/lib/dicom/index.js';
import { loadConfig } from '../../src/platform/config/index.js';
import { createContext } from '../../src/platform/context.js';
import { silentLogger } from '../../src/platform/log/index.js';
import { runLantern } from '../support/lantern-cli.js';
import { OPEN_DOORS, startServe } from '../support/lantern-server.js';
import { writeSyntheticStudies } from '../support/synthetic-ct.js';

let sourceDir: string;
let dataDir: string;

before(async () => {
  sourceDir = await mkdtemp(join(tmpdir(), 'lantern-crash-scu-'));
  dataDir = await mkdtemp(join(tmpdir(), 'lantern-crash-scp-'));
  await writeSyntheticStudies(sourceDir, { studies: 3, seriesPerStudy: 2, instancesPerSeries: 50, seed: 9 });
});
after(async () => {
  await rm(sourceDir, { recursive: true, force: true });
  await rm(dataDir, { recursive: true, force: true });
});

test('every instance acknowledged before a SIGKILL is retrievable after restart, and verify is clean', async () => {
  const env = { LANTERN_DATA_DIR: dataDir, ...OPEN_DOORS };
  const server = await startServe(env);
  const acknowledged: string[] = [];
  let current: string | undefined;
  const storescu = spawn(
    'storescu',
    [
      '-v',
      '-aec',
      'LANTERN',
      '-aet',
      'MODALITY',
      '+sd',
      '+r',
      '127.0.0.1',
      String(server.dicomPort),
      sourceDir,
    ],
    { env: { ...process.env, TCP_NODELAY: '1' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const finished = new Promise<void>((resolve) => storescu.once('close', () => resolve()));
  let log = '';
  const onOutput = (chunk: Buffer) => {
    log += chunk.toString();
    let newline: number;
    while ((newline = log.indexOf('\n')) >= 0) {
      const line = log.slice(0, newline);
      log = log.slice(newline + 1);
      const sending = /Sending file: (.+)$/.exec(line);
      if (sending) current = sending[1]!.trim();
      if (/Received Store Response \(Success\)/.test(line) && current) acknowledged.push(current);
    }
  };
  storescu.stdout.on('data', onOutput);
  storescu.stderr.on('data', onOutput);

  const deadline = Date.now() + 60_000;
  while (acknowledged.length < 60 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  await server.stop('SIGKILL');
  await finished;
  assert.ok(
    acknowledged.length >= 60 && acknowledged.length < 300,
    `killed midway (${acknowledged.length} of 300)`,
  );

  // Restart as an operator would; the interrupted store's leftovers are cleaned up on the way.
  const restarted = await startServe(env);
  await restarted.stop();
  const verify = await runLantern(['verify', '--no-progress'], env);
  assert.equal(verify.code, 0, verify.stdout);
  assert.match(verify.stdout, /Index and storage agree/);

  // The server's database: the data folder's SQLite, or PostgreSQL when the environment names one.
  const { LANTERN_DATABASE_URL } = process.env;
  const config = loadConfig({
    env: { LANTERN_DATA_DIR: dataDir, ...(LANTERN_DATABASE_URL ? { LANTERN_DATABASE_URL } : {}) },
  });
  const lantern = await openLantern(config, silentLogger());
  try {
    const ctx = createContext(lantern.log, { kind: 'system', name: 'test' }, { door: 'cli' });
    for (const file of acknowledged) {
      const bytes = readFileSync(file);
      const header = scanHeader(bytes);
      const [instance] = await lantern.archive.retrieve(ctx, { sopInstanceUid: header.sopInstanceUid! });
      assert.ok(instance, `${file} acknowledged but missing after restart`);
      assert.ok(
        (await buffer(instance.openDataset())).equals(bytes.subarray(header.datasetOffset)),
        `${file} changed`,
      );
    }
  } finally {
    await lantern.close();
  }
});
