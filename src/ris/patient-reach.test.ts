import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openTestDatabase, testDialects, type TestDatabase } from '../../test/support/test-databases.js';
import { createContext, type Actor } from '../platform/context.js';
import { silentLogger } from '../platform/log/index.js';
import { breakGlass, serviceActor, userActor } from '../platform/security/index.js';
import type { OrderId } from './ids.js';
import { isError, risFixture, type RisFixture } from './ris-test-fixture.js';

// Services authorize every operation, and a referring physician reaches only the patients of his orders,
// whichever door asks: the patients and RIS services wired as app.ts wires them.

const ctxOf = (actor: Actor) => createContext(silentLogger(), actor, { door: 'api' });
const referrer = ctxOf(userActor({ id: 41, username: 'dr-ref', roles: ['referring-physician'] }));

for (const dialect of testDialects()) {
  describe(`service authorization and the referring physician's reach on ${dialect}`, () => {
    let t: TestDatabase;
    let f: RisFixture;
    let mine: { patientRef: number; orderId: OrderId };
    let theirs: { patientRef: number; orderId: OrderId };
    before(async () => {
      t = await openTestDatabase(dialect);
      f = risFixture(t.database);
      const procedureId = (await f.ris.procedures.seedDefaults(f.ctx)).find(
        (p) => p.code === 'CT-HEAD-WO',
      )!.id;
      const place = async (patientId: string, provider: string) => {
        const patientRef = await f.patient(patientId);
        const order = await f.ris.orders.place(f.ctx, {
          patientRef,
          procedureId,
          orderingProvider: { id: provider, name: 'Doc^Tor' },
        });
        return { patientRef, orderId: order.id };
      };
      mine = await place('REACH-1', 'dr-ref');
      theirs = await place('REACH-2', 'dr-other');
    });
    after(() => t?.cleanup());

    const denials = async () =>
      (
        await f.database.kysely
          .selectFrom('audit_event')
          .select(['actor_id', 'detail'])
          .where('action', '=', 'security.deny')
          .orderBy('seq')
          .execute()
      ).map((r) => ({ actor: r.actor_id, ...(JSON.parse(r.detail!) as object) }));

    test('an operation the actor lacks the permission for is forbidden, with exactly one security.deny', async () => {
      const auditor = ctxOf(userActor({ id: 5, username: 'audrey', roles: ['auditor'] }));
      const clerk = ctxOf(userActor({ id: 6, username: 'desk', roles: ['clerk'] }));
      const before = (await denials()).length;
      const reads = await f.count('audit_event');
      await assert.rejects(
        f.patients.read(auditor, String(mine.patientRef)),
        isError('forbidden', /patient\.read/),
      );
      await assert.rejects(f.ris.orders.search(auditor, {}), isError('forbidden', /order\.read/));
      await assert.rejects(
        f.ris.reports.sign(clerk, mine.orderId, { as: 'final', signer: { name: 'Desk' } }),
        isError('forbidden', /report\.sign/),
      );
      const mwlOnly = ctxOf({ kind: 'ae', aeTitle: 'CT1', permissions: ['study.store'] });
      await assert.rejects(f.ris.worklist.query(mwlOnly, {}), isError('forbidden', /order\.read/));
      assert.deepEqual((await denials()).slice(before), [
        { actor: 'audrey', permission: 'patient.read', resource: 'patients.read' },
        { actor: 'audrey', permission: 'order.read', resource: 'orders.search' },
        { actor: 'desk', permission: 'report.sign', resource: 'reports.sign' },
        { actor: 'CT1', permission: 'order.read', resource: 'worklist.query' },
      ]);
      assert.equal(await f.count('audit_event'), reads + 4, 'nothing but the refusals was recorded');
    });

    test('the system actor passes', async () => {
      const system = ctxOf({ kind: 'system', name: 'test' });
      assert.equal((await f.ris.orders.search(system, {})).total, 2);
      assert.equal((await f.patients.read(system, String(theirs.patientRef))).patientId, 'REACH-2');
    });

    test('a referring physician sees the patients of his orders, and nothing of the others', async () => {
      const patients = await f.patients.search(referrer, {});
      assert.deepEqual(
        [patients.total, patients.patients.map((p) => p.patientId)],
        [1, ['REACH-1']],
        'search and total',
      );
      assert.equal((await f.patients.read(referrer, String(mine.patientRef))).patientId, 'REACH-1');
      await assert.rejects(
        f.patients.read(referrer, String(theirs.patientRef)),
        isError('not-found', /patient/),
      );

      const orders = await f.ris.orders.search(referrer, {});
      assert.deepEqual([orders.total, orders.orders.map((o) => o.id)], [1, [mine.orderId]]);
      assert.equal((await f.ris.orders.get(referrer, mine.orderId)).id, mine.orderId);
      await assert.rejects(f.ris.orders.get(referrer, theirs.orderId), isError('not-found', /order/));
      await assert.rejects(f.ris.orders.history(referrer, theirs.orderId), isError('not-found', /order/));
      await assert.rejects(f.ris.reports.get(referrer, theirs.orderId), isError('not-found', /order/));
      await assert.rejects(f.ris.studies.ofOrder(referrer, theirs.orderId), isError('not-found', /order/));
      await assert.rejects(
        f.ris.orders.transition(referrer, theirs.orderId, 'cancelled', 'not mine'),
        isError('not-found', /order/),
      );
      assert.equal((await f.ris.orders.get(f.ctx, theirs.orderId)).status, 'ordered', 'nothing changed');
      const looked = await f.ris.lookUpOrders(referrer, { ids: [mine.orderId, theirs.orderId] });
      assert.deepEqual(
        looked.map((o) => o.id),
        [mine.orderId],
      );
      assert.equal((await f.ris.reading.worklist(referrer, {})).total, 0);
    });

    test('a service account with only the referring role is limited by its key name; break-glass lifts the limit', async () => {
      const key = ctxOf(serviceActor({ name: 'dr-ref', roles: ['referring-physician'] }));
      assert.equal((await f.patients.search(key, {})).total, 1);
      const stranger = ctxOf(serviceActor({ name: 'portal', roles: ['referring-physician'] }));
      assert.equal((await f.ris.orders.search(stranger, {})).total, 0);

      const emergency = ctxOf(breakGlass(referrer.actor, 'unconscious patient in the emergency room'));
      assert.equal((await f.patients.search(emergency, {})).total, 2);
      assert.equal((await f.ris.orders.get(emergency, theirs.orderId)).id, theirs.orderId);
    });
  });
}
