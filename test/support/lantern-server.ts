// `lantern serve` as a user starts it, on free ports, for black-box tests over the wire.
import type { ChildProcess } from 'node:child_process';
import { startLantern } from './lantern-cli.js';

/**
 * The administrator API key every test server accepts (security.bootstrapAdminApiKey): authentication is on by
 * default, so black-box tests call the HTTP doors with `server.auth` as their headers.
 */
export const TEST_ADMIN_API_KEY = 'lantern-test-administrator-key-0001';

export interface RunningLantern {
  httpUrl: string;
  /** `Authorization: Bearer <TEST_ADMIN_API_KEY>`, for requests made as the administrator. */
  auth: Record<string, string>;
  dicomPort: number;
  /** The DICOM-over-TLS port, when serve was given a certificate (dicom.tlsCertFile). */
  dicomTlsPort?: number;
  /** The HL7 v2 MLLP port. */
  hl7Port: number;
  /** HTTPS, when serve was given a certificate (tls.certFile). */
  httpsUrl?: string;
  process: ChildProcess;
  /** The server's stderr so far (its JSON log). */
  log(): string;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export function startServe(env: Record<string, string>): Promise<RunningLantern> {
  const child = startLantern(['serve'], {
    LANTERN_HTTP_PORT: '0',
    LANTERN_DICOM_PORT: '0',
    LANTERN_HL7_PORT: '0',
    LANTERN_SECURITY_BOOTSTRAP_ADMIN_API_KEY: TEST_ADMIN_API_KEY,
    ...env,
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`serve did not start: ${stderr}`)), 60_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      // The whole line: optional listeners (DICOM-TLS) follow the DICOM one.
      const ready =
        /serving on (http:\/\/\S+) and DICOM \S+:(\d+)(?: and DICOM-TLS \S+:(\d+))?(?: and HL7 \S+:(\d+))?(?: and HTTPS (https:\/\/\S+))?.*\n/.exec(
          out,
        );
      if (!ready) return;
      clearTimeout(timer);
      resolve({
        httpUrl: ready[1]!,
        auth: {
          authorization: `Bearer ${env.LANTERN_SECURITY_BOOTSTRAP_ADMIN_API_KEY ?? TEST_ADMIN_API_KEY}`,
        },
        dicomPort: Number(ready[2]),
        ...(ready[3] ? { dicomTlsPort: Number(ready[3]) } : {}),
        hl7Port: Number(ready[4]),
        ...(ready[5] ? { httpsUrl: ready[5] } : {}),
        process: child,
        log: () => stderr,
        stop: async (signal = 'SIGTERM') => {
          if (child.exitCode === null && child.signalCode === null) child.kill(signal);
          await exited;
        },
      });
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${code}: ${stderr}`));
    });
  });
}
