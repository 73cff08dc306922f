import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { test } from 'node:test';
import { connectMllp, createMllpServer, frame, MllpFramer } from './index.js';

const text = (b: Uint8Array) => Buffer.from(b).toString('latin1');

test('framer: a frame split at every byte, two frames in one read, FS and CR in separate reads', () => {
  const bytes = Buffer.concat([
    frame(Buffer.from('MSH|one')),
    Buffer.from('\r\n'),
    frame(Buffer.from('MSH|two')),
  ]);
  for (let cut = 1; cut < bytes.length; cut++) {
    const framer = new MllpFramer(1024);
    const got = [...framer.push(bytes.subarray(0, cut)).frames, ...framer.push(bytes.subarray(cut)).frames];
    assert.deepEqual(got.map(text), ['MSH|one', 'MSH|two'], `cut at ${cut}`);
  }
  const byteByByte = new MllpFramer(1024);
  const frames = [...bytes].flatMap((b) => byteByByte.push(Uint8Array.of(b)).frames);
  assert.deepEqual(frames.map(text), ['MSH|one', 'MSH|two']);
  assert.equal(new MllpFramer(1024).push(bytes).frames.length, 2);
});

test('framer: oversize frames, bytes outside frames and truncated frames end the stream', () => {
  const big = new MllpFramer(10);
  const first = big.push(frame(Buffer.from('MSH|fits')));
  assert.equal(first.frames.length, 1);
  const over = big.push(Buffer.concat([Buffer.from([0x0b]), Buffer.alloc(6, 65)]));
  assert.equal(over.error, undefined);
  assert.equal(big.push(Buffer.alloc(6, 65)).error?.reason, 'too-large');
  assert.equal(new MllpFramer(100).push(Buffer.from('MSH|no envelope')).error?.reason, 'outside-frame');
  const truncated = new MllpFramer(100).push(Buffer.from('\x0bMSH|half\x0bMSH|again\x1c\r'));
  assert.equal(truncated.error?.reason, 'truncated');
  const goodThenBad = new MllpFramer(100).push(Buffer.from('\x0bMSH|ok\x1c\rjunk'));
  assert.deepEqual(goodThenBad.frames.map(text), ['MSH|ok']);
  assert.equal(goodThenBad.error?.reason, 'outside-frame');
  assert.equal(new MllpFramer(100).push(Buffer.from('\x0bMSH|x\x1cX')).error?.reason, 'outside-frame');
});

test('server and client: answers in order for pipelined frames; garbage closes only its connection', async () => {
  const errors: string[] = [];
  const server = createMllpServer({
    maxFrameBytes: 1000,
    onMessage: async (message) => {
      // Later messages answer faster: order must come from the server, not from timing.
      const n = Number(text(message).split('|')[1]);
      await new Promise((r) => setTimeout(r, 20 - n * 5));
      return Buffer.from(`ACK|${n}`);
    },
    onConnectionError: (error) => errors.push(error.message),
  });
  const { port } = await server.listen(0, '127.0.0.1');
  try {
    const client = await connectMllp({ host: '127.0.0.1', port, timeoutMs: 2000 });
    const answers = await Promise.all([1, 2, 3].map((n) => client.send(Buffer.from(`MSH|${n}`))));
    assert.deepEqual(answers.map(text), ['ACK|1', 'ACK|2', 'ACK|3']);

    // Two frames and a half in one write on a raw socket, then the rest.
    const raw = connect(port, '127.0.0.1');
    const received: Buffer[] = [];
    raw.on('data', (chunk: Buffer) => received.push(chunk));
    await new Promise((r) => raw.once('connect', r));
    const all = Buffer.concat([
      frame(Buffer.from('MSH|1')),
      frame(Buffer.from('MSH|2')),
      frame(Buffer.from('MSH|3')),
    ]);
    raw.write(all.subarray(0, all.length - 4));
    await new Promise((r) => setTimeout(r, 30));
    raw.write(all.subarray(all.length - 4));
    await new Promise((r) => setTimeout(r, 100));
    const framer = new MllpFramer(100);
    assert.deepEqual(framer.push(Buffer.concat(received)).frames.map(text), ['ACK|1', 'ACK|2', 'ACK|3']);

    // An oversize frame closes that connection; the server goes on serving others.
    const closed = new Promise((r) => raw.once('close', r));
    raw.write(Buffer.concat([Buffer.from([0x0b]), Buffer.alloc(2000, 65)]));
    await closed;
    assert.match(errors.join(' '), /larger than 1000/);
    assert.equal(text(await client.send(Buffer.from('MSH|0'))), 'ACK|0');
    await client.close();
  } finally {
    await server.close();
  }
});

test('client: a peer that never answers times out; a closed peer rejects', async () => {
  const server = createMllpServer({ maxFrameBytes: 1000, onMessage: () => new Promise(() => undefined) });
  const { port } = await server.listen(0, '127.0.0.1');
  const client = await connectMllp({ host: '127.0.0.1', port, timeoutMs: 100 });
  await assert.rejects(client.send(Buffer.from('MSH|1')), /no answer within 100 ms/);
  await server.close();
  await assert.rejects(connectMllp({ host: '127.0.0.1', port, timeoutMs: 500 }), /ECONNREFUSED|closed/);
});
