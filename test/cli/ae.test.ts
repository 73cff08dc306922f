// `lantern ae add|list|remove` before any server runs, as a PACS administrator would set up the AE table.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runLantern } from '../support/lantern-cli.js';

let dataDir: string;
before(async () => (dataDir = await mkdtemp(join(tmpdir(), 'lantern-ae-'))));
after(() => rm(dataDir, { recursive: true, force: true }));

test('the AE table is kept across commands, and wrong input is explained', async () => {
  const env = { LANTERN_DATA_DIR: dataDir };
  const added = await runLantern(
    ['ae', 'add', 'VIEWER', '127.0.0.1', '11113', '--permissions', 'echo,query,retrieve'],
    env,
  );
  assert.equal(added.code, 0, added.stderr);
  assert.match(added.stdout, /VIEWER at 127\.0\.0\.1:11113 may echo, query, retrieve/);
  const listed = await runLantern(['ae', 'list'], env);
  assert.match(listed.stdout, /VIEWER\s+127\.0\.0\.1\s+11113\s+echo,query,retrieve\s+database/);

  const bad = await runLantern(['ae', 'add', 'WAY_TOO_LONG_AE_TITLE', 'host', '104'], env);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /not an AE title/);
  const badPort = await runLantern(['ae', 'add', 'CT', 'host', 'http'], env);
  assert.match(badPort.stderr, /port must be 1 to 65535/);

  const removed = await runLantern(['ae', 'remove', 'VIEWER'], env);
  assert.equal(removed.code, 0, removed.stderr);
  assert.match((await runLantern(['ae', 'list'], env)).stdout, /AE table is empty/);
  const again = await runLantern(['ae', 'remove', 'VIEWER'], env);
  assert.notEqual(again.code, 0);
  assert.match(again.stderr, /AE VIEWER not found/);
});
