// bench/hl7: inbound ADT messages/s over MLLP against `lantern serve` (dist/), with durable storage: every
// message is committed to the message log before its ACK. For each scenario (connections × ACK mode) a
// fresh data folder and server; reports the ACK rate and the time until every message is processed.
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { adtMessage, sendBurst } from '../../test/hl7/adt-burst.js';
import { describeMachine, ensureBuilt, integerOption, median, printRows } from '../import/measure.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const USAGE = `usage: npx tsx bench/hl7/run.ts [options]
  --messages N           ADT messages per run (default 5000)
  --connections LIST     connection counts, comma-separated (default 1,4)
  --window N             messages in flight per connection (default 1: wait for each ACK)
  --modes LIST           original (AA after processing, hl7.ackWaitMs), enhanced (CA once stored); default both
  --repeat N             runs per scenario (default 1; the table shows the median)
  --log-level LEVEL      Lantern's log level (default info, written to a file as in production)
  --main FILE            run this entry point instead of dist/main.js (built when stale)
  --env KEY=VALUE,…      extra environment for lantern serve (e.g. LANTERN_DATABASE_URL=postgres://…)`;

const BENCH_API_KEY = 'lantern-bench-hl7-administrator-key';

// Clock ticks per second of /proc/<pid>/stat (USER_HZ, 100 on Linux).
const USER_HZ = 100;

/**
 * A process's CPU time so far in ms (user + system, /proc/<pid>/stat): what the messages cost the server
 * whatever else the shared machine runs, unlike the rates, which follow the load.
 */
function cpuMsOf(pid: number | undefined, thread?: number): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(
      thread === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${thread}/stat`,
      'utf8',
    );
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / USER_HZ;
  } catch {
    return undefined;
  }
}

interface Run {
  mode: string;
  connections: number;
  messages: number;
  ackSeconds: number;
  processedSeconds: number;
  ackPerSecond: number;
  processedPerSecond: number;
  acks: Record<string, number>;
  /** Server CPU time per message (ms), from storing to processed; undefined where /proc cannot be read. */
  cpuMsPerMessage: number | undefined;
  /**
   * Of it, the main (JavaScript) thread's: the rest is V8's garbage collection helpers and SQLite's WAL
   * checkpointer. One thread runs every message, so 1000 ÷ this is the most messages/s the server can take.
   */
  mainThreadCpuMsPerMessage: number | undefined;
  load: number[];
}

function serve(main: string, dataDir: string, env: Record<string, string>, logLevel: string) {
  const log = openSync(join(dataDir, 'serve.log'), 'a');
  const child: ChildProcess = spawn(process.execPath, [main, 'serve'], {
    env: {
      ...process.env,
      LANTERN_DATA_DIR: dataDir,
      LANTERN_HTTP_PORT: '0',
      LANTERN_DICOM_PORT: '0',
      LANTERN_HL7_PORT: '0',
      LANTERN_LOG_LEVEL: logLevel,
      // Authentication is on by default: the counts are read with this administrator key.
      LANTERN_SECURITY_BOOTSTRAP_ADMIN_API_KEY: BENCH_API_KEY,
      // The burst's sender (test/hl7/adt-burst.ts), listed: no HL7 sender is accepted by default.
      LANTERN_HL7_ALLOWED_SENDERS: 'BURST^HOSP',
      ...env,
    },
    stdio: ['ignore', 'pipe', log],
  });
  closeSync(log);
  return new Promise<{ child: ChildProcess; httpUrl: string; hl7Port: number }>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const ready = /serving on (http:\/\/\S+) .*and HL7 \S+:(\d+)/.exec(out);
      if (ready) resolve({ child, httpUrl: ready[1]!, hl7Port: Number(ready[2]) });
    });
    child.once('close', (code) => reject(new Error(`serve exited with ${code}: ${out}`)));
  });
}

async function processedCount(httpUrl: string): Promise<number> {
  const response = await fetch(`${httpUrl}/api/hl7/messages/counts`, {
    headers: { authorization: `Bearer ${BENCH_API_KEY}` },
  });
  if (!response.ok) throw new Error(`counts: HTTP ${response.status}`);
  const counts = (await response.json()) as { inbound: Record<string, number> };
  return counts.inbound.processed ?? 0;
}

async function runOnce(
  main: string,
  mode: string,
  connections: number,
  messages: number,
  window: number,
  env: Record<string, string>,
  logLevel: string,
): Promise<Run> {
  const dataDir = mkdtempSync(join(tmpdir(), 'lantern-bench-hl7-'));
  const server = await serve(main, dataDir, env, logLevel);
  try {
    const stamp = Date.now().toString(36);
    const cpuBefore = cpuMsOf(server.child.pid);
    const mainBefore = cpuMsOf(server.child.pid, server.child.pid);
    const started = performance.now();
    const burst = await sendBurst({
      port: server.hl7Port,
      count: messages,
      connections,
      window,
      // Each message its own patient: the worst case for the store (a new row per message).
      message: (i) => adtMessage(`B${stamp}-${i}`, `BENCH${i}`, { enhanced: mode === 'enhanced' }),
    });
    const ackSeconds = (performance.now() - started) / 1000;
    const accepted = burst.acks.filter((c) => c === 'AA' || c === 'CA').length;
    for (;;) {
      if ((await processedCount(server.httpUrl)) >= accepted) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const processedSeconds = (performance.now() - started) / 1000;
    const cpuAfter = cpuMsOf(server.child.pid);
    const mainAfter = cpuMsOf(server.child.pid, server.child.pid);
    const acks: Record<string, number> = {};
    for (const code of burst.acks) acks[code ?? 'none'] = (acks[code ?? 'none'] ?? 0) + 1;
    return {
      mode,
      connections,
      messages,
      ackSeconds,
      processedSeconds,
      ackPerSecond: messages / ackSeconds,
      processedPerSecond: messages / processedSeconds,
      acks,
      cpuMsPerMessage:
        cpuBefore === undefined || cpuAfter === undefined ? undefined : (cpuAfter - cpuBefore) / messages,
      mainThreadCpuMsPerMessage:
        mainBefore === undefined || mainAfter === undefined ? undefined : (mainAfter - mainBefore) / messages,
      load: loadavg(),
    };
  } finally {
    server.child.kill('SIGTERM');
    await new Promise((r) => server.child.once('close', r));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function main() {
  const { values } = parseArgs({
    options: {
      messages: { type: 'string', default: '5000' },
      connections: { type: 'string', default: '1,4' },
      window: { type: 'string', default: '1' },
      modes: { type: 'string', default: 'original,enhanced' },
      repeat: { type: 'string', default: '1' },
      'log-level': { type: 'string', default: 'info' },
      main: { type: 'string' },
      env: { type: 'string', default: '' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return console.log(USAGE);
  const messages = integerOption(values.messages, 'messages', [1, 1_000_000], USAGE);
  const window = integerOption(values.window, 'window', [1, 1000], USAGE);
  const repeat = integerOption(values.repeat, 'repeat', [1, 20], USAGE);
  const connections = values.connections
    .split(',')
    .map((c) => integerOption(c, 'connections', [1, 64], USAGE));
  const modes = values.modes.split(',').filter((m) => m === 'original' || m === 'enhanced');
  const env = Object.fromEntries(
    values.env
      .split(',')
      .filter(Boolean)
      .map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]),
  );
  let main = values.main;
  if (main === undefined) {
    const failed = ensureBuilt(repoRoot);
    if (failed !== undefined) throw new Error('npm run build failed');
    main = join(repoRoot, 'dist', 'main.js');
  }
  const runs: Run[] = [];
  for (let round = 0; round < repeat; round++) {
    for (const mode of modes) {
      for (const count of connections) {
        const run = await runOnce(main, mode, count, messages, window, env, values['log-level']);
        runs.push(run);
        console.log(
          `${mode} × ${count}: ${run.ackPerSecond.toFixed(0)} ACKs/s, all processed after ${run.processedSeconds.toFixed(2)} s, server CPU ${run.cpuMsPerMessage?.toFixed(3) ?? '?'} ms/message (main thread ${run.mainThreadCpuMsPerMessage?.toFixed(3) ?? '?'}) (load ${run.load.map((l) => l.toFixed(2)).join(' ')})`,
        );
      }
    }
  }
  const rows = [
    [
      'scenario',
      'messages',
      'ACKs/s',
      'processed/s',
      'all ACKed (s)',
      'all processed (s)',
      'server CPU ms/msg',
      'main thread',
      'ACKs',
    ],
  ];
  for (const mode of modes) {
    for (const count of connections) {
      const these = runs.filter((r) => r.mode === mode && r.connections === count);
      const m = (pick: (r: Run) => number, digits: number) => median(these.map(pick))!.toFixed(digits);
      rows.push([
        `${mode}, ${count} connection${count > 1 ? 's' : ''}, window ${window}`,
        String(messages),
        m((r) => r.ackPerSecond, 0),
        m((r) => r.processedPerSecond, 0),
        m((r) => r.ackSeconds, 2),
        m((r) => r.processedSeconds, 2),
        these.some((r) => r.cpuMsPerMessage === undefined) ? '?' : m((r) => r.cpuMsPerMessage!, 3),
        these.some((r) => r.mainThreadCpuMsPerMessage === undefined)
          ? '?'
          : m((r) => r.mainThreadCpuMsPerMessage!, 3),
        Object.entries(these[0]!.acks)
          .map(([code, n]) => `${code} ${n}`)
          .join(' '),
      ]);
    }
  }
  console.log();
  printRows(rows);
  console.log(
    `\nload average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  const outDir = join(repoRoot, 'bench', 'out');
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, `hl7-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(
    file,
    JSON.stringify(
      { machine: describeMachine(tmpdir(), repoRoot), messages, window, env: Object.keys(env), runs },
      null,
      2,
    ),
  );
  console.log(`written ${file}`);
  const refused = runs.some((r) => Object.keys(r.acks).some((code) => code !== 'AA' && code !== 'CA'));
  if (refused) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error((error as Error).message);
  process.exitCode = 1;
});
