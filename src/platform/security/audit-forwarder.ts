import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { connect as tlsConnect, type TLSSocket, type ConnectionOptions } from 'node:tls';
import type { Database } from '../db/index.js';
import type { Logger } from '../log/index.js';
import { auditRecordsAfter, lastAuditSeq, type AuditRecord } from './audit-search.js';
import { dicomAuditMessage } from './dicom-audit-message.js';
import { octetCounted, syslogMessage } from './syslog-message.js';

export interface AuditSyslogSettings {
  host: string;
  /** 0: the transport's port (514 UDP, 6514 TLS). */
  port: number;
  transport: 'udp' | 'tls';
  /** Trust for the repository's certificate, and Lantern's client certificate (mutual TLS, IHE ATNA). */
  tls: Pick<ConnectionOptions, 'ca' | 'cert' | 'key'>;
  /** Records read from the trail and sent per round. */
  maxQueue: number;
  /** AuditSourceID: Lantern's AE title. */
  sourceId: string;
  /**
   * Where the sequence number of the last record delivered is kept (`<data>/security/audit-syslog.position`),
   * so that a restart goes on after it: nothing sent twice, nothing skipped.
   */
  positionFile: string;
  pollMs?: number;
}

export interface AuditForwarder {
  start(): Promise<void>;
  /** Forwards what is committed so far (briefly trying), then closes the connection. */
  stop(): Promise<void>;
}

/**
 * Copies the audit trail, as it is committed, to an audit record repository as DICOM audit messages over
 * syslog. The trail itself is the queue: each round reads the records after the last one delivered, sends
 * them in order and then records how far it got (positionFile), so only committed records go out (a
 * transaction that rolled back never wrote one), nothing is dropped while the repository is down (it is
 * retried with backoff from the same record), and a restart resends nothing and skips nothing. Delivery is
 * "sent" (UDP) or "written to the TLS connection"; a process killed between sending and saving the position
 * sends that round's records again (at least once). The first start without a position begins at the
 * records written from then on (the database keeps the older ones).
 */
export function createAuditForwarder(
  database: Database,
  settings: AuditSyslogSettings,
  log: Logger,
): AuditForwarder {
  const flog = log.child({ component: 'audit-syslog' });
  const port = settings.port || (settings.transport === 'udp' ? 514 : 6514);
  const host = hostname();
  const pollMs = settings.pollMs ?? 500;
  const batch = Math.max(1, Math.min(settings.maxQueue, 1000));
  /** The seq of the last record delivered, and of the last one saved to positionFile. */
  let delivered = 0;
  let saved = 0;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;
  let failures = 0;
  let udp: UdpSocket | undefined;
  let tls: TLSSocket | undefined;

  const messageOf = (record: AuditRecord): Buffer => {
    const xml = dicomAuditMessage(record, { id: settings.sourceId, hostname: host });
    const message = syslogMessage(
      {
        hostname: host,
        appName: 'lantern',
        procId: String(process.pid),
        msgId: 'DICOM+RFC3881',
        severity: record.outcome === 'failure' ? 'warning' : 'notice',
        timestamp: record.recordedAt,
      },
      xml,
    );
    return settings.transport === 'tls' ? octetCounted(message) : message;
  };

  /** Sends every committed record after the last delivered, in order; stops at the first failure. */
  async function forward(): Promise<void> {
    for (;;) {
      const records = await auditRecordsAfter(database, delivered, batch);
      for (const record of records) {
        await send(messageOf(record));
        delivered = record.seq;
      }
      if (records.length < batch) return;
    }
  }

  async function savePosition(): Promise<void> {
    if (delivered === saved) return;
    const seq = delivered;
    const temporary = `${settings.positionFile}.tmp`;
    await writeFile(temporary, `${seq}\n`);
    await rename(temporary, settings.positionFile);
    saved = seq;
  }

  async function readPosition(): Promise<number | undefined> {
    try {
      const text = (await readFile(settings.positionFile, 'utf8')).trim();
      const seq = Number(text);
      if (!/^\d+$/.test(text) || !Number.isSafeInteger(seq))
        throw new Error(`not a sequence number: ${text}`);
      return seq;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new Error(`audit syslog position ${settings.positionFile}: ${(error as Error).message}`);
    }
  }

  const openTls = () =>
    new Promise<TLSSocket>((resolve, reject) => {
      const socket = tlsConnect({
        host: settings.host,
        port,
        servername: settings.host,
        minVersion: 'TLSv1.2',
        ...settings.tls,
      });
      socket.once('secureConnect', () => {
        socket.removeListener('error', reject);
        socket.on('error', (error) => {
          flog.warn({ reason: error.message }, 'audit syslog connection failed');
          socket.destroy();
        });
        socket.on('close', () => {
          if (tls === socket) tls = undefined;
        });
        // A repository does not answer; read nothing, but notice when it hangs up.
        socket.resume();
        resolve(socket);
      });
      socket.once('error', reject);
      socket.setTimeout(10_000, () => socket.destroy(new Error('connection timed out')));
    });

  const send = async (message: Buffer): Promise<void> => {
    if (settings.transport === 'udp') {
      udp ??= createSocket(settings.host.includes(':') ? 'udp6' : 'udp4');
      await new Promise<void>((resolve, reject) =>
        udp!.send(message, port, settings.host, (error) => (error ? reject(error) : resolve())),
      );
      return;
    }
    tls ??= await openTls();
    const socket = tls;
    await new Promise<void>((resolve, reject) =>
      socket.write(message, (error) => (error ? reject(error) : resolve())),
    );
  };

  async function tick(): Promise<void> {
    try {
      await forward();
      if (failures > 0) flog.info('audit syslog repository reachable again');
      failures = 0;
    } catch (error) {
      if (failures++ === 0)
        flog.warn(
          { reason: (error as Error).message, host: settings.host, port },
          'audit syslog not delivered; retrying',
        );
      tls?.destroy();
      tls = undefined;
    }
    await savePosition().catch((error: unknown) =>
      flog.error({ reason: (error as Error).message }, 'audit syslog position not saved'),
    );
  }

  const schedule = () => {
    if (stopped) return;
    // Back off while the repository is down: up to 30 s between attempts.
    const delay = failures === 0 ? pollMs : Math.min(30_000, pollMs * 2 ** Math.min(failures, 6));
    timer = setTimeout(() => {
      running = tick().finally(schedule);
    }, delay);
    timer.unref();
  };

  return {
    async start() {
      await mkdir(dirname(settings.positionFile), { recursive: true });
      delivered = saved = (await readPosition()) ?? (await lastAuditSeq(database));
      flog.info(
        { host: settings.host, port, transport: settings.transport },
        'audit records forwarded as syslog',
      );
      schedule();
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
      await Promise.race([tick(), new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
      udp?.close();
      tls?.end();
      tls?.destroy();
    },
  };
}
