// Command line of the DICOMweb bench.
import { tmpdir } from 'node:os';
import { parseArgs } from 'node:util';
import { integerOption } from '../import/measure.js';

export type ServerName = 'lantern' | 'orthanc';

export interface DicomwebBenchOptions {
  /** Sizes of the QIDO-RS indexes of small instances (default one of 20,000). */
  indexes: number[];
  /** Instances of the metadata study (10 series of a tenth each). */
  metadataInstances: number;
  /** Instances in one STOW-RS request. */
  batch: number;
  /** Rounds of the STOW-RS runs (each a fresh server per server and stream count). */
  repeat: number;
  /** CT instances of another study STOWed (untimed) to each fresh server before each timed STOW-RS run. */
  warmUp: number;
  /** Timed repetitions of one latency measurement (QIDO, frame, rendered) after a warm-up. */
  latencyRepeat: number;
  /** Timed repetitions of the whole-study retrieve and of the cached metadata. */
  retrieveRepeat: number;
  /** Time budget of one measurement's repetitions; fewer are run when it is spent (at least 5). */
  budgetSeconds: number;
  tmp: string;
  /** Timeout of one client run (one HTTP request, storescu, lantern import). */
  timeoutSeconds: number;
  main: string | undefined;
  skip: Set<ServerName>;
  /** Leave out the QIDO index phase (only the CT phase). */
  noIndex: boolean;
}

export const USAGE = `usage: npx tsx bench/dicomweb/run.ts [options]
  --index N               QIDO-RS on an index of N small (16 × 16) instances, 5 a study; repeatable or
                          comma-separated, e.g. --index 20000,200000 (default 20000; loaded with lantern import
                          and with storescu over 4 associations into Orthanc; 200,000 adds about 15 minutes)
  --no-index              leave out the QIDO-RS index phase
  --metadata-instances N  instances of the study whose metadata is timed (default 1000, 512 × 512 CT)
  --batch N               instances in one STOW-RS request (default 20)
  --warm-up N             before each timed STOW-RS run, send N other CT instances (untimed) over as many
                          streams, to every server alike, so that the run measures a server in service rather
                          than one starting up (Lantern's JIT compiler); 0 measures from cold (default 1000)
  --repeat N              rounds of the STOW-RS runs, median reported (default 1, at most 10)
  --latency-repeat N      timed repetitions of each QIDO, frame and rendered request (default 200)
  --retrieve-repeat N     timed repetitions of the study retrieve and of the cached metadata (default 10)
  --budget-seconds N      stop repeating one measurement after N seconds (default 20; at least 5 repetitions)
  --tmp DIR               where the temporary folders go (default: the OS temp folder)
  --timeout-seconds N     give up on one request or client run after N seconds (default 900)
  --skip NAME             leave out a server: lantern or orthanc
  --main FILE             run this entry point instead of dist/main.js (which is built when stale)`;

const integer = (text: string, name: string, min: number, max: number) =>
  integerOption(text, name, [min, max], USAGE);

export function parseOptions(args: string[]): DicomwebBenchOptions {
  const { values } = parseArgs({
    args,
    options: {
      index: { type: 'string', multiple: true, default: [] },
      'no-index': { type: 'boolean', default: false },
      'metadata-instances': { type: 'string', default: '1000' },
      batch: { type: 'string', default: '20' },
      repeat: { type: 'string', default: '1' },
      'warm-up': { type: 'string', default: '1000' },
      'latency-repeat': { type: 'string', default: '200' },
      'retrieve-repeat': { type: 'string', default: '10' },
      'budget-seconds': { type: 'string', default: '20' },
      tmp: { type: 'string', default: tmpdir() },
      'timeout-seconds': { type: 'string', default: '900' },
      skip: { type: 'string', multiple: true, default: [] },
      main: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const skip = new Set<ServerName>();
  for (const name of values.skip.flatMap((s) => s.split(','))) {
    if (name !== 'lantern' && name !== 'orthanc') {
      throw new Error(`--skip takes lantern or orthanc, not ${name}\n${USAGE}`);
    }
    skip.add(name);
  }
  const indexes = values.index
    .flatMap((s) => s.split(','))
    .filter((s) => s !== '')
    .map((s) => integer(s, 'index', 5, 2_000_000));
  return {
    indexes: values['no-index'] ? [] : indexes.length > 0 ? indexes : [20_000],
    metadataInstances: integer(values['metadata-instances'], 'metadata-instances', 10, 10_000),
    batch: integer(values.batch, 'batch', 1, 1000),
    repeat: integer(values.repeat, 'repeat', 1, 10),
    warmUp: integer(values['warm-up'], 'warm-up', 0, 100_000),
    latencyRepeat: integer(values['latency-repeat'], 'latency-repeat', 5, 100_000),
    retrieveRepeat: integer(values['retrieve-repeat'], 'retrieve-repeat', 1, 1000),
    budgetSeconds: integer(values['budget-seconds'], 'budget-seconds', 1, 3600),
    tmp: values.tmp,
    timeoutSeconds: integer(values['timeout-seconds'], 'timeout-seconds', 1, 86_400),
    main: values.main,
    skip,
    noIndex: values['no-index'],
  };
}
