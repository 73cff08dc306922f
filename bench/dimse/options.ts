// Command line of the DIMSE bench.
import { tmpdir } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { integerOption } from '../import/measure.js';

export interface DimseBenchOptions {
  /** CT instances (512 × 512, 16-bit) sent with C-STORE; also the default C-FIND index. */
  instances: number;
  /** CT instances of another set sent (untimed) to each fresh receiver before each timed C-STORE run. */
  warmUp: number;
  /** Rounds of the C-STORE runs (every receiver once a round) and of the C-GET/C-MOVE runs. */
  repeat: number;
  /** Sizes of the extra C-FIND indexes made of small instances (none by default). */
  findIndexes: number[];
  /** C-FIND repetitions of each query on one association. */
  findRepeat: number;
  /** Time budget of one query's repetitions; fewer are run when it is spent (at least 3). */
  findBudgetSeconds: number;
  /** Parent folder of the temporary folders. */
  tmp: string;
  /** Where the --find-index indexes are kept between runs (built once, then only queried); none by default. */
  keepIndexes: string | undefined;
  /** Timeout of one client run (storescu, getscu, movescu, lantern import, one C-FIND). */
  timeoutSeconds: number;
  /** The Lantern entry point; when given, it is used as is (no build). */
  main: string | undefined;
  /** Receivers to skip (e.g. when Orthanc cannot be installed). */
  skip: Set<ReceiverName>;
  /** Only C-GET/C-MOVE: the corpus is stored once over 4 associations to load Lantern and Orthanc. */
  retrieveOnly: boolean;
}

export type ReceiverName = 'lantern' | 'orthanc' | 'storescp';

export const USAGE = `usage: npx tsx bench/dimse/run.ts [options]
  --instances N          CT instances for C-STORE and the default C-FIND index (default 2000: 20 studies × 100)
  --warm-up N            before each timed C-STORE run, send N other CT instances (untimed) over as many
                         associations, to every receiver alike, so that the run measures a server in service
                         rather than one starting up (Lantern's JIT compiler); 0 measures from cold (default 1000)
  --repeat N             rounds of C-STORE and of C-GET/C-MOVE, median reported (default 2, at most 10)
  --find-index N         also measure C-FIND on an index of N small (16 × 16) instances, 5 per study; repeatable
                         or comma-separated, e.g. --find-index 20000,200000 (loaded with lantern import and with
                         storescu over 4 associations into Orthanc; 200,000 adds about 17 minutes)
  --find-repeat N        C-FIND repetitions of each query on one association (default 50)
  --find-budget-seconds N  stop repeating one query after N seconds (default 20; at least 3 repetitions)
  --tmp DIR              where the temporary folders go (default: the OS temp folder)
  --keep-indexes DIR     keep each receiver's --find-index index in DIR; a later run with the same DIR queries it
                         instead of building it again (the build time reported is the first run's)
  --timeout-seconds N    give up on one client run after N seconds (default 900)
  --skip NAME            leave out a receiver: lantern, orthanc or storescp (repeatable)
  --main FILE            run this entry point instead of dist/main.js (which is built when stale)
  --retrieve-only        only C-GET and C-MOVE (--repeat rounds, at least 3): Lantern and Orthanc are loaded with
                         one C-STORE run over 4 associations (reported too), no storescp, no C-FIND; with
                         --instances 400 it takes a few minutes`;

const integer = (text: string, name: string, min: number, max: number) =>
  integerOption(text, name, [min, max], USAGE);

export function parseOptions(args: string[]): DimseBenchOptions {
  const { values } = parseArgs({
    args,
    options: {
      instances: { type: 'string', default: '2000' },
      'warm-up': { type: 'string', default: '1000' },
      repeat: { type: 'string', default: '2' },
      'find-index': { type: 'string', multiple: true, default: [] },
      'find-repeat': { type: 'string', default: '50' },
      'find-budget-seconds': { type: 'string', default: '20' },
      tmp: { type: 'string', default: tmpdir() },
      'keep-indexes': { type: 'string' },
      'timeout-seconds': { type: 'string', default: '900' },
      skip: { type: 'string', multiple: true, default: [] },
      main: { type: 'string' },
      'retrieve-only': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const skip = new Set<ReceiverName>();
  for (const name of values.skip.flatMap((s) => s.split(','))) {
    if (name !== 'lantern' && name !== 'orthanc' && name !== 'storescp') {
      throw new Error(`--skip takes lantern, orthanc or storescp, not ${name}\n${USAGE}`);
    }
    skip.add(name);
  }
  if (values['retrieve-only']) skip.add('storescp');
  return {
    instances: integer(values.instances, 'instances', 1, 100_000),
    warmUp: values['retrieve-only'] ? 0 : integer(values['warm-up'], 'warm-up', 0, 100_000),
    repeat: integer(values.repeat, 'repeat', 1, 10),
    findIndexes: values['find-index']
      .flatMap((s) => s.split(','))
      .filter((s) => s !== '')
      .map((s) => integer(s, 'find-index', 5, 2_000_000)),
    findRepeat: integer(values['find-repeat'], 'find-repeat', 1, 10_000),
    findBudgetSeconds: integer(values['find-budget-seconds'], 'find-budget-seconds', 1, 3600),
    tmp: values.tmp,
    keepIndexes: values['keep-indexes'] === undefined ? undefined : resolve(values['keep-indexes']),
    timeoutSeconds: integer(values['timeout-seconds'], 'timeout-seconds', 1, 86_400),
    main: values.main,
    skip,
    retrieveOnly: values['retrieve-only'],
  };
}
