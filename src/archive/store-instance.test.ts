import assert from 'node:assert/strict';
import { join } from 'node:path';
import { buffer } from 'node:stream/consumers';
import { after, describe, test } from 'node:test';
import { openArchiveFixture, type ArchiveFixture } from '../../test/support/archive-fixture.js';
import { syntheticCtInstance } from '../../test/support/synthetic-ct.js';
import { testDialects } from '../../test/support/test-databases.js';
import { Readable } from 'node:stream';
import type { DuplicatePolicy, InstanceIdentity, StoreOptions } from './index.js';
import { LanternError } from '../platform/errors.js';
import { listEvents } from '../platform/events/index.js';
import { stagedLeftovers } from '../../test/support/staged-leftovers.js';

const small = { rows: 8, columns: 8 };

async function blobCount(fixture: ArchiveFixture): Promise<number> {
  let n = 0;
  for await (const _ of fixture.blobs.keys()) n++;
  return n;
}

for (const dialect of testDialects()) {
  describe(`storing instances on ${dialect}`, () => {
    const fixtures: ArchiveFixture[] = [];
    after(() => Promise.all(fixtures.map((f) => f.cleanup())));
    const open = async (policy?: DuplicatePolicy) => {
      const fixture = await openArchiveFixture(dialect, policy);
      fixtures.push(fixture);
      return fixture;
    };

    test('a stored instance is indexed, counted, announced and retrieved byte for byte', async () => {
      const f = await open();
      const first = syntheticCtInstance({ ...small, seed: 1, seriesNumber: 1, instanceNumber: 1 });
      const second = syntheticCtInstance({ ...small, seed: 1, seriesNumber: 1, instanceNumber: 2 });
      const result = await f.store(first);
      await f.store(second);
      assert.equal(result.outcome, 'stored');
      assert.equal(result.size, first.byteLength);

      const studies = await f.archive.query(f.ctx, {
        level: 'STUDY',
        keys: { StudyInstanceUID: result.studyInstanceUid },
      });
      assert.equal(studies.total, 1);
      assert.deepEqual(studies.matches[0]!['00201208'], { vr: 'IS', Value: [2] });
      assert.deepEqual(studies.matches[0]!['00201206'], { vr: 'IS', Value: [1] });

      const instances = await f.archive.retrieve(f.ctx, { studyInstanceUid: result.studyInstanceUid });
      assert.deepEqual(
        instances.map((i) => i.sopInstanceUid),
        [
          result.sopInstanceUid,
          (await f.archive.query(f.ctx, { level: 'IMAGE', keys: { InstanceNumber: '2' } })).matches[0]![
            '00080018'
          ]!.Value![0],
        ],
      );
      assert.ok(Buffer.from(first).equals(await buffer(instances[0]!.open())));
      // The data set alone, for DIMSE: everything after the 128-byte preamble, "DICM" and the meta group.
      const metaEnd = 144 + Buffer.from(first).readUInt32LE(140);
      assert.ok(Buffer.from(first.subarray(metaEnd)).equals(await buffer(instances[0]!.openDataset())));

      const events = await listEvents(f.database, { type: 'instance.stored' });
      assert.equal(events.length, 2);
      assert.equal(events[0]!.subject, result.studyInstanceUid);
      const audit = await f.database.kysely
        .selectFrom('audit_event')
        .selectAll()
        .where('action', '=', 'instance.store')
        .execute();
      assert.equal(audit.length, 2);
      assert.equal(audit[0]!.actor_id, 'TESTSCU');
    });

    test('keep-first: a second copy of a SOP instance is reported as a duplicate and the first is kept', async () => {
      const f = await open('keep-first');
      const original = syntheticCtInstance({
        ...small,
        seed: 7,
        sopInstanceUid: '1.2.826.0.1.3680043.2.1125.99.1',
      });
      const altered = syntheticCtInstance({
        ...small,
        seed: 8,
        sopInstanceUid: '1.2.826.0.1.3680043.2.1125.99.1',
      });
      assert.equal((await f.store(original)).outcome, 'stored');
      assert.equal((await f.store(altered)).outcome, 'duplicate');
      assert.equal((await f.store(original)).outcome, 'duplicate');
      const [instance] = await f.archive.retrieve(f.ctx, {
        sopInstanceUid: '1.2.826.0.1.3680043.2.1125.99.1',
      });
      assert.ok(Buffer.from(original).equals(await buffer(instance!.open())));
      assert.equal(await blobCount(f), 1);
      assert.deepEqual(await stagedLeftovers(join(f.dataDir, 'storage')), []);
    });

    test('replace: the new copy replaces the stored one, and the old file is removed', async () => {
      const f = await open('replace');
      const uid = '1.2.826.0.1.3680043.2.1125.99.2';
      await f.store(syntheticCtInstance({ ...small, seed: 1, sopInstanceUid: uid }));
      const newer = syntheticCtInstance({ ...small, seed: 1, sopInstanceUid: uid, instanceNumber: 5 });
      assert.equal((await f.store(newer)).outcome, 'replaced');
      const [instance] = await f.archive.retrieve(f.ctx, { sopInstanceUid: uid });
      assert.ok(Buffer.from(newer).equals(await buffer(instance!.open())));
      assert.equal(await blobCount(f), 1);
      const study = await f.archive.query(f.ctx, { level: 'STUDY', keys: {} });
      assert.deepEqual(study.matches[0]!['00201208'], { vr: 'IS', Value: [1] });
    });

    test('reject: a second copy is refused with a duplicate error', async () => {
      const f = await open('reject');
      const bytes = syntheticCtInstance({ ...small, seed: 3 });
      await f.store(bytes);
      await assert.rejects(
        f.store(bytes),
        (e: unknown) => e instanceof LanternError && e.code === 'duplicate',
      );
    });

    test('a file that is not DICOM is refused with a reason, leaves nothing behind, and is audited', async () => {
      const f = await open();
      await assert.rejects(
        f.store(new TextEncoder().encode('this is a radiology report, not an image\n'.repeat(20))),
        (e: unknown) => e instanceof LanternError && e.code === 'invalid' && e.message.length > 0,
      );
      assert.equal(await blobCount(f), 0);
      assert.deepEqual(await stagedLeftovers(join(f.dataDir, 'storage')), []);
      const audit = await f.database.kysely.selectFrom('audit_event').selectAll().execute();
      assert.equal(audit.length, 1);
      assert.equal(audit[0]!.outcome, 'failure');
    });

    test('a file cut short, in its header or its pixel data, is refused; the archive keeps what it has', async () => {
      const f = await open();
      const good = syntheticCtInstance({ ...small, seed: 11 });
      await f.store(good);
      await assert.rejects(
        f.store(good.subarray(0, 300)),
        (e: unknown) => e instanceof LanternError && e.code === 'invalid',
      );
      await assert.rejects(
        f.store(good.subarray(0, good.length - 10)),
        (e: unknown) => e instanceof LanternError && /pixel data truncated/.test(e.message),
      );
      const all = await f.archive.query(f.ctx, { level: 'IMAGE', keys: {} });
      assert.equal(all.total, 1);
    });

    test('an instance of another study than expected, or whose file meta names another, is refused and named', async () => {
      const f = await open();
      const bytes = syntheticCtInstance({ ...small, seed: 12 });
      const store = (data: Uint8Array, options: StoreOptions) => {
        let identity: InstanceIdentity = {};
        const stored = f.archive.storeInstance(f.ctx, Readable.from([data]), {
          ...options,
          onIdentified: (told) => (identity = told),
        });
        return { stored, identity: () => identity };
      };
      const otherStudy = store(bytes, { expectedStudy: '1.2.3' });
      await assert.rejects(otherStudy.stored, /the instance belongs to study [\d.]+, not 1\.2\.3/);
      const sop = otherStudy.identity().sopInstanceUid!;
      assert.match(sop, /^[\d.]+$/);
      assert.equal(otherStudy.identity().sopClassUid, '1.2.840.10008.5.1.4.1.1.2');

      // The same file with the last digit of the file meta's Media Storage SOP Instance UID changed.
      const renamed = Buffer.from(bytes);
      const at = renamed.indexOf(sop) + sop.length - 1;
      renamed[at] = renamed[at] === 0x31 ? 0x32 : 0x31;
      await assert.rejects(
        store(renamed, { fileMetaMustMatch: true }).stored,
        /the file meta names instance/,
      );

      const truncated = store(bytes.subarray(0, bytes.length - 10), {});
      await assert.rejects(truncated.stored, /pixel data truncated/);
      assert.equal(truncated.identity().sopInstanceUid, sop, 'a refused instance is still named');
      assert.equal((await f.archive.query(f.ctx, { level: 'IMAGE', keys: {} })).total, 0);
      assert.equal((await f.store(bytes)).outcome, 'stored');
    });
  });
}
