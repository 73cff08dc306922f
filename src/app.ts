import { join } from 'node:path';
import { createArchive, type Archive } from './archive/index.js';
import { registerApiRoutes } from './adapters/api/routes.js';
import { createDimseDoor } from './adapters/dimse/index.js';
import { createHttpServer } from './adapters/http/index.js';
import type { LanternConfig } from './platform/config/index.js';
import { migrate, openDatabase, type Database } from './platform/db/index.js';
import type { Logger } from './platform/log/index.js';
import { createAeTable, type AeTable } from './platform/security/index.js';
import { LocalFolderStore } from './platform/storage/index.js';

/** The platform and services of one Lantern process, built from configuration. */
export interface Lantern {
  config: LanternConfig;
  log: Logger;
  database: Database;
  archive: Archive;
  aeTable: AeTable;
  close(): Promise<void>;
}

export async function openLantern(config: LanternConfig, log: Logger): Promise<Lantern> {
  const database = openDatabase({
    url: config.database.url,
    dataDir: config.dataDir,
    sqliteSynchronous: config.database.sqliteSynchronous,
  });
  try {
    const applied = await migrate(database);
    if (applied.length > 0) log.info({ migrations: applied }, 'database migrated');
    const blobs = await LocalFolderStore.open(join(config.dataDir, 'storage'));
    const archive = createArchive({ database, blobs, settings: config.archive });
    const aeTable = createAeTable(database, {
      configured: config.dicom.remoteAes,
      unknownAePermissions: config.dicom.unknownAePermissions,
    });
    return { config, log, database, archive, aeTable, close: () => database.close() };
  } catch (error) {
    await database.close();
    throw error;
  }
}

export interface RunningServer {
  httpUrl: string;
  dicomPort: number;
  close(): Promise<void>;
}

/** Starts the listeners of `lantern serve`: HTTP and DICOM now, HL7 as it lands. */
export async function startServer(lantern: Lantern): Promise<RunningServer> {
  const { config, log } = lantern;
  const http = createHttpServer(log);
  registerApiRoutes(http, lantern);
  const httpUrl = await http.listen({ host: config.http.host, port: config.http.port });
  log.info({ url: httpUrl }, 'HTTP listening');
  const dimse = createDimseDoor(config.dicom, lantern, log);
  const dicom = await dimse.listen(config.dicom.port, config.dicom.host).catch(async (error: unknown) => {
    await http.close();
    throw error;
  });
  log.info({ aeTitle: config.dicom.aeTitle, port: dicom.port }, 'DICOM listening');
  return {
    httpUrl,
    dicomPort: dicom.port,
    close: async () => {
      await dimse.close();
      await http.close();
      await lantern.archive.flush();
    },
  };
}
