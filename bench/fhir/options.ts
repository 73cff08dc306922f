// Command line of the FHIR bench.
import { tmpdir } from 'node:os';
import { parseArgs } from 'node:util';
import { integerOption } from '../import/measure.js';

export interface FhirBenchOptions {
  /** Studies in the index (small instances, 5 a study); `history` of them belong to one patient. */
  studies: number;
  /** Studies of the patient whose imaging history is searched (one page: at most 200). */
  history: number;
  /** Timed repetitions of each search after a warm-up. */
  repeat: number;
  /** Time budget of one search's repetitions; fewer are run when it is spent (at least 5). */
  budgetSeconds: number;
  tmp: string;
  timeoutSeconds: number;
  main: string | undefined;
  /** Keep the data folder here and reuse it on the next run (the index is built only when missing). */
  data: string | undefined;
  /** Write a CPU profile of `lantern serve` (node --cpu-prof) into this folder. */
  cpuProf: string | undefined;
}

export const USAGE = `usage: npx tsx bench/fhir/run.ts [options]
  --studies N           studies in the index, 5 small (16 × 16) instances each (default 10000)
  --history N           of which this many belong to the patient whose history is searched (default 20, ≤ 200)
  --repeat N            timed repetitions of each search after a warm-up (default 500)
  --budget-seconds N    stop repeating one search after N seconds (default 30; at least 5 repetitions)
  --data DIR            keep Lantern's data folder in DIR and reuse it next time (the index is built only once)
  --cpu-prof DIR        run lantern serve with node --cpu-prof, profiles written to DIR when it stops
  --tmp DIR             where the temporary folders go (default: the OS temp folder)
  --timeout-seconds N   give up on one request or lantern import after N seconds (default 1800)
  --main FILE           run this entry point instead of dist/main.js (which is built when stale)`;

const integer = (text: string, name: string, min: number, max: number) =>
  integerOption(text, name, [min, max], USAGE);

export function parseOptions(args: string[]): FhirBenchOptions {
  const { values } = parseArgs({
    args,
    options: {
      studies: { type: 'string', default: '10000' },
      history: { type: 'string', default: '20' },
      repeat: { type: 'string', default: '500' },
      'budget-seconds': { type: 'string', default: '30' },
      data: { type: 'string' },
      'cpu-prof': { type: 'string' },
      tmp: { type: 'string', default: tmpdir() },
      'timeout-seconds': { type: 'string', default: '1800' },
      main: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const history = integer(values.history, 'history', 1, 200);
  return {
    studies: integer(values.studies, 'studies', history + 2, 1_000_000),
    history,
    repeat: integer(values.repeat, 'repeat', 5, 100_000),
    budgetSeconds: integer(values['budget-seconds'], 'budget-seconds', 1, 3600),
    tmp: values.tmp,
    timeoutSeconds: integer(values['timeout-seconds'], 'timeout-seconds', 1, 86_400),
    main: values.main,
    data: values.data,
    cpuProf: values['cpu-prof'],
  };
}
