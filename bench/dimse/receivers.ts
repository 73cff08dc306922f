// The three receivers of the DIMSE bench, each started fresh in its own folder on a free port:
// - Lantern: `node dist/main.js serve`, any calling AE may store, query and retrieve;
// - Orthanc (Debian package, SQLite index, stock settings but the ports, folders and AE permissions), with
//   TCP_NODELAY=1 so that Nagle's delayed ACK does not decide the race;
// - DCMTK `storescp --fork` writing files: the raw limit of C-STORE on this machine.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import type { ReceiverName } from './options.js';
import { DCMTK_ENV, ServerProcess, freePort, runTimed, sleep } from './processes.js';

export const SCU_AET = 'BENCHSCU';
export const MOVE_DESTINATION_AET = 'BENCHDEST';
export const ORTHANC_BINARY = '/usr/sbin/Orthanc';

export interface Receiver {
  name: ReceiverName;
  label: string;
  aet: string;
  port: number;
  /** Everything the receiver writes (files, database). */
  dir: string;
  process: ServerProcess;
}

export const LABELS: Record<ReceiverName, string> = {
  lantern: 'Lantern',
  orthanc: 'Orthanc',
  storescp: 'storescp --fork',
};

const READY_MS = 60_000;

/** The environment of `lantern serve` and of the Lantern CLI on the same data folder. */
export function lanternEnv(dataDir: string, dicomPort: number): NodeJS.ProcessEnv {
  return {
    ...process.env,
    LANTERN_DATA_DIR: dataDir,
    LANTERN_HTTP_PORT: '0',
    LANTERN_DICOM_PORT: String(dicomPort),
    LANTERN_DICOM_AE_TITLE: 'LANTERN',
    LANTERN_LOG_LEVEL: 'warn',
    LANTERN_DICOM_UNKNOWN_AE_PERMISSIONS: 'echo,store,query,retrieve',
    // The bench does not use HL7: a free port, so that another server on 2575 (the default) is no obstacle.
    LANTERN_HL7_PORT: '0',
  };
}

/** Starts `lantern serve` on `dataDir` (created if missing) and waits for its "serving" line. */
export async function startLantern(main: string, dataDir: string): Promise<Receiver> {
  mkdirSync(dataDir, { recursive: true });
  const port = await freePort();
  const server = ServerProcess.start(
    'lantern serve',
    process.execPath,
    [main, 'serve'],
    lanternEnv(dataDir, port),
  );
  const receiver: Receiver = {
    name: 'lantern',
    label: LABELS.lantern,
    aet: 'LANTERN',
    port,
    dir: dataDir,
    process: server,
  };
  try {
    await server.waitForOutput(
      (output) => /Lantern serving on .*DICOM \S+@127\.0\.0\.1:\d+/.test(output),
      READY_MS,
    );
  } catch (error) {
    await server.stop();
    throw error;
  }
  return receiver;
}

/** `lantern ae add` on a running (or stopped) server's data folder; the server picks it up. */
export async function addLanternAe(
  main: string,
  receiver: Receiver,
  aet: string,
  port: number,
): Promise<void> {
  const result = await runTimed(process.execPath, [main, 'ae', 'add', aet, '127.0.0.1', String(port)], {
    env: lanternEnv(receiver.dir, receiver.port),
    timeoutSeconds: 60,
  });
  if (result.exitCode !== 0) {
    throw new Error(
      `lantern ae add ${aet} failed (${String(result.exitCode)}): ${result.error ?? result.stderr.trim()}`,
    );
  }
}

/** Polls C-ECHO until the receiver answers. */
async function waitForEcho(server: ServerProcess, aet: string, port: number): Promise<void> {
  const deadline = Date.now() + READY_MS;
  for (;;) {
    if (!server.running)
      throw new Error(`${server.label} exited (${String(server.exitCode)}):\n${server.lastOutput()}`);
    const echo = await runTimed('echoscu', ['-aet', SCU_AET, '-aec', aet, '127.0.0.1', String(port)], {
      env: DCMTK_ENV,
      timeoutSeconds: 10,
    });
    if (echo.exitCode === 0) return;
    if (Date.now() > deadline)
      throw new Error(`${server.label} does not answer C-ECHO:\n${server.lastOutput()}`);
    await sleep(200);
  }
}

/** The Orthanc configuration: stock defaults except where the bench needs something else. */
export function orthancConfig(
  dir: string,
  ports: { dicom: number; http: number; moveDestination: number },
): object {
  return {
    Name: 'lantern-bench',
    StorageDirectory: join(dir, 'storage'),
    IndexDirectory: join(dir, 'index'),
    DicomAet: 'ORTHANC',
    DicomPort: ports.dicom,
    HttpPort: ports.http,
    RemoteAccessAllowed: false,
    AuthenticationEnabled: false,
    DicomCheckCalledAet: false,
    // Like LANTERN_DICOM_UNKNOWN_AE_PERMISSIONS=echo,store,query,retrieve: any calling AE may query and retrieve.
    DicomAlwaysAllowFind: true,
    DicomAlwaysAllowGet: true,
    DicomAlwaysAllowMove: true,
    DicomModalities: {
      dest: [MOVE_DESTINATION_AET, '127.0.0.1', ports.moveDestination],
      scu: [SCU_AET, '127.0.0.1', 104],
    },
    Plugins: [],
  };
}

export async function startOrthanc(dir: string, moveDestinationPort: number): Promise<Receiver> {
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const config = join(dir, 'orthanc.json');
  const settings = orthancConfig(dir, {
    dicom: port,
    http: await freePort(),
    moveDestination: moveDestinationPort,
  });
  writeFileSync(config, `${JSON.stringify(settings, null, 2)}\n`);
  const server = ServerProcess.start('Orthanc', ORTHANC_BINARY, [config], { ...DCMTK_ENV });
  try {
    await waitForEcho(server, 'ORTHANC', port);
  } catch (error) {
    await server.stop();
    throw error;
  }
  return { name: 'orthanc', label: LABELS.orthanc, aet: 'ORTHANC', port, dir, process: server };
}

/** `storescp --fork -od <dir>`; `fork: false` for a plain one (the C-MOVE destination). */
export async function startStorescp(
  dir: string,
  options: { aet: string; port?: number; fork: boolean },
): Promise<Receiver> {
  mkdirSync(dir, { recursive: true });
  const port = options.port ?? (await freePort());
  const args = [...(options.fork ? ['--fork'] : []), '-aet', options.aet, '-od', dir, String(port)];
  const server = ServerProcess.start(`storescp ${options.aet}`, 'storescp', args, DCMTK_ENV);
  try {
    await waitForEcho(server, options.aet, port);
  } catch (error) {
    await server.stop();
    throw error;
  }
  return { name: 'storescp', label: LABELS.storescp, aet: options.aet, port, dir, process: server };
}

export function startReceiver(
  name: ReceiverName,
  main: string,
  dir: string,
  moveDestinationPort: number,
): Promise<Receiver> {
  if (name === 'lantern') return startLantern(main, dir);
  if (name === 'orthanc') return startOrthanc(dir, moveDestinationPort);
  return startStorescp(dir, { aet: 'STORESCP', fork: true });
}
