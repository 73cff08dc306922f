import assert from 'node:assert/strict';
import { test } from 'node:test';
import { voiTransform } from './voi-window.js';

test('linear window follows PS3.3 C.11.2.1.2.1 at its edges', () => {
  const voi = voiTransform({ center: 40, width: 400, voiFunction: 'LINEAR' });
  assert.equal(voi(-160.5), 0);
  assert.equal(voi(-1000), 0);
  assert.equal(voi(239.5), 255);
  assert.ok(Math.abs(voi(39.5) - 127.5) < 1e-9);
});

test('linear exact and sigmoid are centred on the window center', () => {
  const exact = voiTransform({ center: 0, width: 100, voiFunction: 'LINEAR_EXACT' });
  assert.equal(exact(-50), 0);
  assert.equal(exact(0), 127.5);
  assert.equal(exact(51), 255);
  const sigmoid = voiTransform({ center: 0, width: 100, voiFunction: 'SIGMOID' });
  assert.equal(sigmoid(0), 127.5);
  assert.ok(sigmoid(100) > 250 && sigmoid(-100) < 5);
});
