// Peers and probes for the security tests: self-signed certificates, an MLLP sender, a stand-in OpenID
// provider on 127.0.0.1, and the audit trail of a running server's SQLite database.
import { execFileSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { connect as netConnect, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import Sqlite from 'better-sqlite3';
import { SignJWT, exportJWK, generateKeyPair, type CryptoKey } from 'jose';

export function selfSigned(dir: string, name: string): { cert: string; key: string } {
  const pair = { cert: join(dir, `${name}.crt`), key: join(dir, `${name}.key`) };
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2']
      .concat(['-subj', `/CN=${name}`, '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'])
      .concat(['-keyout', pair.key, '-out', pair.cert]),
    { stdio: 'ignore' },
  );
  return pair;
}

/** An HL7 v2 message (segments joined by CR) from APP^FACILITY. */
export function hl7Message(from: string, type: string, controlId: string, patientId = 'SEC-1'): string {
  const [app, facility = ''] = from.split('^');
  return [
    `MSH|^~\\&|${app}|${facility}|LANTERN||20250101120000||${type}|${controlId}|P|2.5.1`,
    'EVN||20250101120000',
    `PID|1||${patientId}^^^HOSP^MR||Secure^Sam||19700101|F`,
    'PV1|1|O',
  ].join('\r');
}

/** Sends one MLLP frame (over TLS with `ca`) and resolves with the ACK's MSA-1 code. */
export function sendMllp(port: number, message: string, tls?: { ca: Buffer }): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tls
      ? tlsConnect({ host: '127.0.0.1', port, ca: tls.ca, servername: 'localhost' })
      : netConnect({ host: '127.0.0.1', port });
    let reply = '';
    socket.once(tls ? 'secureConnect' : 'connect', () => socket.write(`\x0b${message}\x1c\r`));
    socket.on('data', (chunk: Buffer) => {
      reply += chunk.toString('latin1');
      const end = reply.indexOf('\x1c\r');
      if (end < 0) return;
      socket.end();
      const msa = reply.split('\r').find((segment) => segment.replace('\x0b', '').startsWith('MSA|'));
      resolve(msa?.split('|')[1] ?? `no MSA in ${JSON.stringify(reply)}`);
    });
    socket.on('error', reject);
    socket.on('close', () => reject(new Error(`connection closed without an ACK: ${JSON.stringify(reply)}`)));
    socket.setTimeout(15_000, () => socket.destroy(new Error('no ACK')));
  });
}

export interface AuditRow {
  seq: number;
  action: string;
  outcome: string;
  actorKind: string;
  actorId: string;
  door: string;
  remoteAddress: string | null;
  patientId: string | null;
  studyInstanceUid: string | null;
  detail: Record<string, unknown>;
}

/** The audit records of a running server's SQLite database after `afterSeq` (opened read-only). */
export function auditRows(dataDir: string, afterSeq = 0): AuditRow[] {
  const db = new Sqlite(join(dataDir, 'lantern.db'), { readonly: true, fileMustExist: true });
  try {
    const rows = db
      .prepare(
        `select seq, action, outcome, actor_kind, actor_id, door, remote_address, patient_id,
                study_instance_uid, detail from audit_event where seq > ? order by seq`,
      )
      .all(afterSeq) as Record<string, unknown>[];
    return rows.map((r) => ({
      seq: Number(r.seq),
      action: String(r.action),
      outcome: String(r.outcome),
      actorKind: String(r.actor_kind),
      actorId: String(r.actor_id),
      door: String(r.door),
      remoteAddress: r.remote_address as string | null,
      patientId: r.patient_id as string | null,
      studyInstanceUid: r.study_instance_uid as string | null,
      detail: (r.detail ? JSON.parse(String(r.detail)) : {}) as Record<string, unknown>,
    }));
  } finally {
    db.close();
  }
}

export const lastSeq = (dataDir: string): number => auditRows(dataDir).at(-1)?.seq ?? 0;

/** A stand-in OpenID provider: discovery and a JWKS on 127.0.0.1, and tokens signed with its key. */
export async function startIssuer(): Promise<{
  issuer: string;
  token(claims: Record<string, unknown>): Promise<string>;
  close(): Promise<void>;
}> {
  const pair = await generateKeyPair('RS256');
  const signingKey: CryptoKey = pair.privateKey;
  const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  let issuer = '';
  const server: Server = createServer((request, response) => {
    response.setHeader('content-type', 'application/json');
    if (request.url === '/.well-known/openid-configuration') {
      response.end(JSON.stringify({ issuer, jwks_uri: `${issuer}/certs` }));
    } else if (request.url === '/certs') {
      response.end(JSON.stringify({ keys: [jwk] }));
    } else {
      response.statusCode = 404;
      response.end('{}');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    issuer,
    token: (claims) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
        .setIssuer(issuer)
        .setAudience('lantern')
        .setSubject(`sub-${String(claims.preferred_username ?? 'x')}`)
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(signingKey),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
