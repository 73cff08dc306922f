import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createArchive, type Archive } from './archive/index.js';
import { registerApiRoutes } from './adapters/api/routes.js';
import { registerPatientRoutes } from './adapters/api/patients-routes.js';
import { registerRisRoutes } from './adapters/api/ris-routes.js';
import { registerRisUnmatchedRoutes } from './adapters/api/ris-unmatched-routes.js';
import { registerExamNoteRoutes } from './adapters/api/exam-note-routes.js';
import { registerRisReportRoutes } from './adapters/api/ris-report-routes.js';
import { registerRisChargeRoutes } from './adapters/api/ris-charge-routes.js';
import { DICOMWEB_BASE, registerDicomwebRoutes } from './adapters/dicomweb/index.js';
import { registerFhirDoor } from './adapters/fhir/index.js';
import { registerHl7Routes } from './adapters/api/hl7-routes.js';
import { createHl7Door } from './adapters/hl7/index.js';
import { createDimseDoor, echoAe } from './adapters/dimse/index.js';
import { registerAeEchoRoute } from './adapters/api/aes-echo-route.js';
import { registerWebApp } from './adapters/http/web-app.js';
import { createHttpServer, installHttpSecurity, installOpenApi, listenHttps } from './adapters/http/index.js';
import { registerAuthRoutes } from './adapters/api/auth-routes.js';
import { registerUserRoutes } from './adapters/api/users-routes.js';
import { registerAuditRoutes } from './adapters/api/audit-routes.js';
import { registerSettingsRoute } from './adapters/api/settings-route.js';
import { registerOidcLoginRoute } from './adapters/api/oidc-login-route.js';
import type { LanternConfig } from './platform/config/index.js';
import { migrate, openDatabase, type Database } from './platform/db/index.js';
import type { Logger } from './platform/log/index.js';
import { createMessageLog, type MessageLog } from './platform/messages/index.js';
import {
  createAeTable,
  auditAnchorFile,
  createAuditAnchoring,
  createAuditForwarder,
  createSecurity,
  listenerTls,
  type AeTable,
  type Security,
} from './platform/security/index.js';
import { LocalFolderStore } from './platform/storage/index.js';
import { createPatients, type Patients } from './patients/index.js';
import {
  createPatientReach,
  createRis,
  createStudyLinking,
  orderMergeParticipant,
  type Ris,
} from './ris/index.js';

/** The platform and services of one Lantern process, built from configuration. */
export interface Lantern {
  config: LanternConfig;
  log: Logger;
  database: Database;
  archive: Archive;
  patients: Patients;
  ris: Ris;
  aeTable: AeTable;
  /** Users, API keys, sessions and policy. */
  security: Security;
  /** The HL7 message log (inbound and outbound). */
  messages: MessageLog;
  /** Patients and RIS bound to another handle (a transaction's): the HL7 door processes batches in one. */
  servicesIn(database: Database): { patients: Patients; ris: Ris };
  close(): Promise<void>;
}

export async function openLantern(config: LanternConfig, log: Logger): Promise<Lantern> {
  const database = openDatabase({
    url: config.database.url,
    dataDir: config.dataDir,
    // Acknowledging each store only once it is on disk needs the index commit synced too.
    sqliteSynchronous: config.archive.fsync ? 'full' : config.database.sqliteSynchronous,
  });
  try {
    const applied = await migrate(database);
    if (applied.length > 0) log.info({ migrations: applied }, 'database migrated');
    const blobs = await LocalFolderStore.open(join(config.dataDir, 'storage'));
    // Which patients a request may read (a referring physician: those of his orders), resolved by the RIS.
    const patientReach = createPatientReach(database);
    const archive = createArchive({ database, blobs, settings: config.archive }, { patientReach });
    const servicesIn = (handle: Database) => {
      const patients = createPatients(handle, { participants: [orderMergeParticipant], patientReach });
      const ris = createRis({
        database: handle,
        patients,
        patientReach,
        claimMinutes: config.ris.claimMinutes,
        worklistIncludeArrived: config.ris.worklistIncludeArrived,
      });
      return { patients, ris };
    };
    const { patients, ris } = servicesIn(database);
    const recovered = await archive.recoverInterruptedStores();
    if (recovered > 0) log.warn({ files: recovered }, 'removed files an interrupted store left unindexed');
    const security = await createSecurity(database, config.security, config.dataDir);
    const aeTable = createAeTable(database, {
      configured: config.dicom.remoteAes,
      unknownAePermissions: config.dicom.unknownAePermissions,
    });
    const messages = createMessageLog(database, {
      retry: {
        maxAttempts: config.hl7.maxAttempts,
        baseDelayMs: config.hl7.retryDelayMs,
        maxDelayMs: config.hl7.retryMaxDelayMs,
      },
      leaseMs: 60_000,
    });
    return {
      config,
      log,
      database,
      archive,
      patients,
      ris,
      aeTable,
      security,
      messages,
      servicesIn,
      close: async () => {
        await archive.close();
        await blobs.close();
        await database.close();
      },
    };
  } catch (error) {
    await database.close();
    throw error;
  }
}

export interface RunningServer {
  /** Plain HTTP; absent when tls.plainListeners is false and HTTPS is configured. */
  httpUrl?: string;
  /** The plain DICOM port; absent when tls.plainListeners is false and DICOM TLS is configured. */
  dicomPort?: number;
  /** The DICOM-over-TLS port, when a certificate is configured. */
  dicomTlsPort?: number;
  /** The HL7 v2 MLLP port (TLS when hl7.tlsCertFile or tls.certFile is set). */
  hl7Port: number;
  /** HTTPS, when tls.certFile is set. */
  httpsUrl?: string;
  close(): Promise<void>;
}

/** Lantern's version, from package.json (one level above src/ and dist/). */
function packageVersion(): string {
  return (
    JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
  ).version;
}

/** Starts the listeners of `lantern serve`: HTTP, DICOM and HL7 (MLLP). */
export async function startServer(lantern: Lantern): Promise<RunningServer> {
  const { config, log } = lantern;
  // One certificate setting (tls.*) for HTTPS, DICOM and MLLP; dicom.tls* and hl7.tls* override it.
  const { http: httpsTls, dicom: tls, hl7: hl7Tls, client: clientTls } = listenerTls(config);
  // With tls.plainListeners false, a listener whose TLS twin is configured is not opened at all.
  const plainHttp = config.tls.plainListeners || !httpsTls;
  const plainDicom = config.tls.plainListeners || !tls;
  if (!config.tls.plainListeners && !httpsTls && !tls) {
    log.warn('tls.plainListeners is false but no certificate is set: the plain listeners stay open');
  }
  const http = createHttpServer(log, { bodyLimit: config.http.maxJsonBodyBytes });
  const routes = installHttpSecurity(http, lantern.security, log); // before any route: it records them
  installOpenApi(http, { title: 'Lantern REST API', version: packageVersion() });
  registerAuthRoutes(http, lantern);
  registerUserRoutes(http, { security: lantern.security, routes });
  registerOidcLoginRoute(http, lantern);
  registerAuditRoutes(http, lantern);
  registerSettingsRoute(http, lantern);
  registerApiRoutes(http, lantern);
  registerPatientRoutes(http, lantern);
  registerRisRoutes(http, lantern);
  registerRisUnmatchedRoutes(http, lantern);
  registerRisReportRoutes(http, lantern);
  registerExamNoteRoutes(http, lantern);
  registerRisChargeRoutes(http, lantern);
  registerDicomwebRoutes(http, lantern);
  registerFhirDoor(http, { ...lantern, dicomwebBase: DICOMWEB_BASE });
  registerHl7Routes(http, lantern);
  registerAeEchoRoute(http, {
    echo: (ctx, aeTitle) => echoAe(ctx, lantern.aeTable, config.dicom.aeTitle, aeTitle),
  });
  registerWebApp(http); // last: the UI's pages answer only GET paths no door claims
  const httpUrl = plainHttp
    ? await http.listen({ host: config.http.host, port: config.http.port })
    : undefined;
  if (httpUrl) log.info({ url: httpUrl }, 'HTTP listening');
  const https = httpsTls && (await listenHttps(http, httpsTls, config.http.tlsPort, config.http.host));
  if (https) log.info({ url: https.url }, 'HTTPS listening');
  const auditSyslog = config.security.auditSyslog;
  const forwarder = auditSyslog.host
    ? createAuditForwarder(
        lantern.database,
        {
          ...auditSyslog,
          tls: {
            ...clientTls,
            ...(auditSyslog.caFile ? { ca: readFileSync(auditSyslog.caFile) } : {}),
          },
          sourceId: config.dicom.aeTitle,
          positionFile: join(config.dataDir, 'security', 'audit-syslog.position'),
        },
        log,
      )
    : undefined;
  await forwarder?.start();
  // The chain head copied outside the database every minute, so that a trail cut back is caught.
  const anchoring = createAuditAnchoring(lantern.database, auditAnchorFile(config.dataDir), log);
  await anchoring.start();
  const dimse = createDimseDoor(config.dicom, lantern, log);
  const hl7 = createHl7Door({ ...config.hl7 }, lantern, log);
  // study.stable and linking arriving studies to their orders: a background loop while serving.
  const studyLinking = createStudyLinking(
    { database: lantern.database, patients: lantern.patients, archive: lantern.archive },
    { stableSeconds: config.ris.studyStableSeconds },
    log,
  );
  const listening = async () => {
    const plain = plainDicom ? await dimse.listen(config.dicom.port, config.dicom.host) : undefined;
    const secure = tls ? await dimse.listenTls(config.dicom.tlsPort, config.dicom.host, tls) : undefined;
    const hl7Address = await hl7.listen(config.hl7.port, config.hl7.host, hl7Tls);
    return { plain, secure, hl7Address };
  };
  const dicom = await listening().catch(async (error: unknown) => {
    await hl7.close();
    await dimse.close();
    await https?.close();
    await forwarder?.stop();
    await anchoring.stop();
    await http.close();
    throw error;
  });
  if (dicom.plain) log.info({ aeTitle: config.dicom.aeTitle, port: dicom.plain.port }, 'DICOM listening');
  studyLinking.start();
  if (dicom.secure)
    log.info({ aeTitle: config.dicom.aeTitle, port: dicom.secure.port }, 'DICOM TLS listening');
  log.info({ port: dicom.hl7Address.port, tls: hl7Tls !== undefined }, 'HL7 MLLP listening');
  return {
    ...(httpUrl ? { httpUrl } : {}),
    ...(dicom.plain ? { dicomPort: dicom.plain.port } : {}),
    ...(dicom.secure ? { dicomTlsPort: dicom.secure.port } : {}),
    hl7Port: dicom.hl7Address.port,
    ...(https ? { httpsUrl: https.url } : {}),
    close: async () => {
      await hl7.close();
      await studyLinking.stop();
      await dimse.close();
      await https?.close();
      await http.close();
      await forwarder?.stop(); // after the doors: their last records go out too
      await anchoring.stop();
      await lantern.archive.flush();
    },
  };
}
