/** Defaults shared by the SCP and SCU engines; each is overridable in their options. */
import { IMPLEMENTATION_CLASS_UID } from '../dicom/index.js';

export const DEFAULT_IMPLEMENTATION = {
  classUid: IMPLEMENTATION_CLASS_UID,
  versionName: 'LANTERN',
} as const;

export const DEFAULTS = {
  /** 256 KiB PDUs: few enough per instance that per-PDU cost vanishes, small enough for peers to buffer. */
  maxPduLength: 262_144,
  artimMs: 30_000,
  serverIdleMs: 300_000,
  clientIdleMs: 0,
  connectMs: 30_000,
  maxIdentifierBytes: 1 << 20,
  dataHighWaterMark: 1 << 20,
} as const;
