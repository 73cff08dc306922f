import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';

/** The nice value of one thread of this process, from /proc (field 19 of its stat line). */
const niceOf = (threadId: number) =>
  Number(readFileSync(`/proc/self/task/${threadId}/stat`, 'utf8').split(') ')[1]!.split(' ')[16]);

test(
  'a thread that lowers its priority is niced alone; the calling thread keeps its own',
  { skip: process.platform !== 'linux' },
  async () => {
    const program = new URL('./thread-priority.ts', import.meta.url).href;
    const tsx = JSON.stringify(import.meta.resolve('tsx/esm/api'));
    const source = `
    const { parentPort } = require('node:worker_threads');
    const { readlinkSync } = require('node:fs');
    import(${tsx}).then((tsx) => { tsx.register(); return import(${JSON.stringify(program)}); }).then((m) => {
      m.lowerThreadPriority(19);
      parentPort.postMessage(Number(readlinkSync('/proc/thread-self').split('/').pop()));
      parentPort.once('message', () => process.exit(0));
    });`;
    const mainThread = Number(readFileSync('/proc/thread-self/stat', 'utf8').split(' ')[0]);
    const mainNice = niceOf(mainThread);
    const worker = new Worker(source, { eval: true });
    const workerThread = await new Promise<number>((resolve) => worker.once('message', resolve));
    // 19, the lowest priority, is allowed to any process whatever its own niceness.
    assert.equal(niceOf(workerThread), 19);
    assert.equal(niceOf(mainThread), mainNice);
    worker.postMessage('done');
    await new Promise((resolve) => worker.once('exit', resolve));
  },
);
