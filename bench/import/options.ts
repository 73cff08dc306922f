// Command line of the import bench.
import { tmpdir } from 'node:os';
import { parseArgs } from 'node:util';
import { integerOption } from './measure.js';

export interface Candidate {
  name: string;
  kind: 'cp' | 'cp-sync' | 'lantern';
  /** Extra environment for a Lantern configuration. */
  env: Record<string, string>;
}

export interface BenchOptions {
  instances: number;
  /** Parent folder of the temporary folders; its file system is what is measured. */
  tmp: string;
  /** Rounds; every candidate runs once a round, and the median is reported. */
  repeat: number;
  candidates: Candidate[];
  timeoutSeconds: number;
  /** The Lantern entry point; when given, it is used as is (no build). */
  main: string | undefined;
}

export const USAGE = `usage: npx tsx bench/import/run.ts [options]
  --instances N          CT instances to import (default 2000: 20 studies × 4 series × 25)
  --repeat N             rounds, median reported (default 3, at most 10)
  --tmp DIR              where the temporary folders go (default: the OS temp folder)
  --variant 'L:K=V,K=V'  also run Lantern labelled L with extra environment K=V (repeatable)
  --timeout-seconds N    give up on one Lantern run after N seconds (default 1800)
  --main FILE            run this entry point instead of dist/main.js (which is built when stale)`;

const integer = (text: string, name: string, min: number, max: number) =>
  integerOption(text, name, [min, max], USAGE);

/** 'label:KEY=VALUE,KEY=VALUE' → a Lantern candidate, e.g. another database or storage backend. */
function variant(spec: string): Candidate {
  const colon = spec.indexOf(':');
  const label = colon < 0 ? spec : spec.slice(0, colon);
  const env: Record<string, string> = {};
  const settings = colon < 0 ? '' : spec.slice(colon + 1);
  for (const pair of settings.split(',').filter((p) => p !== '')) {
    const equals = pair.indexOf('=');
    const key = equals < 0 ? pair : pair.slice(0, equals);
    if (!/^[A-Z_][A-Z0-9_]*$/.test(key)) throw new Error(`bad --variant setting: ${pair}\n${USAGE}`);
    env[key] = equals < 0 ? '' : pair.slice(equals + 1);
  }
  return { name: `lantern import (${label})`, kind: 'lantern', env };
}

export function parseOptions(args: string[]): BenchOptions {
  const { values } = parseArgs({
    args,
    options: {
      instances: { type: 'string', default: '2000' },
      repeat: { type: 'string', default: '3' },
      tmp: { type: 'string', default: tmpdir() },
      variant: { type: 'string', multiple: true, default: [] },
      'timeout-seconds': { type: 'string', default: '1800' },
      main: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  return {
    instances: integer(values.instances, 'instances', 1, 100_000),
    repeat: integer(values.repeat, 'repeat', 1, 10),
    tmp: values.tmp,
    main: values.main,
    timeoutSeconds: integer(values['timeout-seconds'], 'timeout-seconds', 1, 86_400),
    candidates: [
      { name: 'cp -r', kind: 'cp', env: {} },
      { name: 'cp -r + sync', kind: 'cp-sync', env: {} },
      { name: 'lantern import', kind: 'lantern', env: {} },
      ...values.variant.map(variant),
    ],
  };
}
