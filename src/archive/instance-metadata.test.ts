import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { openArchiveFixture, type ArchiveFixture } from '../../test/support/archive-fixture.js';
import { testDialects } from '../../test/support/test-databases.js';

import type { Kysely } from '../platform/db/index.js';
import { METADATA_VERSION } from './metadata-repo.js';

const PYDICOM_FILES = '/usr/lib/python3/dist-packages/pydicom/data/test_files';

type Cache = Kysely<{ instance_metadata: { blob_key: string; json: string } }>;

for (const dialect of testDialects()) {
  describe(`instance metadata on ${dialect}`, () => {
    const fixtures: ArchiveFixture[] = [];
    after(() => Promise.all(fixtures.map((f) => f.cleanup())));

    async function metadataOf(fixture: ArchiveFixture, sopInstanceUid: string) {
      const retrieval = await fixture.archive.retrieveMetadata(fixture.ctx, { sopInstanceUid });
      const jsons: Record<string, { vr: string; BulkDataURI?: string; InlineBinary?: string }>[] = [];
      for await (const instance of retrieval.instances) jsons.push(JSON.parse(instance.json));
      return jsons[0]!;
    }

    test('elements after encapsulated pixel data are included; rows of an older version are not used', async () => {
      const fixture = await openArchiveFixture(dialect);
      fixtures.push(fixture);
      // MR_small_RLE.dcm ends with (FFFC,FFFC) Data Set Trailing Padding after its RLE fragments.
      const bytes = readFileSync(join(PYDICOM_FILES, 'MR_small_RLE.dcm'));
      const stored = await fixture.store(bytes);
      const hash = createHash('sha256').update(bytes).digest('hex');
      const cache = fixture.database.kysely as Cache;
      // A row as version 1 wrote it: keyed by the bare content hash.
      await cache.insertInto('instance_metadata').values({ blob_key: hash, json: '{"stale":{}}' }).execute();

      const json = await metadataOf(fixture, stored.sopInstanceUid);
      assert.equal(json.stale, undefined, 'the version 1 row is not read');
      assert.equal(json.FFFCFFFC?.vr, 'OB');
      assert.equal(typeof json.FFFCFFFC?.InlineBinary, 'string');
      assert.equal(json['7FE00010']?.BulkDataURI, '7FE00010');
      const rows = await cache.selectFrom('instance_metadata').select('blob_key').execute();
      assert.ok(rows.some((row) => row.blob_key === `${METADATA_VERSION}:${hash}`));
      assert.deepEqual(
        await metadataOf(fixture, stored.sopInstanceUid),
        json,
        'the cached row gives the same',
      );
    });
  });
}
