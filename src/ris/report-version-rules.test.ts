import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LanternError } from '../platform/errors.js';
import type { ReportVersion } from './report.js';
import {
  assertAmendable,
  assertEditable,
  assertKeepsSigned,
  assertNewDraft,
  signingTarget,
} from './report-version-rules.js';

const version = (over: Partial<ReportVersion>): ReportVersion => ({
  version: 1,
  kind: 'original',
  status: 'draft',
  sections: [{ title: 'Findings', text: 'x' }],
  reason: null,
  author: { kind: 'user', id: 'alice' },
  signer: null,
  signedAt: null,
  createdAt: '',
  updatedAt: '',
  ...over,
});
const refused = (code: string, pattern: RegExp) => (e: unknown) =>
  e instanceof LanternError && e.code === code && pattern.test(e.message);

test('a draft starts on a completed exam, or revises a preliminary report; never over a draft or a final', () => {
  assertNewDraft('completed', undefined);
  assertNewDraft('preliminary', version({ status: 'preliminary' }));
  assert.throws(() => assertNewDraft('completed', version({})), refused('conflict', /is a draft; edit it/));
  assert.throws(() => assertNewDraft('final', version({ status: 'final' })), refused('conflict', /amend it/));
  for (const status of ['ordered', 'scheduled', 'arrived', 'in-progress'] as const) {
    assert.throws(
      () => assertNewDraft(status, undefined),
      refused('conflict', new RegExp(`order is ${status}; the exam is not completed`)),
    );
  }
  for (const status of ['cancelled', 'discontinued'] as const) {
    assert.throws(
      () => assertNewDraft(status, undefined),
      refused('conflict', new RegExp(`${status} exam is not reported`)),
    );
  }
});

test('only the author edits, and only a draft', () => {
  const alice = { kind: 'user', id: 'alice' };
  assert.equal(assertEditable(version({}), alice).version, 1);
  assert.throws(
    () => assertEditable(version({}), { kind: 'user', id: 'bob' }),
    refused('forbidden', /only its author/),
  );
  assert.throws(
    () => assertEditable(version({}), { kind: 'ae', id: 'alice' }),
    refused('forbidden', /only its author/),
  );
  assert.throws(
    () => assertEditable(version({ status: 'preliminary' }), alice),
    refused('conflict', /never change/),
  );
  assert.throws(
    () => assertEditable(version({ status: 'final' }), alice),
    refused('conflict', /never change/),
  );
  assert.throws(() => assertEditable(undefined, alice), refused('conflict', /start a draft/));
});

test('signing: what the order becomes', () => {
  assert.equal(signingTarget('completed', version({}), 'preliminary'), 'preliminary');
  assert.equal(signingTarget('completed', version({}), 'final'), 'final');
  assert.equal(signingTarget('preliminary', version({ status: 'preliminary' }), 'final'), 'final');
  assert.equal(signingTarget('final', version({ kind: 'amendment', version: 2 }), 'final'), 'amended');
  assert.equal(signingTarget('amended', version({ kind: 'addendum', version: 3 }), 'final'), 'amended');
  assert.throws(
    () => signingTarget('preliminary', version({ status: 'preliminary' }), 'preliminary'),
    refused('conflict', /sign it final/),
  );
  assert.throws(
    () => signingTarget('final', version({ status: 'final' }), 'final'),
    refused('conflict', /already final/),
  );
  assert.throws(
    () => signingTarget('final', version({ kind: 'addendum' }), 'preliminary'),
    refused('conflict', /addendum is signed final/),
  );
  assert.throws(() => signingTarget('completed', undefined, 'final'), refused('conflict', /no report yet/));
  assert.throws(
    () => signingTarget('cancelled', version({}), 'final'),
    refused('conflict', /order is cancelled/),
  );
  assert.throws(
    () => signingTarget('in-progress', version({}), 'final'),
    refused('conflict', /order is in-progress/),
  );
});

test('amending needs a final version; an addendum keeps the signed sections', () => {
  assert.equal(assertAmendable(version({ status: 'final' })).status, 'final');
  assert.throws(
    () => assertAmendable(version({ status: 'preliminary' })),
    refused('conflict', /only a final report is amended/),
  );
  assert.throws(() => assertAmendable(undefined), refused('conflict', /nothing to amend/));
  const signed = [{ title: 'Findings', text: 'a' }];
  assertKeepsSigned(signed, [...signed, { title: 'Addendum', text: 'b' }]);
  assert.throws(() => assertKeepsSigned(signed, signed), refused('conflict', /adds at least one/));
  assert.throws(
    () =>
      assertKeepsSigned(signed, [
        { title: 'Findings', text: 'changed' },
        { title: 'Addendum', text: 'b' },
      ]),
    refused('conflict', /unchanged/),
  );
});
