import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { securitySettings } from './security-settings.js';
import { group } from './setting-group.js';

// Every setting of Lantern, once: its type, default and a one-line description. The environment name of a
// setting is derived from its path (dicom.aeTitle → LANTERN_DICOM_AE_TITLE); lantern.example.jsonc is generated
// from this file (`npm run config:example`).

const aePermission = Type.Union([
  Type.Literal('echo'),
  Type.Literal('store'),
  Type.Literal('query'),
  Type.Literal('retrieve'),
  Type.Literal('worklist'),
]);

const port = (defaultPort: number, description: string) =>
  Type.Integer({ minimum: 0, maximum: 65535, default: defaultPort, description });

export const configSchema = Type.Object(
  {
    dataDir: Type.String({
      default: './data',
      description: 'Folder for the embedded database, stored DICOM files and temporary uploads.',
    }),
    database: group({
      url: Type.String({
        default: '',
        description: 'Empty: SQLite in the data folder. A postgres:// URL selects PostgreSQL.',
      }),
      sqliteSynchronous: Type.Union([Type.Literal('normal'), Type.Literal('full')], {
        default: 'normal',
        description:
          'SQLite fsync on every commit ("full") or at checkpoints ("normal": survives a process crash).',
      }),
    }),
    tls: group({
      certFile: Type.String({
        default: '',
        description:
          'PEM certificate (chain) for every listener: HTTPS on http.tlsPort, DICOM TLS, MLLP over TLS; empty: no TLS.',
      }),
      keyFile: Type.String({ default: '', description: 'PEM private key of tls.certFile; needed with it.' }),
      caFile: Type.String({
        default: '',
        description:
          'PEM CA certificates: DICOM and HL7 peers must present a client certificate they signed (HTTPS does not ask).',
      }),
      plainListeners: Type.Boolean({
        default: true,
        description:
          'Also open the plain (unencrypted) HTTP and DICOM listeners when a certificate is set; false: TLS only (HL7 is TLS only whenever it has a certificate).',
      }),
    }),
    http: group({
      host: Type.String({
        default: '127.0.0.1',
        description: 'Address the HTTP server binds to; loopback by default, 0.0.0.0 to serve the network.',
      }),
      port: port(8080, 'TCP port of the HTTP server: /api, /dicom-web, /fhir.'),
      tlsPort: port(8443, 'TCP port of HTTPS (same routes), opened when tls.certFile is set.'),
      maxJsonBodyBytes: Type.Integer({
        minimum: 1024,
        default: 1024 * 1024,
        description:
          'Largest JSON or form request body of /api and /fhir (bytes); a larger one is refused with 413 (STOW-RS has its own limits).',
      }),
    }),
    dicomweb: group({
      stowMaxRequestBytes: Type.Integer({
        minimum: 1,
        default: 4 * 1024 ** 3,
        description: 'Largest STOW-RS request body (bytes); a larger one is refused with 413.',
      }),
      stowMaxInstanceBytes: Type.Integer({
        minimum: 1,
        default: 2 * 1024 ** 3,
        description: 'Largest instance (one part) of a STOW-RS request (bytes); a larger one fails alone.',
      }),
      stowMaxParts: Type.Integer({
        minimum: 1,
        default: 10000,
        description: 'Most parts (instances) in one STOW-RS request; more are refused with 413.',
      }),
    }),
    dicom: group({
      host: Type.String({ default: '127.0.0.1', description: 'Address the DICOM listener binds to.' }),
      port: port(11112, 'TCP port of the DICOM (DIMSE) listener.'),
      tlsPort: port(
        2762,
        'TCP port of the DICOM-over-TLS listener (PS3.15 B.1), opened when a certificate is set.',
      ),
      tlsCertFile: Type.String({
        default: '',
        description:
          'PEM certificate (chain) of the DICOM TLS listener; empty: tls.certFile (none: no TLS listener).',
      }),
      tlsKeyFile: Type.String({
        default: '',
        description: 'PEM private key of tlsCertFile; needed with it (empty: tls.keyFile).',
      }),
      tlsCaFile: Type.String({
        default: '',
        description:
          'PEM CA certificates: when set, TLS peers must present a client certificate they signed; empty: tls.caFile.',
      }),
      tlsAeIdentity: Type.Union([Type.Literal('off'), Type.Literal('cn')], {
        default: 'off',
        description:
          '"cn": on the TLS listener the calling AE title must be the client certificate\'s subject CN (or its tlsAeMap title), and on the plain listener it is not trusted (unknownAePermissions only).',
      }),
      tlsAeMap: Type.Array(Type.String({ pattern: '^.+=.+$' }), {
        default: [],
        description:
          'CN=AE_TITLE pairs: the AE title a client certificate subject CN calls as (tlsAeIdentity "cn").',
      }),
      aeTitle: Type.String({
        default: 'LANTERN',
        minLength: 1,
        maxLength: 16,
        description: "Lantern's own Application Entity title (PS3.5: at most 16 characters).",
      }),
      remoteAes: Type.Array(
        Type.Object(
          {
            aeTitle: Type.String({ minLength: 1, maxLength: 16 }),
            host: Type.String({ minLength: 1 }),
            port: Type.Integer({ minimum: 1, maximum: 65535 }),
            permissions: Type.Array(aePermission),
            description: Type.Optional(Type.String()),
          },
          { additionalProperties: false },
        ),
        {
          default: [],
          description: 'Remote DICOM nodes known from the start (more can be added with `lantern ae add`).',
        },
      ),
      acceptUnknownSopClasses: Type.Boolean({
        default: false,
        description:
          'Store SOP classes the DICOM registry does not list as storage (private or newer ones) too.',
      }),
      maxPduLength: Type.Integer({
        minimum: 4096,
        maximum: 16 * 1024 * 1024,
        default: 262144,
        description: 'Largest PDU Lantern accepts, announced to peers (bytes; larger means fewer messages).',
      }),
      maxAssociations: Type.Integer({
        minimum: 1,
        default: 200,
        description: 'Associations open at once; more are rejected as "local limit exceeded".',
      }),
      idleTimeoutSeconds: Type.Integer({
        minimum: 0,
        default: 300,
        description: 'An association silent this long is aborted (0: never).',
      }),
      unknownAePermissions: Type.Array(aePermission, {
        default: ['echo'],
        description:
          'What a calling AE that is not in the AE table may do (echo, store, query, retrieve, worklist); by default only C-ECHO: add nodes with `lantern ae add`.',
      }),
    }),
    hl7: group({
      host: Type.String({ default: '127.0.0.1', description: 'Address the HL7 v2 MLLP listener binds to.' }),
      port: port(2575, 'TCP port of the HL7 v2 MLLP listener.'),
      tlsCertFile: Type.String({
        default: '',
        description:
          'PEM certificate (chain): when set, the HL7 listener speaks MLLP over TLS only; empty: tls.certFile.',
      }),
      tlsKeyFile: Type.String({
        default: '',
        description: 'PEM private key of hl7.tlsCertFile; needed with it (empty: tls.keyFile).',
      }),
      tlsCaFile: Type.String({
        default: '',
        description:
          'PEM CA certificates: when set, HL7 peers must present a client certificate they signed; empty: tls.caFile.',
      }),
      application: Type.String({
        default: 'LANTERN',
        minLength: 1,
        description: "Lantern's HL7 application name (MSH-3 of what it sends, MSH-5 it answers to).",
      }),
      facility: Type.String({ default: '', description: "Lantern's HL7 facility (MSH-4 of what it sends)." }),
      allowedSenders: Type.Array(Type.String({ minLength: 1 }), {
        default: [],
        description:
          'Sending applications accepted, as APP or APP^FACILITY (MSH-3, MSH-4), optionally =adt,orders (what they may send; default both); "*" as APP: any (closed evaluation networks). Empty (the default): none. Others get AR.',
      }),
      maxMessageBytes: Type.Integer({
        minimum: 1024,
        default: 4 * 1024 * 1024,
        description: 'Largest MLLP frame accepted (bytes); a larger one closes the connection.',
      }),
      ackWaitMs: Type.Integer({
        minimum: 0,
        default: 5000,
        description:
          'Original mode: how long the ACK waits for the stored message to be processed, so that it can say AA or AE.',
      }),
      maxAttempts: Type.Integer({
        minimum: 1,
        default: 5,
        description: 'Attempts to process (inbound) or send (outbound) a message before it is dead-lettered.',
      }),
      retryDelayMs: Type.Integer({
        minimum: 1,
        default: 5000,
        description: 'Delay before the second attempt; each further one doubles it, up to retryMaxDelayMs.',
      }),
      retryMaxDelayMs: Type.Integer({
        minimum: 1,
        default: 600_000,
        description: 'Longest delay between attempts.',
      }),
      destinations: Type.Array(
        Type.Object(
          {
            name: Type.String({ minLength: 1 }),
            host: Type.String({ minLength: 1 }),
            port: Type.Integer({ minimum: 1, maximum: 65535 }),
            receivingApplication: Type.String({ default: '' }),
            receivingFacility: Type.String({ default: '' }),
            tls: Type.Optional(Type.Boolean()),
            // ORU: report results; ORM or OMI: order status changes (ORC-1 SC) as ORM^O01 or OMI^O23.
            messages: Type.Array(
              Type.Union([Type.Literal('ORU'), Type.Literal('ORM'), Type.Literal('OMI')]),
              {
                default: ['ORU'],
              },
            ),
          },
          { additionalProperties: false },
        ),
        {
          default: [],
          description:
            'Systems Lantern sends HL7 to, each with its MLLP address and what it takes: ORU (report results), ORM or OMI (order status changes).',
        },
      ),
    }),
    archive: group({
      duplicatePolicy: Type.Union(
        [Type.Literal('keep-first'), Type.Literal('replace'), Type.Literal('reject')],
        {
          default: 'keep-first',
          description:
            'An instance whose SOP Instance UID is already stored: keep the stored one and report a duplicate, replace it, or refuse it.',
        },
      ),
      fsync: Type.Boolean({
        default: false,
        description:
          'Flush each file to disk before its store is acknowledged; off: files are flushed in groups (storage commitment, end of import), a process crash still loses nothing.',
      }),
    }),
    import: group({
      concurrency: Type.Integer({
        minimum: 1,
        maximum: 64,
        default: 4,
        description: 'Files `lantern import` stores at the same time.',
      }),
    }),
    ris: group({
      claimMinutes: Type.Integer({
        minimum: 1,
        maximum: 24 * 60,
        default: 30,
        description:
          "How long a radiologist's claim on a reading worklist exam holds before others may take it.",
      }),
      studyStableSeconds: Type.Integer({
        minimum: 1,
        maximum: 24 * 3600,
        default: 60,
        description:
          'A study with no new instance for this long is stable (study.stable): then it is linked to its order.',
      }),
      worklistIncludeArrived: Type.Boolean({
        default: true,
        description: 'The Modality Worklist lists arrived patients too, not only scheduled (booked) ones.',
      }),
    }),
    security: securitySettings,
    log: group({
      level: Type.Union(
        ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((level) => Type.Literal(level)),
        { default: 'info', description: 'Log level of the server (JSON lines on stderr).' },
      ),
    }),
  },
  { additionalProperties: false },
);

export type LanternConfig = Static<typeof configSchema>;

export interface SettingInfo {
  path: string[];
  envName: string;
  schema: TSchema;
}

const toSnake = (segment: string) => segment.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();

/** Every leaf setting with its environment variable name, in schema order. */
export function listSettings(schema: TSchema = configSchema, path: string[] = []): SettingInfo[] {
  if (schema.type === 'object' && schema.properties) {
    return Object.entries(schema.properties as Record<string, TSchema>).flatMap(([key, child]) =>
      listSettings(child, [...path, key]),
    );
  }
  return [{ path, envName: `LANTERN_${path.map(toSnake).join('_')}`, schema }];
}
