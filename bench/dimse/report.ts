// Summaries and tables of the DIMSE bench: medians over rounds, and Lantern's ratios to its peers.
import { median, printRows } from '../import/measure.js';
import type { FindLatency } from './find-scu.js';
import type { ReceiverName } from './options.js';
import type { RetrieveRun } from './retrieve.js';
import type { StoreRun } from './store.js';

export interface IndexBuild {
  receiver: ReceiverName;
  method: string;
  seconds: number | null;
  instancesPerSecond: number | null;
  error?: string;
}

export interface FindIndex {
  label: string;
  instances: number;
  studies: number;
  builds: IndexBuild[];
  latencies: Partial<Record<ReceiverName, FindLatency[]>>;
  errors: Partial<Record<ReceiverName, string>>;
}

export interface Rate {
  runs: number;
  instancesPerSecond: number | null;
  megabytesPerSecond: number | null;
  minInstancesPerSecond: number | null;
  maxInstancesPerSecond: number | null;
}

export interface StoreSummary {
  associations: number;
  rates: Partial<Record<ReceiverName, Rate>>;
  lanternToOrthanc: number | null;
  lanternToStorescp: number | null;
  lanternPeakRssMB: number | null;
  orthancPeakRssMB: number | null;
  /** Median CPU ms an instance: each receiver's process, and Lantern's JavaScript (main) thread. */
  cpuMsPerInstance: Partial<Record<ReceiverName, number | null>>;
  lanternMainThreadCpuMsPerInstance: number | null;
}

export interface RetrieveSummary {
  operation: 'C-GET' | 'C-MOVE';
  rates: Partial<Record<ReceiverName, Rate>>;
  lanternToOrthanc: number | null;
  /** Median CPU ms an instance sent: each receiver's process, and Lantern's JavaScript (main) thread. */
  cpuMsPerInstance: Partial<Record<ReceiverName, number | null>>;
  lanternMainThreadCpuMsPerInstance: number | null;
}

function rate(runs: { instancesPerSecond: number | null; megabytesPerSecond: number | null }[]): Rate {
  const ok = runs.filter((r) => r.instancesPerSecond !== null);
  const ips = ok.map((r) => r.instancesPerSecond as number);
  return {
    runs: ok.length,
    instancesPerSecond: median(ips),
    megabytesPerSecond: median(ok.map((r) => r.megabytesPerSecond as number)),
    minInstancesPerSecond: ips.length > 0 ? Math.min(...ips) : null,
    maxInstancesPerSecond: ips.length > 0 ? Math.max(...ips) : null,
  };
}

function ratio(a: number | null | undefined, b: number | null | undefined): number | null {
  return a !== null && a !== undefined && b !== null && b !== undefined && b > 0 ? a / b : null;
}

const RECEIVERS: ReceiverName[] = ['lantern', 'orthanc', 'storescp'];

function cpuMedian(
  runs: StoreRun[],
  field: 'cpuMsPerInstance' | 'mainThreadCpuMsPerInstance',
): number | null {
  const values = runs.flatMap((r) => (r[field] === null || r.error ? [] : [r[field] as number]));
  return values.length > 0 ? median(values) : null;
}

export function summarizeStore(runs: StoreRun[]): StoreSummary[] {
  return [1, 4].map((associations) => {
    const mine = runs.filter((r) => r.associations === associations);
    const rates: StoreSummary['rates'] = {};
    for (const name of RECEIVERS) {
      const of = mine.filter((r) => r.receiver === name);
      if (of.length > 0) rates[name] = rate(of);
    }
    const peak = (name: ReceiverName): number | null => {
      const peaks = mine
        .filter((r) => r.receiver === name && r.rssPeakBytes !== null)
        .map((r) => r.rssPeakBytes as number);
      return peaks.length > 0 ? Math.max(...peaks) / 1e6 : null;
    };
    return {
      associations,
      rates,
      lanternToOrthanc: ratio(rates.lantern?.instancesPerSecond, rates.orthanc?.instancesPerSecond),
      lanternToStorescp: ratio(rates.lantern?.instancesPerSecond, rates.storescp?.instancesPerSecond),
      lanternPeakRssMB: peak('lantern'),
      orthancPeakRssMB: peak('orthanc'),
      cpuMsPerInstance: Object.fromEntries(
        RECEIVERS.map((name) => [
          name,
          cpuMedian(
            mine.filter((r) => r.receiver === name),
            'cpuMsPerInstance',
          ),
        ]),
      ),
      lanternMainThreadCpuMsPerInstance: cpuMedian(
        mine.filter((r) => r.receiver === 'lantern'),
        'mainThreadCpuMsPerInstance',
      ),
    };
  });
}

export function summarizeRetrieve(runs: RetrieveRun[]): RetrieveSummary[] {
  return (['C-GET', 'C-MOVE'] as const).map((operation) => {
    const rates: RetrieveSummary['rates'] = {};
    for (const name of RECEIVERS) {
      const of = runs.filter((r) => r.operation === operation && r.receiver === name);
      if (of.length > 0) rates[name] = rate(of);
    }
    const cpu = (name: ReceiverName, field: 'cpuMsPerInstance' | 'mainThreadCpuMsPerInstance') =>
      median(
        runs
          .filter((r) => r.operation === operation && r.receiver === name && r[field] !== null)
          .map((r) => r[field] as number),
      );
    return {
      operation,
      rates,
      lanternToOrthanc: ratio(rates.lantern?.instancesPerSecond, rates.orthanc?.instancesPerSecond),
      cpuMsPerInstance: {
        lantern: cpu('lantern', 'cpuMsPerInstance'),
        orthanc: cpu('orthanc', 'cpuMsPerInstance'),
      },
      lanternMainThreadCpuMsPerInstance: cpu('lantern', 'mainThreadCpuMsPerInstance'),
    };
  });
}

const fixed = (value: number | null | undefined, digits: number): string =>
  value === null || value === undefined ? '—' : value.toFixed(digits);

const cell = (r: Rate | undefined): string =>
  r === undefined ? '—' : `${fixed(r.instancesPerSecond, 0)} (${fixed(r.megabytesPerSecond, 0)} MB/s)`;

export function printStore(summaries: StoreSummary[]): void {
  printRows([
    ['C-STORE', 'Lantern', 'Orthanc', 'storescp --fork', 'L/Orthanc', 'L/storescp', 'Lantern RSS peak'],
    ...summaries.map((s) => [
      `${s.associations} association${s.associations === 1 ? '' : 's'}`,
      cell(s.rates.lantern),
      cell(s.rates.orthanc),
      cell(s.rates.storescp),
      fixed(s.lanternToOrthanc, 2),
      fixed(s.lanternToStorescp, 2),
      s.lanternPeakRssMB === null ? '—' : `${s.lanternPeakRssMB.toFixed(0)} MB`,
    ]),
  ]);
  console.log('');
  printRows([
    ['CPU ms an instance', 'Lantern', 'Lantern main thread', 'Orthanc'],
    ...summaries.map((s) => [
      `${s.associations} association${s.associations === 1 ? '' : 's'}`,
      fixed(s.cpuMsPerInstance.lantern, 2),
      fixed(s.lanternMainThreadCpuMsPerInstance, 2),
      fixed(s.cpuMsPerInstance.orthanc, 2),
    ]),
  ]);
}

export function printRetrieve(summaries: RetrieveSummary[]): void {
  printRows([
    ['one study', 'Lantern', 'Orthanc', 'L/Orthanc', 'CPU ms an instance: Lantern', 'main thread', 'Orthanc'],
    ...summaries.map((s) => [
      s.operation,
      cell(s.rates.lantern),
      cell(s.rates.orthanc),
      fixed(s.lanternToOrthanc, 2),
      fixed(s.cpuMsPerInstance.lantern, 2),
      fixed(s.lanternMainThreadCpuMsPerInstance, 2),
      fixed(s.cpuMsPerInstance.orthanc, 2),
    ]),
  ]);
}

export function printFind(index: FindIndex): void {
  for (const build of index.builds) {
    const how =
      build.seconds === null
        ? `failed`
        : `${build.seconds.toFixed(1)} s (${fixed(build.instancesPerSecond, 0)} inst/s)`;
    console.log(`  ${build.receiver} index built by ${build.method}: ${how}`);
  }
  const lantern = index.latencies.lantern ?? [];
  const orthanc = index.latencies.orthanc ?? [];
  const names = [...new Set([...lantern, ...orthanc].map((l) => l.query))];
  printRows([
    ['C-FIND (ms)', 'matches', 'Lantern median', 'p95', 'Orthanc median', 'p95', 'Orthanc/Lantern'],
    ...names.map((name) => {
      const l = lantern.find((x) => x.query === name);
      const o = orthanc.find((x) => x.query === name);
      const matches =
        l?.matches === o?.matches || o === undefined
          ? `${l?.matches ?? '—'}`
          : `${l?.matches ?? '—'}≠${o.matches ?? '—'}`;
      return [
        name,
        matches,
        l?.error === undefined ? fixed(l?.medianMs, 2) : 'failed',
        fixed(l?.p95Ms, 2),
        o?.error === undefined ? fixed(o?.medianMs, 2) : 'failed',
        fixed(o?.p95Ms, 2),
        fixed(ratio(o?.medianMs, l?.medianMs), 1),
      ];
    }),
  ]);
}
