import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { hostname } from 'node:os';
import { connect as tlsConnect, type TLSSocket, type ConnectionOptions } from 'node:tls';
import type { Database } from '../db/index.js';
import type { Logger } from '../log/index.js';
import { auditRecordsAfter, lastAuditSeq } from './audit-search.js';
import { dicomAuditMessage } from './dicom-audit-message.js';
import { octetCounted, syslogMessage } from './syslog-message.js';

export interface AuditSyslogSettings {
  host: string;
  /** 0: the transport's port (514 UDP, 6514 TLS). */
  port: number;
  transport: 'udp' | 'tls';
  /** Trust for the repository's certificate, and Lantern's client certificate (mutual TLS, IHE ATNA). */
  tls: Pick<ConnectionOptions, 'ca' | 'cert' | 'key'>;
  maxQueue: number;
  /** AuditSourceID: Lantern's AE title. */
  sourceId: string;
  pollMs?: number;
}

export interface AuditForwarder {
  start(): Promise<void>;
  /** Forwards what is committed so far (briefly trying), then closes the connection. */
  stop(): Promise<void>;
}

/**
 * Copies the audit trail, as it is committed, to an audit record repository as DICOM audit messages over
 * syslog. It reads the trail after the last record it forwarded, so only committed records go out (a
 * transaction that rolled back never wrote one) and nothing in the database depends on the repository:
 * when it is down, messages wait in a bounded queue (the oldest dropped beyond maxQueue) and are retried.
 * Records written before this process started are not sent (the database keeps them).
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
  const queue: Buffer[] = [];
  let cursor = 0;
  let dropped = 0;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;
  let failures = 0;
  let udp: UdpSocket | undefined;
  let tls: TLSSocket | undefined;

  const enqueue = (message: Buffer) => {
    queue.push(message);
    if (queue.length > settings.maxQueue) {
      queue.shift();
      if (dropped++ === 0)
        flog.warn({ maxQueue: settings.maxQueue }, 'audit syslog queue full: dropping the oldest');
    }
  };

  async function poll(): Promise<void> {
    for (;;) {
      const records = await auditRecordsAfter(database, cursor, 500);
      for (const record of records) {
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
        enqueue(settings.transport === 'tls' ? octetCounted(message) : message);
        cursor = record.seq;
      }
      if (records.length < 500) return;
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

  async function flush(): Promise<void> {
    while (queue.length > 0) {
      await send(queue[0]!);
      queue.shift();
    }
    if (dropped > 0) {
      flog.warn({ dropped }, 'audit syslog messages were dropped while the repository was unreachable');
      dropped = 0;
    }
  }

  async function tick(): Promise<void> {
    try {
      await poll();
      await flush();
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
      cursor = await lastAuditSeq(database);
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
