import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { openTestDatabase, testDialects, type TestDatabase } from '../../../test/support/test-databases.js';
import { createContext } from '../context.js';
import { LanternError } from '../errors.js';
import { silentLogger } from '../log/index.js';
import { createAeTable } from './application-entities.js';

const ctx = createContext(silentLogger(), { kind: 'system', name: 'test' }, { door: 'cli' });
const isError = (code: string, pattern: RegExp) => (e: unknown) =>
  e instanceof LanternError && e.code === code && pattern.test(e.message);

for (const dialect of testDialects()) {
  describe(`the AE table on ${dialect}`, () => {
    let t: TestDatabase;
    after(() => t?.cleanup());

    test('remote AEs are added, changed, listed with config ones, and removed; each change is audited', async () => {
      t = await openTestDatabase(dialect);
      const table = createAeTable(t.database, {
        configured: [{ aeTitle: 'ROUTER', host: '127.0.0.1', port: 4242, permissions: ['store'] }],
        unknownAePermissions: ['echo', 'store'],
      });
      await table.save(ctx, {
        aeTitle: ' WORKSTATION ',
        host: '127.0.0.1',
        port: 11113,
        permissions: ['query', 'retrieve', 'echo'],
      });
      await table.save(ctx, {
        aeTitle: 'CT1',
        host: 'ct1.local',
        port: 104,
        permissions: ['store'],
        description: 'CT room 1',
      });
      await table.save(ctx, {
        aeTitle: 'CT1',
        host: 'ct1.local',
        port: 1104,
        permissions: ['store', 'echo'],
      });
      const list = await table.list(ctx);
      assert.deepEqual(
        list.map((ae) => [ae.aeTitle, ae.port, ae.permissions.join(','), ae.source]),
        [
          ['CT1', 1104, 'echo,store', 'database'],
          ['ROUTER', 4242, 'store', 'config'],
          ['WORKSTATION', 11113, 'echo,query,retrieve', 'database'],
        ],
      );
      assert.deepEqual(await table.permissionsOf('WORKSTATION'), ['echo', 'query', 'retrieve']);
      assert.deepEqual(await table.permissionsOf('STRANGER'), ['echo', 'store']);
      await table.remove(ctx, 'CT1');
      assert.equal(await table.find(ctx, 'CT1'), undefined);
      const audit = await t.database.kysely
        .selectFrom('audit_event')
        .select('action')
        .orderBy('seq')
        .execute();
      assert.deepEqual(
        audit.map((a) => a.action),
        ['ae.save', 'ae.save', 'ae.save', 'ae.remove'],
      );
    });

    test('bad entries are refused with the reason', async () => {
      const table = createAeTable(t.database, {
        configured: [{ aeTitle: 'ROUTER', host: '127.0.0.1', port: 4242, permissions: ['store'] }],
        unknownAePermissions: [],
      });
      const base = { host: '127.0.0.1', port: 104, permissions: ['store'] };
      await assert.rejects(
        table.save(ctx, { ...base, aeTitle: 'A_TITLE_FAR_TOO_LONG' }),
        isError('invalid', /not an AE title/),
      );
      await assert.rejects(
        table.save(ctx, { ...base, aeTitle: 'BACK\\SLASH' }),
        isError('invalid', /not an AE title/),
      );
      await assert.rejects(
        table.save(ctx, { ...base, aeTitle: 'OK', port: 70000 }),
        isError('invalid', /port/),
      );
      await assert.rejects(
        table.save(ctx, { ...base, aeTitle: 'OK', permissions: ['delete'] }),
        isError('invalid', /unknown permission 'delete'/),
      );
      await assert.rejects(
        table.save(ctx, { ...base, aeTitle: 'ROUTER' }),
        isError('conflict', /config file/),
      );
      await assert.rejects(table.remove(ctx, 'NOBODY'), isError('not-found', /NOBODY/));
      assert.deepEqual(await table.permissionsOf('STRANGER'), []);
    });
  });
}
