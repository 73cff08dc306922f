import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { openArchiveFixture, type ArchiveFixture } from '../../test/support/archive-fixture.js';
import { syntheticCtInstance } from '../../test/support/synthetic-ct.js';
import { testDialects } from '../../test/support/test-databases.js';
import { createContext, type Actor } from '../platform/context.js';
import { LanternError } from '../platform/errors.js';
import { silentLogger } from '../platform/log/index.js';
import { userActor, type ReachablePatients } from '../platform/security/index.js';
import { createArchive, type Archive } from './index.js';

// The archive's façade authorizes every operation and limits queries and retrieves to the caller's reach,
// whichever door calls it. Reach comes from a resolver (the RIS's in app.ts); here one that names patients.

const S1 = '1.2.826.0.1.3680043.2.1125.91';
const S2 = '1.2.826.0.1.3680043.2.1125.92';
const ctxOf = (actor: Actor) => createContext(silentLogger(), actor, { door: 'dicomweb' });
const referrer = userActor({ id: 9, username: 'dr-ref', roles: ['referring-physician'] });
const isForbidden = (e: unknown) => e instanceof LanternError && e.code === 'forbidden';
const isNotFound = (e: unknown) => e instanceof LanternError && e.code === 'not-found';

for (const dialect of testDialects()) {
  describe(`archive authorization and patient reach on ${dialect}`, () => {
    let f: ArchiveFixture;
    let archive: Archive;
    let reachable: Set<number>;
    before(async () => {
      f = await openArchiveFixture(dialect);
      await f.store(syntheticCtInstance({ rows: 4, columns: 4, patientId: 'REF-1', studyInstanceUid: S1 }));
      await f.store(syntheticCtInstance({ rows: 4, columns: 4, patientId: 'OTHER-2', studyInstanceUid: S2 }));
      const [row] = await f.database.kysely
        .selectFrom('patient')
        .select('id')
        .where('patient_id', '=', 'REF-1')
        .execute();
      reachable = new Set([Number(row!.id)]);
      const reach = (): Promise<ReachablePatients> =>
        Promise.resolve({ kind: 'some', patientKeys: reachable });
      archive = createArchive(
        { database: f.database, blobs: f.blobs, settings: { duplicatePolicy: 'keep-first', fsync: false } },
        { patientReach: async (ctx) => (ctx.actor === referrer ? reach() : { kind: 'all' }) },
      );
    });
    after(async () => {
      await archive.close();
      await f.cleanup();
    });

    const denials = async () =>
      (
        await f.database.kysely
          .selectFrom('audit_event')
          .select(['actor_id', 'detail'])
          .where('action', '=', 'security.deny')
          .execute()
      ).map((r) => ({ actor: r.actor_id, ...(JSON.parse(r.detail!) as object) }));

    test('an actor without the permission is refused before anything happens, with one security.deny', async () => {
      const before = (await denials()).length;
      const echoOnly = ctxOf({ kind: 'ae', aeTitle: 'ECHOER', permissions: [] });
      const bytes = syntheticCtInstance({ rows: 4, columns: 4, patientId: 'NEVER', seed: 77 });
      await assert.rejects(archive.storeInstance(echoOnly, Readable.from([bytes])), isForbidden);
      await assert.rejects(archive.query(echoOnly, { level: 'STUDY' }), isForbidden);
      const auditor = ctxOf(userActor({ id: 3, username: 'audrey', roles: ['auditor'] }));
      await assert.rejects(archive.retrieve(auditor, { studyInstanceUid: S1 }), isForbidden);
      await assert.rejects(
        (async () => {
          for await (const match of archive.queryAll(auditor, { level: 'STUDY' })) assert.fail(String(match));
        })(),
        isForbidden,
      );
      const added = (await denials()).slice(before);
      assert.deepEqual(added, [
        { actor: 'ECHOER', permission: 'study.store', resource: 'archive.storeInstance' },
        { actor: 'ECHOER', permission: 'study.read', resource: 'archive.query' },
        { actor: 'audrey', permission: 'study.read', resource: 'archive.retrieve' },
        { actor: 'audrey', permission: 'study.read', resource: 'archive.queryAll' },
      ]);
      const stored = await f.database.kysely
        .selectFrom('patient')
        .select('id')
        .where('patient_id', '=', 'NEVER')
        .execute();
      assert.equal(stored.length, 0, 'a refused store indexes nothing');
    });

    test('the system actor may do everything', async () => {
      const system = ctxOf({ kind: 'system', name: 'test' });
      assert.equal((await archive.query(system, { level: 'STUDY' })).total, 2);
      assert.equal((await archive.retrieve(system, { studyInstanceUid: S2 })).length, 1);
    });

    test('a referring physician finds and retrieves only the studies of patients within his reach', async () => {
      const ctx = ctxOf(referrer);
      const studies = await archive.query(ctx, { level: 'STUDY' });
      assert.equal(studies.total, 1, 'the total counts only what he may see');
      assert.deepEqual(
        studies.matches.map((m) => (m['0020000D'] as { Value: string[] }).Value[0]),
        [S1],
      );
      for (const level of ['PATIENT', 'SERIES', 'IMAGE'] as const)
        assert.equal((await archive.query(ctx, { level })).total, 1, level);
      assert.equal((await archive.query(ctx, { level: 'STUDY', keys: { StudyInstanceUID: S2 } })).total, 0);
      const seen = [];
      for await (const match of archive.queryAll(ctx, { level: 'STUDY' })) seen.push(match);
      assert.equal(seen.length, 1);
      assert.equal((await archive.retrieve(ctx, { studyInstanceUid: S1 })).length, 1);
      await assert.rejects(archive.retrieve(ctx, { studyInstanceUid: S2 }), isNotFound);
      await assert.rejects(archive.retrieveMetadata(ctx, { studyInstanceUid: S2 }), isNotFound);
      const [other] = await archive.retrieve(ctxOf({ kind: 'system', name: 'test' }), {
        studyInstanceUid: S2,
      });
      await assert.rejects(
        archive.retrieveBulkData(ctx, { sopInstanceUid: other!.sopInstanceUid, tag: '7FE00010' }),
        isNotFound,
      );
    });
  });
}
