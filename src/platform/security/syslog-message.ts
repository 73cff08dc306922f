// RFC 5424 syslog messages and their framing on the two transports an audit record repository takes:
// one message per datagram over UDP (RFC 5426), octet-counted over TLS (RFC 5425 4.3).

/** authpriv (10): security and authorization messages, as IHE ATNA and PS3.15 A.6 ask. */
const FACILITY_AUTHPRIV = 10;
const SEVERITY = { notice: 5, warning: 4 } as const;

export interface SyslogHeader {
  hostname: string;
  appName: string;
  procId: string;
  /** PS3.15 A.6: the MSGID of a DICOM audit message. */
  msgId: string;
  severity: keyof typeof SEVERITY;
  timestamp: string;
}

// RFC 5424 6.2: header fields are printable US-ASCII without spaces, of bounded length; '-' when empty.
const field = (value: string, max: number) => value.replace(/[^\x21-\x7e]/g, '').slice(0, max) || '-';

/** `<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID - BOM MSG` (no structured data; MSG in UTF-8). */
export function syslogMessage(header: SyslogHeader, message: string): Buffer {
  const pri = FACILITY_AUTHPRIV * 8 + SEVERITY[header.severity];
  const head = [
    `<${pri}>1`,
    field(header.timestamp, 64),
    field(header.hostname, 255),
    field(header.appName, 48),
    field(header.procId, 128),
    field(header.msgId, 32),
    '-',
  ].join(' ');
  // RFC 5424 6.4: a MSG in UTF-8 starts with the BOM.
  return Buffer.concat([
    Buffer.from(`${head} `, 'ascii'),
    Buffer.from([0xef, 0xbb, 0xbf]),
    Buffer.from(message, 'utf8'),
  ]);
}

/** RFC 5425 4.3: `MSG-LEN SP SYSLOG-MSG`, MSG-LEN the octet count. */
export function octetCounted(message: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`${message.length} `, 'ascii'), message]);
}
