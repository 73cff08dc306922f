import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LanternError } from '../platform/errors.js';
import {
  ORDER_STATUSES,
  assertTransition,
  canTransition,
  parseOrderStatus,
  stepStatusFor,
  type OrderStatus,
} from './order-status.js';

const ALLOWED: [OrderStatus, OrderStatus][] = [
  ['ordered', 'scheduled'],
  ['ordered', 'arrived'],
  ['ordered', 'cancelled'],
  ['scheduled', 'ordered'],
  ['scheduled', 'arrived'],
  ['scheduled', 'cancelled'],
  ['arrived', 'in-progress'],
  ['arrived', 'cancelled'],
  ['in-progress', 'completed'],
  ['in-progress', 'discontinued'],
  ['completed', 'preliminary'],
  ['completed', 'final'],
  ['preliminary', 'final'],
  ['final', 'amended'],
  ['amended', 'amended'],
];

test('every allowed transition is allowed, and nothing else is', () => {
  for (const from of ORDER_STATUSES) {
    for (const to of ORDER_STATUSES) {
      const expected = ALLOWED.some(([f, t]) => f === from && t === to);
      assert.equal(canTransition(from, to), expected, `${from} → ${to}`);
      if (expected) assert.doesNotThrow(() => assertTransition(from, to));
    }
  }
});

test('forbidden transitions are conflicts that name the current state', () => {
  const forbidden: [OrderStatus, OrderStatus][] = [
    ['ordered', 'in-progress'],
    ['ordered', 'final'],
    ['scheduled', 'completed'],
    ['in-progress', 'cancelled'],
    ['arrived', 'discontinued'],
    ['completed', 'cancelled'],
    ['preliminary', 'amended'],
    ['final', 'preliminary'],
    ['cancelled', 'ordered'],
    ['discontinued', 'in-progress'],
    ['final', 'final'],
  ];
  for (const [from, to] of forbidden) {
    assert.throws(
      () => assertTransition(from, to),
      (e: unknown) =>
        e instanceof LanternError &&
        e.code === 'conflict' &&
        e.message.startsWith(`order is ${from};`) &&
        e.details?.current === from,
      `${from} → ${to}`,
    );
  }
});

test('cancelled and discontinued are final states', () => {
  for (const to of ORDER_STATUSES) {
    assert.equal(canTransition('cancelled', to), false);
    assert.equal(canTransition('discontinued', to), false);
  }
});

test('unknown statuses are invalid; each status maps to a worklist step status', () => {
  assert.throws(
    () => parseOrderStatus('done'),
    (e: unknown) => e instanceof LanternError && e.code === 'invalid',
  );
  assert.equal(parseOrderStatus('in-progress'), 'in-progress');
  assert.equal(stepStatusFor('scheduled'), 'SCHEDULED');
  assert.equal(stepStatusFor('in-progress'), 'STARTED');
  assert.equal(stepStatusFor('final'), 'COMPLETED');
  assert.equal(stepStatusFor('cancelled'), 'CANCELED');
});
