import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chooseMediaType, parseAccept } from './accept-negotiation.js';
import { acceptsMultipart } from './wado-negotiation.js';

test('Accept ranges are ordered by q, then as given; q=0 is left out; quoted parameters keep their commas', () => {
  const ranges = parseAccept(
    'application/json;q=0.5, multipart/related; type="application/dicom"; transfer-syntax=*, text/html;q=0, application/dicom+json',
  );
  assert.deepEqual(
    ranges.map((r) => r.mediaType),
    ['multipart/related', 'application/dicom+json', 'application/json'],
  );
  assert.deepEqual(ranges[0]!.params, { type: 'application/dicom', 'transfer-syntax': '*' });
  assert.deepEqual(parseAccept(undefined), [{ mediaType: '*/*', params: {}, q: 1 }]);
});

test('JSON negotiation takes the client preference and wildcards', () => {
  const offered = ['application/dicom+json', 'application/json'];
  assert.equal(chooseMediaType(parseAccept('application/json'), offered), 'application/json');
  assert.equal(chooseMediaType(parseAccept('application/*'), offered), 'application/dicom+json');
  assert.equal(chooseMediaType(parseAccept('application/dicom+xml'), offered), undefined);
});

test('multipart DICOM is acceptable with no, any or the stored transfer syntax only', () => {
  const stored = ['1.2.840.10008.1.2.4.90'];
  const accepts = (header: string) => acceptsMultipart(parseAccept(header), 'application/dicom', stored);
  assert.ok(accepts('multipart/related; type="application/dicom"'));
  assert.ok(accepts('multipart/related; type="application/dicom"; transfer-syntax=*'));
  assert.ok(accepts('multipart/related; type="application/dicom"; transfer-syntax=1.2.840.10008.1.2.4.90'));
  assert.ok(!accepts('multipart/related; type="application/dicom"; transfer-syntax=1.2.840.10008.1.2.1'));
  assert.ok(!accepts('multipart/related; type="application/octet-stream"'));
  assert.ok(!accepts('application/zip'));
  assert.ok(accepts('application/zip, */*;q=0.1'));
});
