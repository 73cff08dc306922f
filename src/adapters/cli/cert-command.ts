import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { hostname } from 'node:os';
import { isIP } from 'node:net';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { listSettings } from '../../platform/config/index.js';

const run = promisify(execFile);

/**
 * `lantern cert`: a self-signed certificate and key for evaluation (EC P-256, one year), written to
 * <dataDir>/tls with OpenSSL; prints the settings that use them. Production sites use their CA's certificate.
 */
export async function makeEvaluationCertificate(
  dataDir: string,
  options: { hosts: string[]; force: boolean },
): Promise<string> {
  const folder = resolve(dataDir, 'tls');
  const cert = join(folder, 'lantern-cert.pem');
  const key = join(folder, 'lantern-key.pem');
  if (!options.force && (existsSync(cert) || existsSync(key))) {
    throw new Error(`${cert} exists; use --force to replace it`);
  }
  await mkdir(folder, { recursive: true, mode: 0o700 });
  const hosts = [...new Set(options.hosts.length ? options.hosts : ['localhost', '127.0.0.1', hostname()])];
  const altNames = hosts.map((h) => (isIP(h) ? `IP:${h}` : `DNS:${h}`)).join(',');
  await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-days',
    '365',
    '-subj',
    `/CN=${hosts[0]}/O=Lantern evaluation`,
    '-addext',
    `subjectAltName=${altNames}`,
    '-keyout',
    key,
    '-out',
    cert,
  ]);
  // tls.certFile / tls.keyFile serve every listener (HTTPS, DICOM TLS, MLLP over TLS); the per-listener
  // settings (dicom.tls*, hl7.tls*) override them. Listed from the schema so new ones show up.
  const settings = listSettings().filter((s) => /^(tls)?(cert|key)File$/i.test(s.path.at(-1) ?? ''));
  const lines = settings.map(
    (s) =>
      `  ${s.envName}=${/certFile$/i.test(s.path.at(-1)!) ? cert : key}` +
      (s.path[0] === 'tls' ? '' : '   (optional: defaults to the tls.* one)'),
  );
  return [
    `Self-signed certificate for ${hosts.join(', ')} (valid 365 days):`,
    `  certificate  ${cert}`,
    `  private key  ${key}`,
    'Use it with these settings (environment, or the same paths in lantern.json):',
    ...lines,
    'Clients must trust this certificate explicitly (e.g. curl --cacert, storescu +cf).',
  ].join('\n');
}
