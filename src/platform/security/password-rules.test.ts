import assert from 'node:assert/strict';
import { test } from 'node:test';
import { oneTimePassword } from './one-time-password.js';
import { hashPassword, verifyPassword } from './password-hash.js';
import { checkPasswordRules } from './password-rules.js';

test('password rules: length, not the user name, not trivially guessable', () => {
  const user = { username: 'jdoe', displayName: 'Jane Doe' };
  checkPasswordRules('correct horse battery', user);
  checkPasswordRules('Tr0ub4dor&3xx', user);
  assert.throws(() => checkPasswordRules('short1!', user), /at least 12/);
  assert.throws(() => checkPasswordRules('x'.repeat(257), user), /at most 256/);
  assert.throws(() => checkPasswordRules('jdoe-jdoe-jdoe-1', user), /user name/);
  assert.throws(() => checkPasswordRules('JDOE2024spring!', user), /user name/);
  assert.throws(() => checkPasswordRules('my name is jane doe', user), /display name/);
  assert.throws(() => checkPasswordRules('aaaaaaaaaaaaaaa', user), /different characters/);
  assert.throws(() => checkPasswordRules('abababababab', user), /different characters/);
  assert.throws(() => checkPasswordRules('Password1234', user), /guess/);
  assert.throws(() => checkPasswordRules('123456789012', user), /guess/);
  assert.throws(() => checkPasswordRules('abcdefghijklmn', user), /guess/);
  assert.throws(() => checkPasswordRules('9876543210987', user), /guess/);
});

test('one-time passwords pass the rules and differ', () => {
  const a = oneTimePassword('admin');
  checkPasswordRules(a, { username: 'admin' });
  assert.notEqual(a, oneTimePassword('admin'));
});

test('argon2id hashes verify only the right password, and a damaged hash refuses', async () => {
  const hash = await hashPassword('correct horse battery');
  assert.match(hash, /^\$argon2id\$/);
  assert.equal(await verifyPassword(hash, 'correct horse battery'), true);
  assert.equal(await verifyPassword(hash, 'correct horse batterY'), false);
  assert.equal(await verifyPassword('$argon2id$garbage', 'correct horse battery'), false);
});
