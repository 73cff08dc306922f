#!/usr/bin/env node
// The composition root and the `lantern` command: load config → build platform and services → run a command.
// The only reader of configuration and environment.
import { Command, InvalidArgumentError } from 'commander';
import { openLantern, startServer, type Lantern } from './app.js';
import {
  addAe,
  exportStudy,
  listAes,
  removeAe,
  formatImportSummary,
  formatVerifyReport,
  importFolder,
  listHl7Messages,
  listStudies,
  replayHl7Message,
  showHl7Message,
  verifyArchive,
} from './adapters/cli/index.js';
import { cliContext, registerSecurityCommands, securityFirstStart } from './adapters/cli/index.js';
import { echoAe, sendStudy } from './adapters/dimse/index.js';
import { ConfigError, loadConfig, type LanternConfig } from './platform/config/index.js';
import { createLogger } from './platform/log/index.js';

const program = new Command('lantern')
  .description('Lantern: PACS/VNA archive, RIS and imaging interoperability in one server.')
  .option(
    '-c, --config <file>',
    'configuration file (default: lantern.json if present, else built-in defaults)',
  )
  .option('--data-dir <folder>', 'data folder (overrides LANTERN_DATA_DIR)')
  .showHelpAfterError();

function config(commandLevel?: string): LanternConfig {
  const options = program.opts<{ config?: string; dataDir?: string }>();
  return loadConfig({
    file: options.config,
    overrides: {
      ...(options.dataDir ? { dataDir: options.dataDir } : {}),
      ...(commandLevel ? { 'log.level': commandLevel } : {}),
    },
  });
}

/** Runs a command against an open Lantern and always closes it. Commands log only warnings. */
async function withLantern<T>(run: (lantern: Lantern) => Promise<T>, logLevel = 'warn'): Promise<T> {
  const settings = config(process.env.LANTERN_LOG_LEVEL ? undefined : logLevel);
  const log = createLogger({ level: settings.log.level });
  const lantern = await openLantern(settings, log);
  try {
    return await run(lantern);
  } finally {
    await lantern.close();
  }
}

const positiveInteger = (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a non-negative integer');
  return n;
};

program
  .command('serve')
  .description('run the server: HTTP (/api, health) and DICOM (C-ECHO, C-STORE, C-FIND, C-MOVE, C-GET)')
  .action(async () => {
    const settings = config();
    const log = createLogger({ level: settings.log.level });
    const lantern = await openLantern(settings, log);
    const firstStart = await securityFirstStart(lantern.security, log);
    if (firstStart) console.log(firstStart);
    const server = await startServer(lantern);
    // One line, parsed by tests and benches: the listeners that are open, in this order.
    const dicomAt = `${settings.dicom.aeTitle}@${settings.dicom.host}`;
    const listeners = [
      server.httpUrl,
      server.dicomPort === undefined ? undefined : `DICOM ${dicomAt}:${server.dicomPort}`,
      server.dicomTlsPort === undefined ? undefined : `DICOM-TLS ${dicomAt}:${server.dicomTlsPort}`,
      `HL7 ${settings.hl7.host}:${server.hl7Port}`,
      server.httpsUrl === undefined ? undefined : `HTTPS ${server.httpsUrl}`,
    ].filter((listener) => listener !== undefined);
    console.log(
      `Lantern serving on ${listeners.join(' and ')}` +
        ` (data in ${settings.dataDir}, database ${lantern.database.location})`,
    );
    const stop = async () => {
      await server.close();
      await lantern.close();
      process.exit(0);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });

program
  .command('import <folder>')
  .description('store every DICOM file under a folder (recursive); other files are reported and skipped')
  .option('-j, --concurrency <n>', 'files stored at once (default: import.concurrency)', positiveInteger)
  .option('--no-progress', 'no progress line on stderr')
  .action(async (folder: string, options: { concurrency?: number; progress: boolean }) => {
    await withLantern(async (lantern) => {
      const summary = await importFolder(lantern.archive, lantern.log, folder, {
        concurrency: options.concurrency || lantern.config.import.concurrency,
        progress: options.progress,
      });
      console.log(formatImportSummary(summary));
    });
  });

program
  .command('studies')
  .description('find studies (DICOM matching: * and ? wildcards, date ranges like 20240101-20241231)')
  .option('--patient-id <id>')
  .option('--patient-name <name>')
  .option('--date <date-or-range>', 'StudyDate')
  .option('--modality <modality>', 'ModalitiesInStudy')
  .option('--accession <number>')
  .option('--description <text>')
  .option('--study-uid <uid>')
  .option('--key <Keyword=value...>', 'any other matching key, e.g. --key ReferringPhysicianName=SMITH*')
  .option('--limit <n>', 'studies per page', positiveInteger, 50)
  .option('--offset <n>', 'studies to skip', positiveInteger, 0)
  .option('--json', 'print JSON instead of a table')
  .action(async (options: Record<string, string | number | boolean | string[] | undefined>) => {
    const keys: Record<string, string> = {};
    const named: Record<string, string> = {
      patientId: 'PatientID',
      patientName: 'PatientName',
      date: 'StudyDate',
      modality: 'ModalitiesInStudy',
      accession: 'AccessionNumber',
      description: 'StudyDescription',
      studyUid: 'StudyInstanceUID',
    };
    for (const [option, keyword] of Object.entries(named)) {
      if (typeof options[option] === 'string') keys[keyword] = options[option];
    }
    for (const pair of (options.key as string[] | undefined) ?? []) {
      const eq = pair.indexOf('=');
      if (eq < 1) throw new InvalidArgumentError(`--key expects Keyword=value, got ${pair}`);
      keys[pair.slice(0, eq)] = pair.slice(eq + 1);
    }
    const text = await withLantern((lantern) =>
      listStudies(lantern.archive, lantern.log, {
        keys,
        limit: options.limit as number,
        offset: options.offset as number,
        json: options.json === true,
      }),
    );
    console.log(text);
  });

program
  .command('export <studyInstanceUid> <folder>')
  .description("write a study's files, byte for byte as received, to <folder>/<SeriesUID>/<SOPUID>.dcm")
  .action(async (studyInstanceUid: string, folder: string) => {
    const { files, bytes } = await withLantern((lantern) =>
      exportStudy(lantern.archive, lantern.log, studyInstanceUid, folder),
    );
    console.log(`Exported ${files} files (${(bytes / 1e6).toFixed(1)} MB) to ${folder}`);
  });

program
  .command('verify')
  .description('re-hash every stored file against the index; report missing, corrupt and orphan files')
  .option('--no-progress', 'no progress line on stderr')
  .action(async (options: { progress: boolean }) => {
    const report = await withLantern((lantern) =>
      verifyArchive(lantern.archive, lantern.log, options.progress),
    );
    console.log(formatVerifyReport(report));
    if (!report.consistent) process.exitCode = 1;
  });

program
  .command('echo <aeTitle>')
  .description('C-ECHO an AE of the AE table')
  .action(async (aeTitle: string) => {
    const ms = await withLantern((lantern) =>
      echoAe(cliContext(lantern.log, 'echo'), lantern.aeTable, lantern.config.dicom.aeTitle, aeTitle),
    );
    console.log(`${aeTitle} answered C-ECHO in ${ms.toFixed(0)} ms`);
  });

program
  .command('send <studyInstanceUid> <aeTitle>')
  .description('C-STORE a study to an AE of the AE table')
  .action(async (studyInstanceUid: string, aeTitle: string) => {
    const result = await withLantern((lantern) =>
      sendStudy(lantern, lantern.log, lantern.config.dicom.aeTitle, { studyInstanceUid, aeTitle }),
    );
    console.log(
      `Sent ${result.completed} of ${result.instances} instances to ${aeTitle}` +
        (result.failed ? `; ${result.failed} failed` : '') +
        (result.warning ? `; ${result.warning} with warnings` : ''),
    );
    if (result.failed > 0) process.exitCode = 1;
  });

const ae = program.command('ae').description('the AE table: remote DICOM nodes and what they may do');

ae.command('list')
  .description('list the remote AEs')
  .action(async () => console.log(await withLantern((lantern) => listAes(lantern.aeTable, lantern.log))));

ae.command('add <aeTitle> <host> <port>')
  .description('add or change a remote AE (a running server sees it at once)')
  .option('--permissions <list>', 'what it may do: echo,store,query,retrieve', 'echo,store,query,retrieve')
  .option('--description <text>')
  .action(
    async (
      aeTitle: string,
      host: string,
      port: string,
      options: { permissions: string; description?: string },
    ) => {
      const text = await withLantern((lantern) =>
        addAe(lantern.aeTable, lantern.log, {
          aeTitle,
          host,
          port: Number(port),
          permissions: options.permissions.split(','),
          description: options.description,
        }),
      );
      console.log(text);
    },
  );

ae.command('remove <aeTitle>')
  .description('remove a remote AE')
  .action(async (aeTitle: string) =>
    console.log(await withLantern((lantern) => removeAe(lantern.aeTable, lantern.log, aeTitle))),
  );

const hl7 = program.command('hl7').description('the HL7 message log: list, show, replay and resend messages');

hl7
  .command('list')
  .description('counts by state, then the newest messages')
  .option('--direction <inbound|outbound>')
  .option('--state <state>', 'pending, processed, failed, dead-letter, duplicate, rejected (comma list)')
  .option('--limit <n>', 'messages shown', positiveInteger, 20)
  .action(async (options: { direction?: string; state?: string; limit: number }) =>
    console.log(await withLantern((lantern) => listHl7Messages(lantern.messages, lantern.log, options))),
  );

hl7
  .command('show <id>')
  .description('one message with its segments and ACK')
  .action(async (id: string) =>
    console.log(await withLantern((lantern) => showHl7Message(lantern.messages, lantern.log, Number(id)))),
  );

hl7
  .command('replay <id>')
  .description('process an inbound message again (a dead letter once its cause is fixed)')
  .action(async (id: string) =>
    console.log(
      await withLantern((lantern) => replayHl7Message(lantern.messages, lantern.log, Number(id), 'inbound')),
    ),
  );

hl7
  .command('resend <id>')
  .description('send an outbound message again')
  .action(async (id: string) =>
    console.log(
      await withLantern((lantern) => replayHl7Message(lantern.messages, lantern.log, Number(id), 'outbound')),
    ),
  );

registerSecurityCommands(
  program,
  (run) => withLantern((lantern) => run(lantern.security, lantern.log)),
  () => config().dataDir,
);

program.parseAsync().catch((error: unknown) => {
  if (error instanceof ConfigError) console.error(error.message);
  else console.error(`lantern: ${(error as Error).message ?? String(error)}`);
  process.exit(error instanceof ConfigError ? 78 : 1);
});
