// The DICOMweb bench's summary: one row per measured figure with Lantern's and Orthanc's value, the ratio
// (Orthanc/Lantern for times, Lantern/Orthanc for rates: above 1, Lantern is better) and the issue's target.
import { median, printRows } from '../import/measure.js';
import type { Latency } from './latency.js';
import type { ServerName } from './options.js';
import type { StowRun } from './stow.js';

export interface IndexBuild {
  server: ServerName;
  method: string;
  seconds: number | null;
  instancesPerSecond: number | null;
  error?: string;
}

export interface IndexResult {
  instances: number;
  studies: number;
  builds: IndexBuild[];
  queries: Partial<Record<ServerName, Latency[]>>;
}

export interface FirstMetadata {
  server: ServerName;
  streams: number;
  round: number;
  ms: number | null;
  error?: string;
}

export interface CtReads {
  retrieve: Latency;
  retrieveCurl: Latency;
  metadata: Latency;
  frame: Latency;
  rendered: Latency;
}

export interface CtResult {
  stow: StowRun[];
  firstMetadata: FirstMetadata[];
  reads: Partial<Record<ServerName, CtReads>>;
}

export interface Row {
  measure: string;
  unit: 'ms' | 'inst/s' | 'MB/s';
  lantern: number | null;
  orthanc: number | null;
  lanternP99?: number | null;
  orthancP99?: number | null;
  /** Orthanc/Lantern for times, Lantern/Orthanc for rates. */
  ratio: number | null;
  target: string;
  met: boolean | null;
}

const ratioOf = (a: number | null | undefined, b: number | null | undefined): number | null =>
  a !== null && a !== undefined && b !== null && b !== undefined && b > 0 ? a / b : null;

function timeRow(measure: string, l: Latency | undefined, o: Latency | undefined, target = ''): Row {
  const ratio = ratioOf(o?.medianMs, l?.medianMs);
  return {
    measure,
    unit: 'ms',
    lantern: l?.medianMs ?? null,
    orthanc: o?.medianMs ?? null,
    lanternP99: l?.p99Ms ?? null,
    orthancP99: o?.p99Ms ?? null,
    ratio,
    target,
    met: null,
  };
}

/** `≥ N×` on the ratio. */
function atLeast(row: Row, factor: number): Row {
  return {
    ...row,
    target: `≥ ${factor}×`,
    met: row.ratio === null ? null : row.ratio >= factor,
  };
}

export function summarize(indexes: IndexResult[], ct: CtResult | undefined): Row[] {
  const rows: Row[] = [];
  for (const index of indexes) {
    const names = [...(index.queries.lantern ?? []), ...(index.queries.orthanc ?? [])].map((q) => q.name);
    for (const name of [...new Set(names)]) {
      const l = index.queries.lantern?.find((q) => q.name === name);
      const o = index.queries.orthanc?.find((q) => q.name === name);
      const row = atLeast(timeRow(`QIDO ${name} @ ${index.instances.toLocaleString('en')}`, l, o), 5);
      rows.push(row);
      if (name.includes('first page') && index.instances >= 200_000) {
        rows.push({
          ...row,
          measure: `${row.measure}: Lantern median`,
          target: '< 15 ms',
          met: row.lantern === null ? null : row.lantern < 15,
        });
      }
    }
  }
  if (ct === undefined) return rows;
  for (const streams of [1, 4]) {
    const rate = (server: ServerName) =>
      median(
        ct.stow
          .filter((r) => r.server === server && r.streams === streams && r.instancesPerSecond !== null)
          .map((r) => r.instancesPerSecond as number),
      );
    const [lantern, orthanc] = [rate('lantern'), rate('orthanc')];
    const ratio = ratioOf(lantern, orthanc);
    const cpu = (server: ServerName) =>
      median(
        ct.stow
          .filter((r) => r.server === server && r.streams === streams && r.serverCpuMsPerInstance !== null)
          .map((r) => r.serverCpuMsPerInstance as number),
      );
    rows.push({
      measure: `STOW-RS, ${streams} stream${streams === 1 ? '' : 's'}`,
      unit: 'inst/s',
      lantern,
      orthanc,
      ratio,
      target: '≥ 1.6×',
      met: ratio === null ? null : ratio >= 1.6,
    });
    const [lanternCpu, orthancCpu] = [cpu('lantern'), cpu('orthanc')];
    rows.push({
      measure: `… server CPU an instance, ${streams} stream${streams === 1 ? '' : 's'}`,
      unit: 'ms',
      lantern: lanternCpu,
      orthanc: orthancCpu,
      ratio: ratioOf(orthancCpu, lanternCpu),
      target: '',
      met: null,
    });
  }
  const { lantern: l, orthanc: o } = ct.reads;
  // The same retrieve read by two clients: node:http in this process, and curl (less client CPU).
  for (const key of ['retrieveCurl', 'retrieve'] as const) {
    const [lr, or] = [l?.[key], o?.[key]];
    const ratio = ratioOf(lr?.megabytesPerSecond, or?.megabytesPerSecond);
    const client = key === 'retrieve' ? 'node:http' : 'curl';
    rows.push({
      measure: `WADO-RS study retrieve, ${client}`,
      unit: 'MB/s',
      lantern: lr?.megabytesPerSecond ?? null,
      orthanc: or?.megabytesPerSecond ?? null,
      ratio,
      target: '≥ 0.9×',
      met: ratio === null ? null : ratio >= 0.9,
    });
    const ttfb = (x: Latency | undefined) =>
      x === undefined ? undefined : { ...x, medianMs: x.firstByteMedianMs, p99Ms: null };
    rows.push(timeRow(`… first byte, ${client}`, ttfb(lr), ttfb(or)));
    const cpu = (x: Latency | undefined) =>
      x === undefined ? undefined : { ...x, medianMs: x.serverCpuMsPerRequest ?? null, p99Ms: null };
    rows.push(timeRow(`… server CPU a study, ${client}`, cpu(lr), cpu(or)));
  }
  const first = (server: ServerName) =>
    median(ct.firstMetadata.filter((m) => m.server === server && m.ms !== null).map((m) => m.ms as number));
  const firstRow: Row = {
    measure: 'metadata, first request after storing',
    unit: 'ms',
    lantern: first('lantern'),
    orthanc: first('orthanc'),
    ratio: ratioOf(first('orthanc'), first('lantern')),
    target: '',
    met: null,
  };
  rows.push(atLeast(firstRow, 3));
  rows.push(
    atLeast(timeRow(l?.metadata.name ?? o?.metadata.name ?? 'metadata', l?.metadata, o?.metadata), 3),
  );
  rows.push(timeRow(l?.frame.name ?? o?.frame.name ?? 'frame', l?.frame, o?.frame));
  const rendered = timeRow(l?.rendered.name ?? o?.rendered.name ?? 'rendered', l?.rendered, o?.rendered);
  rows.push({
    ...rendered,
    target: 'Lantern < 20 ms',
    met: rendered.lantern === null ? null : rendered.lantern < 20,
  });
  return rows;
}

const fixed = (value: number | null | undefined, digits: number): string =>
  value === null || value === undefined ? '—' : value.toFixed(digits);

function value(v: number | null, unit: Row['unit'], p99?: number | null): string {
  if (v === null) return 'failed';
  if (unit === 'ms') {
    const digits = v < 10 ? 2 : v < 100 ? 1 : 0;
    return `${fixed(v, digits)} ms${p99 === undefined || p99 === null ? '' : ` (p99 ${fixed(p99, digits)})`}`;
  }
  return `${fixed(v, 0)} ${unit}`;
}

export function printSummary(rows: Row[]): void {
  printRows([
    ['measure', 'Lantern', 'Orthanc', 'ratio', 'target', 'met'],
    ...rows.map((row) => [
      row.measure,
      value(row.lantern, row.unit, row.lanternP99),
      value(row.orthanc, row.unit, row.orthancP99),
      row.ratio === null ? '—' : `${fixed(row.ratio, 2)}×`,
      row.target,
      row.met === null ? (row.target === '' ? '' : '?') : row.met ? 'yes' : 'NO',
    ]),
  ]);
  console.log(
    'ratio: Orthanc/Lantern for times (ms), Lantern/Orthanc for rates (inst/s, MB/s); above 1, Lantern is better',
  );
}

export function printIndexBuilds(index: IndexResult): void {
  for (const build of index.builds) {
    const how =
      build.seconds === null
        ? `failed`
        : `${build.seconds.toFixed(1)} s (${fixed(build.instancesPerSecond, 0)} inst/s)`;
    console.log(`  ${build.server} index of ${index.instances} built by ${build.method}: ${how}`);
  }
  const lantern = index.queries.lantern ?? [];
  const orthanc = index.queries.orthanc ?? [];
  for (const l of lantern) {
    const o = orthanc.find((x) => x.name === l.name);
    console.log(`  ${l.name}: Lantern ${l.found ?? '—'} matches, Orthanc ${o?.found ?? '—'}`);
  }
}
