import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger };

// Patient-identifying fields never reach the logs (ARCHITECTURE.md: no names or birth dates in logs).
const REDACTED_PATHS = [
  'patientName',
  'patientBirthDate',
  '*.patientName',
  '*.patientBirthDate',
  'PatientName',
  'PatientBirthDate',
  '*.PatientName',
  '*.PatientBirthDate',
];

export interface LogSettings {
  level: string;
  pretty?: boolean;
}

/** The process logger. Structured JSON to stderr so that command output on stdout stays clean. */
export function createLogger(settings: LogSettings): Logger {
  const options: LoggerOptions = {
    level: settings.level,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    base: { app: 'lantern' },
  };
  return pino(options, pino.destination({ dest: 2, sync: false }));
}

/** A logger that drops everything: for tests and tools that report on their own. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
