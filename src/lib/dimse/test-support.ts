// Shared by the lib/dimse *.test.ts files: DCMTK runs (always with TCP_NODELAY=1, or DCMTK stalls 40 ms
// per message), temporary folders, Part 10 data set extraction and a tiny Implicit VR LE encoder.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  acceptRoleSelections,
  selectPresentationContexts,
  type NegotiationDecision,
} from './association-negotiation.js';
import { createDimseServer, type DimseServer, type DimseServerOptions } from './dimse-server.js';
import type { DimseHandlers } from './scp-handlers.js';

export const TEST_FILES = '/usr/lib/python3/dist-packages/pydicom/data/test_files';
export const EXPLICIT_LE = '1.2.840.10008.1.2.1';
export const IMPLICIT_LE = '1.2.840.10008.1.2';
export const CT_IMAGE_STORAGE = '1.2.840.10008.5.1.4.1.1.2';
export const MR_IMAGE_STORAGE = '1.2.840.10008.5.1.4.1.1.4';
export const VERIFICATION = '1.2.840.10008.1.1';
export const STUDY_ROOT_FIND = '1.2.840.10008.5.1.4.1.2.2.1';
export const STUDY_ROOT_MOVE = '1.2.840.10008.5.1.4.1.2.2.2';
export const STUDY_ROOT_GET = '1.2.840.10008.5.1.4.1.2.2.3';
export const PATIENT_ROOT_FIND = '1.2.840.10008.5.1.4.1.2.1.1';

export interface ToolResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a DCMTK tool without blocking the event loop (our server runs in this process). */
export function runTool(tool: string, args: string[], timeoutMs = 30_000): Promise<ToolResult> {
  return new Promise((resolve) => {
    execFile(
      tool,
      args,
      { env: { ...process.env, TCP_NODELAY: '1' }, timeout: timeoutMs, maxBuffer: 1 << 26 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

export function tempDir(): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), 'dimse-test-'));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** The bytes after the Part 10 preamble and file meta group (PS3.10 7.1). */
export function dataSetOf(file: Uint8Array): Uint8Array {
  const buffer = Buffer.from(file.buffer, file.byteOffset, file.byteLength);
  if (buffer.toString('latin1', 128, 132) !== 'DICM') throw new Error('not a Part 10 file');
  if (buffer.readUInt16LE(132) !== 0x0002 || buffer.readUInt16LE(134) !== 0x0000)
    throw new Error('no group length');
  return buffer.subarray(144 + buffer.readUInt32LE(140));
}

export function dataSetOfFile(path: string): Uint8Array {
  return dataSetOf(readFileSync(path));
}

/**
 * The data set without a final top-level (FFFC,FFFC) Data Set Trailing Padding element (Explicit VR LE),
 * which DCMTK drops when it sends a file (PS3.10 7.2 lets it).
 */
export function withoutTrailingPadding(dataSet: Uint8Array): Uint8Array {
  const buffer = Buffer.from(dataSet.buffer, dataSet.byteOffset, dataSet.byteLength);
  const at = buffer.lastIndexOf(Buffer.from([0xfc, 0xff, 0xfc, 0xff, 0x4f, 0x42, 0, 0]));
  if (at >= 0 && at + 12 + buffer.readUInt32LE(at + 8) === buffer.length) return buffer.subarray(0, at);
  return buffer;
}

/** Writes a Part 10 file: the meta of `template` with a new data set (used to build a large instance). */
export function writeWithDataSet(template: string, dataSet: Uint8Array, path: string): void {
  const file = readFileSync(template);
  const metaEnd = file.length - dataSetOf(file).length;
  writeFileSync(path, Buffer.concat([file.subarray(0, metaEnd), dataSet]));
}

/** A small data set in Implicit or Explicit VR Little Endian; values padded to even length (PS3.5 7.1). */
export function encodeDataSet(
  transferSyntaxUid: string,
  entries: Array<[tag: number, vr: string, value: string]>,
): Buffer {
  const explicit = transferSyntaxUid !== IMPLICIT_LE;
  return Buffer.concat(
    entries.map(([tag, vr, value]) => {
      let bytes = Buffer.from(value, 'latin1');
      if (bytes.length % 2 === 1)
        bytes = Buffer.concat([bytes, Buffer.from(vr === 'UI' ? '\0' : ' ', 'latin1')]);
      const header = Buffer.alloc(8);
      header.writeUInt16LE(tag >>> 16, 0);
      header.writeUInt16LE(tag & 0xffff, 2);
      if (explicit) {
        header.write(vr, 4, 'latin1');
        header.writeUInt16LE(bytes.length, 6);
      } else {
        header.writeUInt32LE(bytes.length, 4);
      }
      return Buffer.concat([header, bytes]);
    }),
  );
}

/** Accepts everything in Explicit then Implicit VR LE and every role proposed (test default policy). */
export function acceptAll(preferred: string[] = [EXPLICIT_LE, IMPLICIT_LE]): DimseServerOptions['negotiate'] {
  return (request): NegotiationDecision => {
    const contexts = selectPresentationContexts(request.presentationContexts, () => preferred);
    return {
      accept: { presentationContexts: contexts, roleSelections: acceptRoleSelections(request, contexts) },
    };
  };
}

export async function startServer(
  handlers: DimseHandlers,
  options: Partial<DimseServerOptions> = {},
): Promise<{ server: DimseServer; port: number }> {
  const server = createDimseServer({ negotiate: acceptAll(), handlers, ...options });
  const { port } = await server.listen(0, '127.0.0.1');
  return { server, port };
}

/** Collects a streamed data set (tests only; the engine itself never does this for C-STORE). */
export async function collect(data: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const chunk of data) parts.push(chunk);
  return Buffer.concat(parts);
}

/** Waits for a storescp (or other tool) child to start listening on a port. */
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A port the OS just handed out (closed again), for tools that cannot be told to pick one. */
export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** Starts DCMTK storescp in `dir` (bit preserving) and waits until it accepts connections. */
export async function startStorescp(
  dir: string,
  aeTitle = 'STORESCP',
): Promise<{ port: number; stop(): void }> {
  const { spawn } = await import('node:child_process');
  const { connect } = await import('node:net');
  const port = await freePort();
  const child = spawn('storescp', ['-aet', aeTitle, '-od', dir, '+B', String(port)], {
    env: { ...process.env, TCP_NODELAY: '1' },
    stdio: 'ignore',
  });
  child.on('error', () => undefined);
  for (let attempt = 0; attempt < 100; attempt++) {
    const up = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.on('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (up) break;
    await sleep(50);
  }
  return { port, stop: () => child.kill() };
}
