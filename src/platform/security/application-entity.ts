import { invalid } from '../errors.js';

/** What a remote DICOM node may ask of Lantern. */
// `worklist`: Modality Worklist C-FIND and MPPS N-CREATE/N-SET, what a modality needs of the RIS.
export const AE_PERMISSIONS = ['echo', 'store', 'query', 'retrieve', 'worklist'] as const;
export type AePermission = (typeof AE_PERMISSIONS)[number];

/** A remote DICOM node: its AE title, where to reach it (C-MOVE, send), and what it may do. */
export interface ApplicationEntity {
  aeTitle: string;
  host: string;
  port: number;
  permissions: AePermission[];
  description?: string;
  /** `config`: from the config file, read-only here; `database`: added on the CLI or REST API. */
  source: 'config' | 'database';
}

/**
 * An AE title as DICOM defines it (PS3.5 6.2, AE): 1–16 characters of the default repertoire without
 * backslash or control characters; leading and trailing spaces are not significant.
 */
export function normalizeAeTitle(text: string): string {
  const title = text.trim();
  const printableAscii = [...title].every((ch) => ch >= ' ' && ch <= '~' && ch !== '\\');
  if (title.length === 0 || title.length > 16 || !printableAscii) {
    throw invalid(`'${text}' is not an AE title (1 to 16 characters, no backslash or control characters)`);
  }
  return title;
}

export function parsePermissions(list: readonly string[]): AePermission[] {
  const out = new Set<AePermission>();
  for (const item of list.map((p) => p.trim()).filter(Boolean)) {
    if (!(AE_PERMISSIONS as readonly string[]).includes(item)) {
      throw invalid(`unknown permission '${item}' (known: ${AE_PERMISSIONS.join(', ')})`);
    }
    out.add(item as AePermission);
  }
  return AE_PERMISSIONS.filter((p) => out.has(p));
}

export function validateAddress(host: string, port: number): void {
  if (!host.trim() || /\s/.test(host)) throw invalid(`'${host}' is not a host name or address`);
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw invalid(`port must be 1 to 65535, got ${port}`);
}
