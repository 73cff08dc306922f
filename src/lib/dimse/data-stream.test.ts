import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DataStream } from './data-stream.js';

describe('DataStream', () => {
  it('pauses above the high-water mark and resumes after half drained', async () => {
    const calls: string[] = [];
    const stream = new DataStream(
      { pause: () => calls.push('pause'), resume: () => calls.push('resume') },
      10,
    );
    for (let i = 0; i < 4; i++) stream.push(Buffer.alloc(4, i));
    stream.end();
    assert.deepEqual(calls, ['pause']);
    const seen: number[] = [];
    for await (const chunk of stream) {
      seen.push(chunk[0] ?? -1);
      if (seen.length === 2) assert.deepEqual(calls, ['pause']);
      if (seen.length === 3) assert.deepEqual(calls, ['pause', 'resume']);
    }
    assert.deepEqual(seen, [0, 1, 2, 3]);
    await stream.finished;
  });

  it('discards the rest when the consumer stops early, and fails with the association', async () => {
    const stream = new DataStream({ pause: () => undefined, resume: () => undefined }, 1 << 20);
    stream.push(Buffer.from('ab'));
    for await (const _chunk of stream) break;
    stream.push(Buffer.from('cd'));
    stream.end();
    assert.equal(stream.receivedBytes, 4);
    await stream.finished;
    const failing = new DataStream({ pause: () => undefined, resume: () => undefined }, 1 << 20);
    failing.fail(new Error('closed'));
    await assert.rejects(failing.collect(10), /closed/);
  });

  it('caps collected data', async () => {
    const stream = new DataStream({ pause: () => undefined, resume: () => undefined }, 1 << 20);
    stream.push(Buffer.alloc(8));
    stream.push(Buffer.alloc(8));
    stream.end();
    await assert.rejects(stream.collect(10), /larger than 10/);
  });
});
