// The two DICOMweb servers of the bench, each started fresh in its own folder on free ports:
// - Lantern: `node dist/main.js serve` (as the DIMSE bench starts it), DICOMweb under <http>/dicom-web;
// - Orthanc (Debian package, SQLite index) with its DICOMweb plugin (Debian package orthanc-dicomweb), stock
//   settings but the ports, folders, AE permissions and the plugin, with TCP_NODELAY=1 like in the DIMSE bench.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { timed } from '../import/measure.js';
import { DCMTK_ENV, ServerProcess, freePort, sleep } from '../dimse/processes.js';
import { ORTHANC_BINARY, orthancConfig, startLantern, type Receiver } from '../dimse/receivers.js';
import { keepAliveAgent, send, useCredentials } from './http.js';
import type { ServerName } from './options.js';

export const ORTHANC_DICOMWEB_PLUGIN = '/usr/share/orthanc/plugins/libOrthancDicomWeb.so';

export const LABELS: Record<ServerName, string> = { lantern: 'Lantern', orthanc: 'Orthanc' };

export interface WebServer {
  name: ServerName;
  label: string;
  /** The DICOMweb root, without a trailing slash: http://127.0.0.1:<port>/dicom-web */
  base: string;
  /** The DICOM side (AE title, port, folder, process), for storescu and C-FIND. */
  receiver: Receiver;
}

const READY_MS = 60_000;

/** The administrator API key Lantern is started with (security.bootstrapAdminApiKey); its clients send it. */
export const LANTERN_API_KEY = 'lantern-bench-dicomweb-administrator-0001';

/**
 * `lantern serve` on `dataDir` (which may already hold an index made with `lantern import`), with
 * authentication on: every request of the bench carries the API key, as a real client's would.
 */
export async function startLanternWeb(main: string, dataDir: string): Promise<WebServer> {
  // The DIMSE bench's starter passes the bench's environment on to `lantern serve`.
  process.env.LANTERN_SECURITY_AUTHENTICATION = 'on';
  process.env.LANTERN_SECURITY_BOOTSTRAP_ADMIN_API_KEY = LANTERN_API_KEY;
  process.env.LANTERN_HL7_PORT = '0'; // the bench does not use HL7; a free port, so two servers never collide
  const receiver = await startLantern(main, dataDir);
  const url = /Lantern serving on (http:\/\/\S+) and/.exec(receiver.process.lastOutput(50))?.[1];
  if (url === undefined) {
    await receiver.process.stop();
    throw new Error(`no HTTP address in Lantern's output:\n${receiver.process.lastOutput()}`);
  }
  useCredentials(url, { authorization: `Bearer ${LANTERN_API_KEY}` });
  return { name: 'lantern', label: LABELS.lantern, base: `${url}/dicom-web`, receiver };
}

/** The DIMSE bench's Orthanc configuration plus the DICOMweb plugin with its default settings. */
export function orthancWebConfig(dir: string, ports: { dicom: number; http: number }): object {
  return {
    ...orthancConfig(dir, { ...ports, moveDestination: 104 }),
    Plugins: [ORTHANC_DICOMWEB_PLUGIN],
    DicomWeb: { Enable: true, Root: '/dicom-web/', EnableWado: true, WadoRoot: '/wado', Ssl: false },
  };
}

/** Installs Debian's orthanc and orthanc-dicomweb packages when missing; returns why it could not. */
export function ensureOrthancWeb(): string | undefined {
  if (existsSync(ORTHANC_BINARY) && existsSync(ORTHANC_DICOMWEB_PLUGIN)) return undefined;
  console.log('installing orthanc and orthanc-dicomweb (apt-get) …');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const update = timed('apt-get', ['update', '-qq'], { env, timeoutSeconds: 600 });
  const install = timed('apt-get', ['install', '-y', '-qq', 'orthanc', 'orthanc-dicomweb'], {
    env,
    timeoutSeconds: 900,
  });
  if (existsSync(ORTHANC_BINARY) && existsSync(ORTHANC_DICOMWEB_PLUGIN)) return undefined;
  return `apt-get install orthanc orthanc-dicomweb failed: ${install.error ?? install.stderr.trim()} ${update.stderr.trim()}`;
}

export async function startOrthancWeb(dir: string): Promise<WebServer> {
  mkdirSync(dir, { recursive: true });
  const ports = { dicom: await freePort(), http: await freePort() };
  const config = join(dir, 'orthanc.json');
  writeFileSync(config, `${JSON.stringify(orthancWebConfig(dir, ports), null, 2)}\n`);
  const server = ServerProcess.start('Orthanc', ORTHANC_BINARY, [config], { ...DCMTK_ENV });
  const base = `http://127.0.0.1:${ports.http}/dicom-web`;
  const agent = keepAliveAgent();
  try {
    // Ready when the plugin answers a QIDO-RS search (which also shows that the plugin is loaded).
    const deadline = Date.now() + READY_MS;
    for (;;) {
      if (!server.running)
        throw new Error(`Orthanc exited (${String(server.exitCode)}):\n${server.lastOutput()}`);
      const status = await send(`${base}/studies?limit=1`, agent, { timeoutMs: 5_000 }).then(
        (r) => r.status,
        () => 0,
      );
      if (status === 200) break;
      if (Date.now() > deadline)
        throw new Error(`Orthanc's DICOMweb does not answer (HTTP ${status}):\n${server.lastOutput()}`);
      await sleep(200);
    }
  } catch (error) {
    await server.stop();
    throw error;
  } finally {
    agent.destroy();
  }
  const receiver: Receiver = {
    name: 'orthanc',
    label: LABELS.orthanc,
    aet: 'ORTHANC',
    port: ports.dicom,
    dir,
    process: server,
  };
  return { name: 'orthanc', label: LABELS.orthanc, base, receiver };
}

export function startServer(name: ServerName, main: string, dir: string): Promise<WebServer> {
  return name === 'lantern' ? startLanternWeb(main, dir) : startOrthancWeb(dir);
}

/** Clock ticks per second of /proc/<pid>/stat (USER_HZ, 100 on Linux). */
const USER_HZ = 100;

/**
 * The server process's CPU time so far in ms (user + system of all its threads, /proc/<pid>/stat; or of its
 * main thread alone, /proc/<pid>/task/<pid>/stat), or undefined when it cannot be read: what a request costs
 * the server, whatever else the machine runs.
 */
export function serverCpuMs(
  server: WebServer,
  of: 'process' | 'main thread' = 'process',
): () => number | undefined {
  return () => {
    const pid = server.receiver.process.pid;
    if (pid === undefined) return undefined;
    try {
      const path = of === 'process' ? `/proc/${pid}/stat` : `/proc/${pid}/task/${pid}/stat`;
      const stat = readFileSync(path, 'utf8');
      // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return ((Number(fields[11]) + Number(fields[12])) * 1000) / USER_HZ;
    } catch {
      return undefined;
    }
  };
}

/**
 * Waits until the server has used less than `idleShare` of one core over a second (or `maxMs` passed), so
 * that work left over from storing (background flushes, caches) is not billed to the reads measured next.
 * Resolves with how long it waited.
 */
export async function settled(server: WebServer, maxMs = 30_000, idleShare = 0.05): Promise<number> {
  const cpu = serverCpuMs(server);
  const started = performance.now();
  for (;;) {
    const before = cpu();
    await sleep(1000);
    const after = cpu();
    if (before === undefined || after === undefined || after - before < 1000 * idleShare) break;
    if (performance.now() - started > maxMs) break;
  }
  return performance.now() - started;
}
