// Shared by the *.test.ts files: locations of the real test corpora and the external tools they run.
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const PYDICOM_DATA = '/usr/lib/python3/dist-packages/pydicom/data';
export const TEST_FILES = join(PYDICOM_DATA, 'test_files');
export const CHARSET_FILES = join(PYDICOM_DATA, 'charset_files');

export function listFiles(dir: string): string[] {
  return readdirSync(dir)
    .flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? listFiles(path) : [path];
    })
    .sort();
}

/** Fails clearly when a tool the tests depend on (DCMTK, dicom3tools) is not installed. */
export function requireTool(name: string): string {
  const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  if (found.status !== 0) throw new Error(`test needs "${name}" on PATH (Debian: dcmtk / dicom3tools)`);
  return found.stdout.trim();
}

export function run(tool: string, args: string[]): { status: number; stdout: string; stderr: string } {
  requireTool(tool);
  const result = spawnSync(tool, args, { encoding: 'utf8', maxBuffer: 1 << 28 });
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

export function runOk(tool: string, args: string[]): string {
  requireTool(tool);
  return execFileSync(tool, args, { encoding: 'utf8', maxBuffer: 1 << 28 });
}
