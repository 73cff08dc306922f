// DCMTK's command-line tools as real peers. Debian's DCMTK leaves Nagle on unless TCP_NODELAY=1 is set,
// which costs 40 ms per message, so every tool runs with it.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { createServer } from 'node:net';

export interface ToolResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Both streams in arrival order: DCMTK logs to either. */
  output: string;
}

const env = () => ({ ...process.env, TCP_NODELAY: '1' });

export function runTool(tool: string, args: string[], timeoutMs = 120_000): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(tool, args, { env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let output = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => ((stdout += chunk.toString()), (output += chunk.toString())));
    child.stderr.on('data', (chunk: Buffer) => ((stderr += chunk.toString()), (output += chunk.toString())));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, output });
    });
  });
}

/** A TCP port free on loopback right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** A `storescp` that writes what it receives, bit-preserving, into `dir`: a C-MOVE destination. */
export async function startStorescp(dir: string, aeTitle: string): Promise<{ port: number; stop(): void }> {
  const port = await freePort();
  await mkdir(dir, { recursive: true });
  const child: ChildProcess = spawn('storescp', ['+B', '-aet', aeTitle, '-od', dir, String(port)], {
    env: env(),
    stdio: 'ignore',
  });
  for (let i = 0; i < 100; i++) {
    if ((await runTool('echoscu', ['-aec', aeTitle, '127.0.0.1', String(port)], 5000)).code === 0) {
      return { port, stop: () => child.kill('SIGTERM') };
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill('SIGKILL');
  throw new Error('storescp did not start');
}

/** `storescu` sends every file under `folder` (recursively) to Lantern's DICOM port; asserts it succeeded. */
export async function storeFolder(port: number, folder: string, callingAe?: string): Promise<ToolResult> {
  const sent = await runTool('storescu', [
    ...(callingAe ? ['-aet', callingAe] : []),
    ...['-aec', 'LANTERN', '+sd', '+r', '127.0.0.1', String(port), folder],
  ]);
  if (sent.code !== 0) throw new Error(`storescu failed (${sent.code}): ${sent.output}`);
  return sent;
}
