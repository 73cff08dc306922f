// `lantern serve` as a user starts it, on free ports, for black-box tests over the wire.
import type { ChildProcess } from 'node:child_process';
import { startLantern } from './lantern-cli.js';

/**
 * The administrator API key every test server accepts (security.bootstrapAdminApiKey): authentication is on by
 * default, so black-box tests call the HTTP doors with `server.auth` as their headers.
 */
export const TEST_ADMIN_API_KEY = 'lantern-test-administrator-key-0001';

/**
 * Open DIMSE and HL7 doors, for tests that are not about door security: any calling AE may echo and store,
 * any HL7 sender may send. startServe runs the shipped defaults (unknown AEs only echo, no HL7 sender is
 * accepted); a test that needs more spreads this into its env, or names its own AEs and senders, so the
 * permissive settings show where they are used.
 */
export const OPEN_DOORS: Readonly<Record<string, string>> = {
  LANTERN_DICOM_UNKNOWN_AE_PERMISSIONS: 'echo,store',
  LANTERN_HL7_ALLOWED_SENDERS: '*',
};

export interface RunningLantern {
  /** Plain HTTP; '' when it is not opened (tls.plainListeners false with a certificate). */
  httpUrl: string;
  /** `Authorization: Bearer <TEST_ADMIN_API_KEY>`, for requests made as the administrator. */
  auth: Record<string, string>;
  /** The plain DICOM port; 0 when it is not opened (tls.plainListeners false with a certificate). */
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
  /** The server's stdout so far: what it tells the operator (the ready line, a first start's password). */
  stdout(): string;
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
      // The whole line, then each listener on it: those that are not opened are left out.
      const line = /Lantern serving on (.*)\n/.exec(out)?.[1];
      if (line === undefined) return;
      const part = (pattern: RegExp) => pattern.exec(line)?.[1];
      clearTimeout(timer);
      const dicomTlsPort = part(/(?:^| and )DICOM-TLS \S+:(\d+)/);
      const httpsUrl = part(/(?:^| and )HTTPS (https:\/\/\S+)/);
      resolve({
        httpUrl: part(/^(http:\/\/\S+)/) ?? '',
        auth: {
          authorization: `Bearer ${env.LANTERN_SECURITY_BOOTSTRAP_ADMIN_API_KEY ?? TEST_ADMIN_API_KEY}`,
        },
        dicomPort: Number(part(/(?:^| and )DICOM \S+:(\d+)/) ?? 0),
        ...(dicomTlsPort ? { dicomTlsPort: Number(dicomTlsPort) } : {}),
        hl7Port: Number(part(/(?:^| and )HL7 \S+:(\d+)/)),
        ...(httpsUrl ? { httpsUrl } : {}),
        process: child,
        log: () => stderr,
        stdout: () => out,
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
