import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, describe, test } from 'node:test';
import { openArchiveFixture, type ArchiveFixture } from '../../test/support/archive-fixture.js';
import { syntheticCtInstance } from '../../test/support/synthetic-ct.js';
import { testDialects } from '../../test/support/test-databases.js';
import type { Kysely } from '../platform/db/index.js';

const PYDICOM_FILES = '/usr/lib/python3/dist-packages/pydicom/data/test_files';

for (const dialect of testDialects()) {
  describe(`metadata cached at and after ingest on ${dialect}`, () => {
    const fixtures: ArchiveFixture[] = [];
    after(() => Promise.all(fixtures.map((f) => f.cleanup())));

    async function cachedRows(fixture: ArchiveFixture): Promise<number> {
      const db = fixture.database.kysely as Kysely<{ instance_metadata: { blob_key: string } }>;
      const rows = await db.selectFrom('instance_metadata').select('blob_key').execute();
      return rows.length;
    }

    test('metadata of native instances is cached with their index rows, equal to what a request computes', async () => {
      const fixture = await openArchiveFixture(dialect);
      fixtures.push(fixture);
      const studyInstanceUid = '1.2.826.0.1.3680043.8.498.90001';
      for (let i = 1; i <= 5; i++) {
        await fixture.store(
          syntheticCtInstance({ seed: 90, studyInstanceUid, instanceNumber: i, rows: 16, columns: 16 }),
        );
      }
      assert.equal(await cachedRows(fixture), 5, 'cached at ingest');
      const retrieval = await fixture.archive.retrieveMetadata(fixture.ctx, { studyInstanceUid });
      const jsons = [];
      for await (const instance of retrieval.instances) jsons.push(JSON.parse(instance.json));
      assert.deepEqual(jsons.map((j) => j['00200013'].Value[0]).sort(), [1, 2, 3, 4, 5]);
      assert.equal(jsons[0]['7FE00010'].BulkDataURI, '7FE00010');
      assert.equal(jsons[0]['00100020'].Value[0], 'SYN90');
    });

    test('encapsulated instances get theirs once ingest pauses', async () => {
      const fixture = await openArchiveFixture(dialect);
      fixtures.push(fixture);
      await fixture.store(readFileSync(join(PYDICOM_FILES, 'JPEG2000.dcm')));
      assert.equal(await cachedRows(fixture), 0, 'the end of the pixel data is not known at ingest');
      for (let waited = 0; waited < 5000 && (await cachedRows(fixture)) < 1; waited += 100) await sleep(100);
      assert.equal(await cachedRows(fixture), 1);
    });
  });
}
