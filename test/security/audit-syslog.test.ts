// The audit trail forwarded to an audit record repository: DICOM audit messages (PS3.15 A.5) in RFC 5424
// syslog, to a local UDP listener (RFC 5426) and a local TLS listener (RFC 5425, octet counting). Each
// message is parsed as XML (python3's xml.dom.minidom: no XML parser among our packages).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createServer as createTlsServer } from 'node:tls';
import Sqlite from 'better-sqlite3';
import { runTool } from '../support/dcmtk.js';
import { runLantern } from '../support/lantern-cli.js';
import { startServe } from '../support/lantern-server.js';
import { auditRows, selfSigned } from './security-support.js';

const CT_SMALL = '/usr/lib/python3/dist-packages/pydicom/data/test_files/CT_small.dcm';

interface Parsed {
  eventId: string;
  actionCode: string;
  outcome: string;
  participants: { userId: string; requestor: string; accessPoint: string }[];
  objects: { id: string; type: string; role: string }[];
  sourceId: string;
}

/** RFC 5424 header, then the XML after the BOM, parsed by a real XML parser. */
function parseSyslog(message: Buffer): { pri: number; msgId: string; xml: Parsed } {
  const bom = message.indexOf(Buffer.from([0xef, 0xbb, 0xbf]));
  assert.ok(bom > 0, 'MSG starts with the UTF-8 BOM');
  const header = message.subarray(0, bom).toString('ascii');
  const match = /^<(\d+)>1 (\S+) (\S+) (\S+) (\S+) (\S+) - $/.exec(header);
  assert.ok(match, `an RFC 5424 header: ${header}`);
  assert.ok(!Number.isNaN(Date.parse(match[2]!)), 'TIMESTAMP');
  const script = `
import json, sys, xml.dom.minidom as m
d = m.parseString(sys.stdin.buffer.read())
root = d.documentElement
assert root.tagName == 'AuditMessage', root.tagName
ev = root.getElementsByTagName('EventIdentification')[0]
print(json.dumps({
  'eventId': ev.getElementsByTagName('EventID')[0].getAttribute('csd-code'),
  'actionCode': ev.getAttribute('EventActionCode'),
  'outcome': ev.getAttribute('EventOutcomeIndicator'),
  'participants': [{'userId': p.getAttribute('UserID'), 'requestor': p.getAttribute('UserIsRequestor'),
                    'accessPoint': p.getAttribute('NetworkAccessPointID')}
                   for p in root.getElementsByTagName('ActiveParticipant')],
  'objects': [{'id': o.getAttribute('ParticipantObjectID'), 'type': o.getAttribute('ParticipantObjectTypeCode'),
               'role': o.getAttribute('ParticipantObjectTypeCodeRole')}
              for o in root.getElementsByTagName('ParticipantObjectIdentification')],
  'sourceId': root.getElementsByTagName('AuditSourceIdentification')[0].getAttribute('AuditSourceID'),
}))`;
  const out = execFileSync('python3', ['-c', script], { input: message.subarray(bom + 3) });
  return { pri: Number(match[1]), msgId: match[6]!, xml: JSON.parse(out.toString()) as Parsed };
}

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lantern-syslog-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Serves with the repository at `port`, stores CT_small over DIMSE, queries over REST, and stops. */
async function accessWhileForwarding(
  transport: 'udp' | 'tls',
  port: number,
  extra: Record<string, string> = {},
) {
  const server = await startServe({
    LANTERN_DATA_DIR: join(dir, transport),
    LANTERN_SECURITY_AUDIT_SYSLOG_HOST: '127.0.0.1',
    LANTERN_SECURITY_AUDIT_SYSLOG_PORT: String(port),
    LANTERN_SECURITY_AUDIT_SYSLOG_TRANSPORT: transport,
    LANTERN_DICOM_REMOTE_AES: JSON.stringify([
      { aeTitle: 'MODALITY', host: '127.0.0.1', port: 104, permissions: ['store'] },
    ]),
    ...extra,
  });
  try {
    const stored = await runTool('storescu', [
      '-aec',
      'LANTERN',
      '-aet',
      'MODALITY',
      '127.0.0.1',
      String(server.dicomPort),
      CT_SMALL,
    ]);
    assert.equal(stored.code, 0, stored.output);
    const query = await fetch(`${server.httpUrl}/api/studies?PatientID=1CT1`, { headers: server.auth });
    assert.equal(query.status, 200);
  } finally {
    await server.stop(); // stopping forwards what is left
  }
}

function checkMessages(messages: Buffer[]): void {
  const parsed = messages.map(parseSyslog);
  for (const m of parsed) {
    assert.equal(m.msgId, 'DICOM+RFC3881');
    assert.equal(Math.floor(m.pri / 8), 10, 'facility authpriv');
    assert.equal(m.xml.sourceId, 'LANTERN');
  }
  const transferred = parsed.filter((m) => m.xml.eventId === '110104');
  assert.equal(transferred.length, 1, JSON.stringify(parsed.map((m) => m.xml.eventId)));
  const store = transferred[0]!.xml;
  assert.equal(store.actionCode, 'C');
  assert.equal(store.outcome, '0');
  assert.deepEqual(
    store.participants.find((p) => p.requestor === 'true'),
    { userId: 'MODALITY', requestor: 'true', accessPoint: '127.0.0.1' },
  );
  assert.ok(
    store.objects.some((o) => o.id === '1CT1' && o.type === '1' && o.role === '1'),
    'the patient',
  );
  assert.ok(
    store.objects.some((o) => o.id === '1.3.6.1.4.1.5962.1.2.1.20040119072730.12322' && o.role === '3'),
    'the study',
  );
  const queries = parsed.filter((m) => m.xml.eventId === '110112');
  assert.equal(queries.length, 1, 'the REST query, once');
  assert.equal(queries[0]!.xml.participants.find((p) => p.requestor === 'true')?.accessPoint, '127.0.0.1');
}

test('UDP (RFC 5426): one datagram per record, DICOM audit XML', async () => {
  const socket = createSocket('udp4');
  const received: Buffer[] = [];
  socket.on('message', (message) => received.push(message));
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  try {
    await accessWhileForwarding('udp', (socket.address() as AddressInfo).port);
    checkMessages(received);
  } finally {
    socket.close();
  }
});

test('TLS (RFC 5425): octet-counted frames over a verified connection', async () => {
  const pair = selfSigned(dir, 'repository');
  const streams: Buffer[] = [];
  const repository = createTlsServer(
    { cert: await readFile(pair.cert), key: await readFile(pair.key) },
    (socket) => {
      const chunks: Buffer[] = [];
      socket.on('data', (chunk: Buffer) => chunks.push(chunk));
      socket.on('end', () => streams.push(Buffer.concat(chunks)));
      socket.on('error', () => undefined);
    },
  );
  await new Promise<void>((resolve) => repository.listen(0, '127.0.0.1', resolve));
  try {
    await accessWhileForwarding('tls', (repository.address() as AddressInfo).port, {
      LANTERN_SECURITY_AUDIT_SYSLOG_CA_FILE: pair.cert,
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const messages: Buffer[] = [];
    for (const stream of streams) {
      let rest = stream;
      while (rest.length > 0) {
        const space = rest.indexOf(0x20);
        const length = Number(rest.subarray(0, space).toString('ascii'));
        assert.ok(Number.isInteger(length) && length > 0, 'MSG-LEN');
        messages.push(rest.subarray(space + 1, space + 1 + length));
        rest = rest.subarray(space + 1 + length);
      }
    }
    checkMessages(messages);
  } finally {
    repository.close();
  }
});

test('the position is kept across restarts: every record goes out once, also those written while stopped', async () => {
  const socket = createSocket('udp4');
  const received: Buffer[] = [];
  socket.on('message', (message) => received.push(message));
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const dataDir = join(dir, 'restarts');
  const env = {
    LANTERN_DATA_DIR: dataDir,
    LANTERN_SECURITY_AUDIT_SYSLOG_HOST: '127.0.0.1',
    LANTERN_SECURITY_AUDIT_SYSLOG_PORT: String((socket.address() as AddressInfo).port),
    LANTERN_SECURITY_AUDIT_SYSLOG_TRANSPORT: 'udp',
  };
  // From the first record on (without a position, forwarding starts at the records written from then on).
  await mkdir(join(dataDir, 'security'), { recursive: true });
  await writeFile(join(dataDir, 'security', 'audit-syslog.position'), '0\n');
  const query = async (patientId: string) => {
    const server = await startServe(env);
    try {
      const reply = await fetch(`${server.httpUrl}/api/studies?PatientID=${patientId}`, {
        headers: server.auth,
      });
      assert.equal(reply.status, 200);
    } finally {
      await server.stop();
    }
  };
  try {
    await query('FIRST');
    const afterFirst = received.length;
    assert.ok(afterFirst > 0);
    // Written while no server runs: the next start must send it, after what the first one sent.
    const added = await runLantern(['user', 'add', 'offline-clerk', '--role', 'clerk'], env);
    assert.equal(added.code, 0, added.stderr);
    await query('SECOND');
    await query('THIRD');
    await new Promise((resolve) => setTimeout(resolve, 200));
    const sent = received.map((message) => {
      const header = message.subarray(0, message.indexOf(Buffer.from([0xef, 0xbb, 0xbf]))).toString();
      return Date.parse(header.split(' ')[1]!);
    });
    const trail = auditRows(dataDir);
    assert.ok(trail.some((r) => r.action === 'user.add'));
    assert.equal(trail.filter((r) => r.action === 'study.query').length, 3);
    // Exactly the trail, in order: nothing twice, nothing left out.
    assert.equal(sent.length, trail.length, `${sent.length} messages for ${trail.length} records`);
    const recorded = new Sqlite(join(dataDir, 'lantern.db'), { readonly: true });
    try {
      const times = recorded.prepare('select recorded_at from audit_event order by seq').all() as {
        recorded_at: string;
      }[];
      assert.deepEqual(
        sent,
        times.map((t) => Date.parse(t.recorded_at)),
      );
    } finally {
      recorded.close();
    }
    assert.equal(
      (await readFile(join(dataDir, 'security', 'audit-syslog.position'), 'utf8')).trim(),
      String(trail.at(-1)!.seq),
    );
  } finally {
    socket.close();
  }
});
