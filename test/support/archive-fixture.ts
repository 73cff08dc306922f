// An archive on a real test database and a real folder, as unit and black-box tests need it.
import { Readable } from 'node:stream';
import { join } from 'node:path';
import { createArchive, type Archive, type DuplicatePolicy } from '../../src/archive/index.js';
import { createContext, type RequestContext } from '../../src/platform/context.js';
import { permissionsOfAe } from '../../src/platform/security/index.js';
import type { DialectName } from '../../src/platform/db/index.js';
import { silentLogger } from '../../src/platform/log/index.js';
import { LocalFolderStore } from '../../src/platform/storage/index.js';
import { openTestDatabase, type TestDatabase } from './test-databases.js';

export interface ArchiveFixture extends TestDatabase {
  archive: Archive;
  blobs: LocalFolderStore;
  ctx: RequestContext;
  store(bytes: Uint8Array): ReturnType<Archive['storeInstance']>;
}

export async function openArchiveFixture(
  dialect: DialectName,
  duplicatePolicy: DuplicatePolicy = 'keep-first',
): Promise<ArchiveFixture> {
  const test = await openTestDatabase(dialect);
  const blobs = await LocalFolderStore.open(join(test.dataDir, 'storage'));
  const archive = createArchive({
    database: test.database,
    blobs,
    settings: { duplicatePolicy, fsync: false },
  });
  const ctx = createContext(
    silentLogger(),
    // A known node that may store, query and retrieve (the services authorize every call); tests that change
    // patients through the same context (updates, merges) need patient.write too.
    {
      kind: 'ae',
      aeTitle: 'TESTSCU',
      permissions: [...permissionsOfAe(['store', 'query', 'retrieve']), 'patient.write'],
    },
    { door: 'dimse', callingAeTitle: 'TESTSCU' },
  );
  return {
    ...test,
    cleanup: async () => {
      await archive.close();
      await blobs.close();
      await test.cleanup();
    },
    archive,
    blobs,
    ctx,
    store: (bytes) => archive.storeInstance(ctx, Readable.from([bytes])),
  };
}
