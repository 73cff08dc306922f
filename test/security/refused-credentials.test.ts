// A client that keeps sending bad bearer credentials: each refusal is audited up to a limit per address and
// minute (security.loginAttemptsPerMinutePerAddress), then only logged, so a flood cannot grow the audit
// trail without end; the address is not locked out, and a good credential still works.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startServe, type RunningLantern } from '../support/lantern-server.js';
import { auditRows, lastSeq } from './security-support.js';

let dataDir: string;
let server: RunningLantern;

before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'lantern-refusals-'));
  server = await startServe({
    LANTERN_DATA_DIR: dataDir,
    LANTERN_SECURITY_AUTHENTICATION: 'on',
    LANTERN_SECURITY_LOGIN_ATTEMPTS_PER_MINUTE_PER_ADDRESS: '3',
  });
});

after(async () => {
  await server?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

test('six bad API keys in a minute: six 401s, three audit records, and a good key still works', async () => {
  const since = lastSeq(dataDir);
  for (let i = 0; i < 6; i++) {
    const refused = await fetch(`${server.httpUrl}/api/patients`, {
      headers: { authorization: `Bearer not-a-key-${i}-${'x'.repeat(30)}` },
    });
    assert.equal(refused.status, 401);
  }
  const records = auditRows(dataDir, since).filter((r) => r.action === 'security.authenticate');
  assert.equal(records.length, 3, JSON.stringify(records));
  assert.ok(records.every((r) => r.outcome === 'failure'));
  assert.match(JSON.stringify(records.at(-1)), /further ones are only logged/);
  const good = await fetch(`${server.httpUrl}/api/patients`, { headers: server.auth });
  assert.equal(good.status, 200);
});
