import { readFileSync } from 'node:fs';
import { createSecureContext, type TlsOptions } from 'node:tls';
import { ConfigError } from '../config/index.js';

// One certificate for every door: tls.certFile / keyFile / caFile serve HTTPS, DICOM TLS (PS3.15 B.1) and
// MLLP over TLS; dicom.tls* and hl7.tls* override them per listener. Read before anything listens, so that a
// bad file stops `serve` naming its setting.

interface FileSettings {
  cert: { setting: string; file: string };
  key: { setting: string; file: string };
  ca: { setting: string; file: string };
}

/**
 * TLS options from certificate, key and CA files (undefined: no certificate, no TLS). BCP 195: TLS 1.2 or
 * later. With a CA file (`clientCertificates`), peers must present a certificate it signed.
 */
function readTls(files: FileSettings, clientCertificates: boolean): TlsOptions | undefined {
  const { cert, key, ca } = files;
  if (!cert.file && !key.file) {
    if (ca.file && clientCertificates)
      throw new ConfigError([`${ca.setting}: set, but ${cert.setting} is empty`]);
    return undefined;
  }
  if (!cert.file) throw new ConfigError([`${cert.setting}: empty, but ${key.setting} is set`]);
  if (!key.file) throw new ConfigError([`${key.setting}: empty, but ${cert.setting} is set`]);
  const read = ({ setting, file }: { setting: string; file: string }): Buffer => {
    try {
      return readFileSync(file);
    } catch (error) {
      throw new ConfigError([`${setting}: cannot read ${file}: ${(error as Error).message}`]);
    }
  };
  const options: TlsOptions = {
    cert: read(cert),
    key: read(key),
    minVersion: 'TLSv1.2',
    ...(ca.file && clientCertificates ? { ca: read(ca), requestCert: true, rejectUnauthorized: true } : {}),
  };
  try {
    createSecureContext(options);
  } catch (error) {
    throw new ConfigError([
      `${cert.setting}, ${key.setting}: not a usable PEM certificate and key: ${(error as Error).message}`,
    ]);
  }
  return options;
}

interface ListenerFiles {
  tlsCertFile: string;
  tlsKeyFile: string;
  tlsCaFile: string;
}

/** A listener's own files where set, the shared ones otherwise. */
function filesOf(prefix: string, own: ListenerFiles, shared: SharedTls): FileSettings {
  const ownCert = Boolean(own.tlsCertFile || own.tlsKeyFile);
  return {
    cert: ownCert
      ? { setting: `${prefix}.tlsCertFile`, file: own.tlsCertFile }
      : { setting: 'tls.certFile', file: shared.certFile },
    key: ownCert
      ? { setting: `${prefix}.tlsKeyFile`, file: own.tlsKeyFile }
      : { setting: 'tls.keyFile', file: shared.keyFile },
    ca: own.tlsCaFile
      ? { setting: `${prefix}.tlsCaFile`, file: own.tlsCaFile }
      : { setting: 'tls.caFile', file: shared.caFile },
  };
}

export interface SharedTls {
  certFile: string;
  keyFile: string;
  caFile: string;
}

export interface ListenerTls {
  /** HTTPS: the shared certificate; no client certificates asked (browsers, curl). */
  http?: TlsOptions;
  dicom?: TlsOptions;
  hl7?: TlsOptions;
  /** Lantern's own certificate and trust as a TLS client (the audit record repository). */
  client: { cert?: Buffer; key?: Buffer; ca?: Buffer };
}

export function listenerTls(config: {
  tls: SharedTls;
  dicom: ListenerFiles;
  hl7: ListenerFiles;
}): ListenerTls {
  const shared = config.tls;
  const http = readTls(
    {
      cert: { setting: 'tls.certFile', file: shared.certFile },
      key: { setting: 'tls.keyFile', file: shared.keyFile },
      ca: { setting: 'tls.caFile', file: shared.caFile },
    },
    false,
  );
  return {
    ...(http ? { http } : {}),
    ...optional('dicom', readTls(filesOf('dicom', config.dicom, shared), true)),
    ...optional('hl7', readTls(filesOf('hl7', config.hl7, shared), true)),
    client: {
      ...(http ? { cert: http.cert as Buffer, key: http.key as Buffer } : {}),
      ...(shared.caFile ? { ca: readFileSync(shared.caFile) } : {}),
    },
  };
}

const optional = <K extends string>(key: K, value: TlsOptions | undefined) =>
  (value ? { [key]: value } : {}) as Partial<Record<K, TlsOptions>>;
