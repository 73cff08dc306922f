import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseMessage } from '../../lib/hl7v2/index.js';
import { orderingKey } from './ordering-key.js';

const msh = (type: string, id: string) =>
  `MSH|^~\\&|SCHED|HOSP|LANTERN|RAD|20261128100000||${type}|${id}|P|2.5.1`;
const sch = (placer: string, filler: string) =>
  `SCH|||||||||||^^^20261130090000|||||||||||||||${placer}|${filler}`;
const key = (...segments: string[]) => orderingKey(parseMessage(segments.join('\r')));

test('a message with a PID is keyed by its patient, an SIU without one by the order it books', () => {
  const pid = 'PID|||MRN1^^^HOSP^MR||Doe^Jane';
  assert.equal(key(msh('ADT^A04', '1'), 'EVN|A04', pid), 'HOSP|MRN1');
  assert.equal(key(msh('SIU^S12', '2'), sch('PL1^EMR', 'ACC1'), pid), 'HOSP|MRN1');
  // Without PID: the booking, rescheduling and cancelling of one order share its key …
  const s12 = key(msh('SIU^S12', '3'), sch('PL1^EMR', 'ACC1'), 'AIL|1||CT1');
  const s13 = key(msh('SIU^S13', '4'), sch('PL1^EMR', ''), 'AIL|1||CT2');
  const s15 = key(msh('SIU^S15', '5'), sch('PL1', 'ACC1'));
  assert.equal(s12, 'order placer|PL1');
  assert.equal(s13, s12);
  assert.equal(s15, s12);
  // … the filler number when no placer number is sent, and another order is another key.
  assert.equal(key(msh('SIU^S14', '6'), sch('', 'ACC1')), 'order filler|ACC1');
  assert.equal(key(msh('SIU^S12', '7'), sch('PL2', 'ACC2')), 'order placer|PL2');
  // Nothing to key on: processed as it comes.
  assert.equal(key(msh('SIU^S12', '8'), sch('', '')), null);
  assert.equal(key(msh('ORM^O01', '9'), 'ORC|NW|PL3'), null);
});
