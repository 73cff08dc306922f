import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { describe, test } from 'node:test';
import { MultipartReader } from './multipart-reader.js';
import { multipartRelated, type MultipartPart } from './multipart-writer.js';

const LIMITS = { maxBodyBytes: 4 << 20, maxParts: 100 };

function part(text: string, opened: string[]): MultipartPart {
  return {
    contentType: 'application/dicom',
    size: Buffer.byteLength(text),
    open: () => {
      opened.push(text);
      return Readable.from([Buffer.from(text)]);
    },
  };
}

describe('multipartRelated', () => {
  test('the body reads back as its parts, and its length is announced when every size is known', async () => {
    for (const texts of [[], ['one'], ['first', '', 'third\r\n--not-a-boundary', 'x'.repeat(70_000)]]) {
      const { contentType, body, length } = multipartRelated(
        'application/dicom',
        texts.map((t) => part(t, [])),
      );
      const bytes = await buffer(body);
      assert.equal(length, bytes.byteLength);
      const boundary = /boundary=(\S+)/.exec(contentType)![1]!;
      const reader = new MultipartReader(Readable.from([bytes]), boundary, LIMITS);
      const read: string[] = [];
      for (let p = await reader.nextPart(); p; p = await reader.nextPart()) {
        read.push((await buffer(p.body)).toString());
      }
      assert.deepEqual(read, texts);
    }
  });

  test('no length when a size is unknown; the next part is opened while the current one is sent', async () => {
    const opened: string[] = [];
    const parts = [part('a', opened), { ...part('b', opened), size: undefined }, part('c', opened)];
    const { body, length } = multipartRelated('application/dicom', parts);
    assert.equal(length, undefined);
    const reader = body[Symbol.asyncIterator]();
    await reader.next(); // the first part's header: the first two parts are open by now
    assert.deepEqual(opened, ['a', 'b']);
    await reader.return!(undefined);
  });
});
