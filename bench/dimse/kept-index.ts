// `--keep-indexes`: a C-FIND index folder remembers how it was built, so that a later run queries it instead
// of building it again (200,000 instances take 5-20 minutes to load into each receiver).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface KeptBuild {
  method: string;
  seconds: number | null;
  instances: number;
  studies: number;
}

const KEPT_BUILD = 'bench-build.json';

export function readKeptBuild(dir: string): KeptBuild | undefined {
  const file = join(dir, KEPT_BUILD);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as KeptBuild) : undefined;
}

export function writeKeptBuild(dir: string, build: KeptBuild): void {
  writeFileSync(join(dir, KEPT_BUILD), `${JSON.stringify(build)}\n`);
}
