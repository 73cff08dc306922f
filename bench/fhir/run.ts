// FHIR bench: searching a patient's imaging history with _include on an index of 10,000 studies (issue 7's
// target: a correct Bundle in under 50 ms median). There is no FHIR peer in the race (HAPI needs Java), so the
// figures are absolute, against the target.
//   1. small synthetic studies (bench/dimse/corpus.ts) plus one patient with a longer history, loaded with
//      `lantern import` into a new data folder (or reused from `--data`);
//   2. `lantern serve`; orders (ServiceRequest) placed through FHIR for the history patient's accession numbers;
//   3. each search over one keep-alive connection: a warm-up whose Bundle is checked, then repetitions.
//
//   npx tsx bench/fhir/run.ts [--studies 10000] [--history 20] [--data DIR] [--cpu-prof DIR] …
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Bundle, ImagingStudy } from '@medplum/fhirtypes';

import { describeMachine, ensureBuilt, flush, printRows } from '../import/measure.js';
import { benchWorkspace, freePort, runTimed, ServerProcess, stopAll } from '../dimse/processes.js';
import { lanternEnv } from '../dimse/receivers.js';
import { SEED } from '../dimse/corpus.js';
import { check, keepAliveAgent, send } from '../dicomweb/http.js';
import { measureGet, type Latency } from '../dicomweb/latency.js';
import { HISTORY_PATIENT, writeFhirCorpus, type FhirCorpus } from './corpus.js';
import { parseOptions, type FhirBenchOptions } from './options.js';
import { checkBundle, type Search } from './searches.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const TARGET_MS = 50;
const FHIR_JSON = 'application/fhir+json';
const MARKER = 'fhir-bench-index.json';

interface IndexFacts {
  corpus: FhirCorpus;
  importSeconds: number | null;
}

/** Lantern's environment for the bench: anonymous HTTP, no study linking while measuring, any free HL7 port. */
function serveEnv(): void {
  process.env.LANTERN_SECURITY_AUTHENTICATION = 'off';
  process.env.LANTERN_HL7_PORT = '0';
  process.env.LANTERN_RIS_STUDY_STABLE_SECONDS = String(24 * 3600);
}

/** `lantern serve` on the index (as bench/dimse/receivers.ts starts it), with node --cpu-prof if asked. */
async function startServe(options: FhirBenchOptions, main: string, dataDir: string): Promise<ServerProcess> {
  const flags: string[] = [];
  if (options.cpuProf !== undefined) {
    mkdirSync(resolve(options.cpuProf), { recursive: true });
    flags.push('--cpu-prof', `--cpu-prof-dir=${resolve(options.cpuProf)}`);
  }
  const env = lanternEnv(dataDir, await freePort());
  const server = ServerProcess.start('lantern serve', process.execPath, [...flags, main, 'serve'], env);
  try {
    await server.waitForOutput((output) => /Lantern serving on http:\/\/\S+ and/.test(output), 60_000);
  } catch (error) {
    await server.stop();
    throw error;
  }
  return server;
}

async function buildIndex(options: FhirBenchOptions, main: string, work: string, dataDir: string) {
  const marker = join(dataDir, MARKER);
  if (existsSync(marker)) {
    const facts = JSON.parse(readFileSync(marker, 'utf8')) as IndexFacts;
    if (facts.corpus.studies === options.studies && facts.corpus.history.length === options.history) {
      console.log(`reusing the index in ${dataDir} (${facts.corpus.studies} studies)`);
      return facts;
    }
    throw new Error(`${dataDir} holds an index of other sizes; remove it or pick another --data`);
  }
  const folder = join(work, 'corpus');
  console.log(`generating ${options.studies} studies of small instances …`);
  const corpus = await writeFhirCorpus(folder, options.studies, options.history);
  console.log(`${corpus.instances} files in ${corpus.generationSeconds.toFixed(1)} s; lantern import …`);
  mkdirSync(dataDir, { recursive: true });
  flush();
  const result = await runTimed(process.execPath, [main, 'import', folder], {
    env: { ...process.env, LANTERN_DATA_DIR: dataDir, LANTERN_LOG_LEVEL: 'warn' },
    timeoutSeconds: options.timeoutSeconds,
  });
  rmSync(folder, { recursive: true, force: true });
  if (result.exitCode !== 0 || result.error !== undefined) {
    throw new Error(
      `lantern import: ${result.error ?? `exit code ${String(result.exitCode)}`}: ${result.stderr.trim()}`,
    );
  }
  console.log(`  imported in ${result.seconds.toFixed(1)} s`);
  const facts: IndexFacts = { corpus, importSeconds: result.seconds };
  writeFileSync(marker, `${JSON.stringify(facts, null, 2)}\n`);
  return facts;
}

async function fhirCall<T>(base: string, method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  const agent = keepAliveAgent();
  try {
    const response = check(
      await send(`${base}${path}`, agent, {
        method,
        headers: { accept: FHIR_JSON, ...(body === undefined ? {} : { 'content-type': FHIR_JSON }) },
        ...(body === undefined ? {} : { body: Buffer.from(JSON.stringify(body)) }),
        keepBody: true,
        timeoutMs: 60_000,
      }),
      `${method} ${path}`,
    );
    return JSON.parse(response.body!.toString('utf8')) as T;
  } finally {
    agent.destroy();
  }
}

async function patientKey(fhir: string, patientId: string): Promise<string> {
  const bundle = await fhirCall<Bundle>(fhir, 'GET', `/Patient?identifier=${encodeURIComponent(patientId)}`);
  const id = bundle.entry?.[0]?.resource?.id;
  if (bundle.total !== 1 || id === undefined) throw new Error(`Patient ${patientId}: ${bundle.total} found`);
  return id;
}

/** One order per history study, with the study's accession number (kept when the index is reused). */
async function placeOrders(url: string, fhir: string, corpus: FhirCorpus, patient: string) {
  const orders = new Map<string, string>();
  const apiBase = `${url}/api`;
  let procedure: { code: string; codingScheme: string } | undefined;
  for (const study of corpus.history) {
    const existing = await fhirCall<Bundle>(
      fhir,
      'GET',
      `/ServiceRequest?identifier=${study.accessionNumber}`,
    );
    let id = existing.entry?.[0]?.resource?.id;
    if (id === undefined) {
      if (procedure === undefined) {
        await fetch(`${apiBase}/procedures/defaults`, { method: 'POST' });
        const { procedures } = (await (await fetch(`${apiBase}/procedures`)).json()) as {
          procedures: { code: string; codingScheme: string }[];
        };
        procedure = procedures.find((p) => p.code === 'CT-HEAD-WO') ?? procedures[0];
        if (procedure === undefined) throw new Error('no procedure in the catalogue');
      }
      const created = await fhirCall<{ id: string }>(fhir, 'POST', '/ServiceRequest', {
        resourceType: 'ServiceRequest',
        status: 'active',
        intent: 'order',
        identifier: [
          {
            type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'ACSN' }] },
            value: study.accessionNumber,
          },
        ],
        code: {
          coding: [{ system: `urn:lantern:coding-scheme:${procedure.codingScheme}`, code: procedure.code }],
        },
        subject: { reference: `Patient/${patient}` },
      });
      id = created.id;
    }
    orders.set(study.studyInstanceUid, `ServiceRequest/${id}`);
  }
  return orders;
}

async function searches(fhir: string, corpus: FhirCorpus, url: string): Promise<Search[]> {
  const history = await patientKey(fhir, HISTORY_PATIENT.patientId);
  const other = await patientKey(fhir, `SYN${SEED}-1`);
  const orders = await placeOrders(url, fhir, corpus, history);
  const uids = corpus.history.map((s) => s.studyInstanceUid);
  const count = `_count=${Math.max(20, corpus.history.length)}`;
  // A study of the small corpus, by its accession number (read from the index).
  const sampleUid = corpus.other.studyInstanceUids[0]!;
  const sample = await fhirCall<ImagingStudy>(fhir, 'GET', `/ImagingStudy/${sampleUid}`);
  const accession = sample.identifier?.find((i) => i.type?.coding?.[0]?.code === 'ACSN')?.value;
  if (accession === undefined) throw new Error(`ImagingStudy ${sampleUid} has no accession number`);
  return [
    {
      name: `patient history (${uids.length} studies), _include patient`,
      path: `/ImagingStudy?patient=Patient/${history}&_include=ImagingStudy:patient&${count}`,
      expected: {
        studies: uids,
        patientRef: `Patient/${history}`,
        includePatient: { id: history, patientId: HISTORY_PATIENT.patientId },
        orders,
      },
    },
    {
      name: `patient history (${uids.length} studies), _include patient + basedon`,
      path: `/ImagingStudy?patient=Patient/${history}&_include=ImagingStudy:patient&_include=ImagingStudy:basedon&${count}`,
      expected: {
        studies: uids,
        patientRef: `Patient/${history}`,
        includePatient: { id: history, patientId: HISTORY_PATIENT.patientId },
        orders,
        includeOrders: true,
      },
    },
    {
      name: 'patient of 2 studies, _include patient',
      path: `/ImagingStudy?patient=${other}&_include=ImagingStudy:patient`,
      expected: {
        studies: corpus.other.studyInstanceUids,
        patientRef: `Patient/${other}`,
        includePatient: { id: other, patientId: `SYN${SEED}-1` },
      },
    },
    {
      name: 'identifier=<accession number>',
      path: `/ImagingStudy?identifier=${encodeURIComponent(accession)}`,
      expected: { studies: [sampleUid], patientRef: `Patient/${other}` },
    },
  ];
}

async function bench(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  const main = options.main === undefined ? join(repoRoot, 'dist', 'main.js') : resolve(options.main);
  const workspace = benchWorkspace(options.tmp, 'fhir');
  const work = workspace.dir;
  const dataDir = options.data === undefined ? join(work, 'data') : resolve(options.data);
  const failures: string[] = [];
  const loadBefore = loadavg();
  const started = performance.now();
  let server: ServerProcess | undefined;
  try {
    const buildError = options.main === undefined ? ensureBuilt(repoRoot) : undefined;
    if (buildError !== undefined) throw new Error(`npm run build failed:\n${buildError}`);
    const machine = describeMachine(work, repoRoot);
    const facts = await buildIndex(options, main, work, dataDir);
    serveEnv();
    server = await startServe(options, main, dataDir);
    const url = /Lantern serving on (http:\/\/\S+) and/.exec(server.lastOutput(50))![1]!;
    const fhir = `${url}/fhir`;
    console.log(`lantern serve at ${fhir}; placing orders …`);
    const list = await searches(fhir, facts.corpus, url);
    const limits = {
      repeat: options.repeat,
      budgetMs: options.budgetSeconds * 1000,
      timeoutMs: options.timeoutSeconds * 1000,
    };
    const results: Latency[] = [];
    for (const search of list) {
      const latency = await measureGet(search.name, fhir, search.path, FHIR_JSON, limits, (r) =>
        checkBundle(r, search.expected),
      );
      results.push(latency);
      const figure =
        latency.medianMs === null
          ? 'failed'
          : `${latency.medianMs.toFixed(1)} ms median, p99 ${latency.p99Ms?.toFixed(1)}`;
      console.log(`${search.name}: ${figure} (${latency.found ?? '—'}; ${latency.repetitions} repetitions)`);
      if (latency.error !== undefined)
        failures.push(`${search.name}: ${latency.error}\n  GET ${fhir}${search.path}`);
    }
    await server.stop();
    server = undefined;
    const loadAfter = loadavg();
    const minutes = (performance.now() - started) / 60_000;
    console.log(
      `\nindex of ${facts.corpus.studies.toLocaleString('en')} studies (${facts.corpus.instances.toLocaleString('en')} instances); ` +
        `load average ${loadBefore[0]?.toFixed(2)} before, ${loadAfter[0]?.toFixed(2)} after; ${minutes.toFixed(1)} min\n`,
    );
    const ms = (v: number | null) => (v === null ? '—' : `${v.toFixed(1)} ms`);
    printRows([
      ['GET /fhir/ImagingStudy?…', 'median', 'p99', 'min', 'runs', 'target', 'met'],
      ...results.map((r) => [
        r.name,
        ms(r.medianMs),
        ms(r.p99Ms),
        ms(r.minMs),
        String(r.repetitions),
        `< ${TARGET_MS} ms`,
        r.medianMs === null ? '?' : r.medianMs < TARGET_MS ? 'yes' : 'NO',
      ]),
    ]);
    if (failures.length > 0) console.log(`\nFailures:\n${failures.join('\n')}`);
    const outFolder = join(repoRoot, 'bench', 'out');
    mkdirSync(outFolder, { recursive: true });
    const outFile = join(outFolder, `fhir-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    const report = {
      bench: 'fhir',
      date: new Date().toISOString(),
      machine: { ...machine, loadAverageBefore: loadBefore, loadAverageAfter: loadAfter },
      minutes,
      options,
      lantern: { main: relative(repoRoot, main) },
      corpus: {
        instances: facts.corpus.instances,
        studies: facts.corpus.studies,
        historyStudies: facts.corpus.history.length,
        layout:
          'small instances (16 × 16), 5 a study, 2 studies a patient (bench/dimse/corpus.ts), plus one patient with --history studies, each with an order placed through FHIR',
        importSeconds: facts.importSeconds,
      },
      method: {
        client:
          'node:http, one keep-alive connection a search, Accept application/fhir+json, bodies read in full',
        latency: `one warm-up whose Bundle is checked (matches, subjects, basedOn, included resources), then up to ${options.repeat} repetitions (budget ${options.budgetSeconds} s, at least 5); median and p99 of the time to the last body byte`,
        target: `< ${TARGET_MS} ms median (issue 7)`,
      },
      searches: results,
      failures,
    };
    writeFileSync(outFile, `${JSON.stringify(report, null, 2)}\n`);
    console.log(`\nwrote ${relative(repoRoot, outFile)}`);
    return failures.length > 0 ? 1 : 0;
  } finally {
    await server?.stop();
    await stopAll();
    workspace.release();
  }
}

process.exitCode = await bench();
