import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LoginRateLimit } from './login-rate-limit.js';

test('login attempts are limited per address and per user name, per minute', () => {
  let now = 0;
  const limit = new LoginRateLimit(5, 3, () => now);
  assert.deepEqual(
    [1, 2, 3, 4].map(() => limit.take('10.0.0.1', 'ann')),
    [true, true, true, false],
  );
  assert.equal(limit.take('10.0.0.2', 'ANN '), false, 'the same user from elsewhere');
  assert.equal(limit.take('10.0.0.1', 'bob'), true, 'the fifth from this address');
  assert.equal(limit.take('10.0.0.1', 'carl'), false, 'the address has used its five');
  assert.equal(limit.take('10.0.0.3', 'bob'), true);
  now = 60_000;
  assert.equal(limit.take('10.0.0.1', 'ann'), true, 'a new minute');
});
