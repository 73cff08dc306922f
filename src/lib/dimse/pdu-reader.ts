/**
 * Incremental PDU reader. Socket chunks go in; control PDUs and P-DATA-TF value pieces come out.
 *
 * Why this shape: a P-DATA-TF PDU (PS3.8 9.3.5) can span many socket reads and one read can hold several
 * PDUs. Re-concatenating the stream on every read is quadratic inside large PDUs, so PDV values are handed
 * on as zero-copy subarrays of the chunk they arrived in, possibly in several pieces. Only control PDUs
 * (small, bounded by maxControlPduLength) are buffered whole.
 */
import { protocolError } from './errors.js';
import { decodeControlPdu } from './pdu-codec.js';
import { AbortReason, PduType, type ControlPdu } from './pdu-types.js';

/** A piece of one PDV value. `end` marks the piece that completes the PDV; flags come from its header. */
export interface PdvPiece {
  contextId: number;
  command: boolean;
  last: boolean;
  data: Uint8Array;
  end: boolean;
}

export interface PduReaderSink {
  controlPdu(pdu: ControlPdu): void;
  pdvPiece(piece: PdvPiece): void;
  /** Called when the whole P-DATA-TF PDU has been read (used to count PDUs, not needed for assembly). */
  pDataEnd?(): void;
}

export interface PduReaderOptions {
  /** Our maximum P-DATA-TF length (the value we announce; PS3.8 D.1). 0 = unlimited. */
  maxPduLength: number;
  /** Bound for A-ASSOCIATE and other control PDUs, which max length does not cover. */
  maxControlPduLength?: number;
}

const enum State {
  PduHeader,
  Control,
  PdvHeader,
  PdvValue,
}

export class PduReader {
  private state = State.PduHeader;
  private readonly header = Buffer.alloc(6);
  private headerFill = 0;
  private control: Buffer = Buffer.alloc(0);
  private controlFill = 0;
  /** Bytes of the current P-DATA-TF left to read (after its header). */
  private pduLeft = 0;
  private pdvLeft = 0;
  private pdvContext = 0;
  private pdvFlags = 0;
  private failed = false;
  private readonly maxControl: number;

  constructor(
    private readonly sink: PduReaderSink,
    private readonly options: PduReaderOptions,
  ) {
    this.maxControl = options.maxControlPduLength ?? 1 << 20;
  }

  /** Feeds one chunk. Throws a DimseError (code 'protocol', with an A-ABORT reason) on malformed input. */
  push(chunk: Uint8Array): void {
    if (this.failed) return;
    try {
      this.consume(chunk);
    } catch (error) {
      this.failed = true;
      throw error;
    }
  }

  /** True between PDUs: a close here is orderly, anywhere else it truncates a PDU. */
  get atPduBoundary(): boolean {
    return this.state === State.PduHeader && this.headerFill === 0;
  }

  private consume(chunk: Uint8Array): void {
    let at = 0;
    while (at < chunk.length) {
      switch (this.state) {
        case State.PduHeader:
        case State.PdvHeader: {
          const size = 6;
          const take = Math.min(size - this.headerFill, chunk.length - at);
          this.header.set(chunk.subarray(at, at + take), this.headerFill);
          this.headerFill += take;
          at += take;
          if (this.headerFill === size) {
            this.headerFill = 0;
            if (this.state === State.PduHeader) this.startPdu();
            else this.startPdv();
          }
          break;
        }
        case State.Control: {
          const take = Math.min(this.control.length - this.controlFill, chunk.length - at);
          this.control.set(chunk.subarray(at, at + take), this.controlFill);
          this.controlFill += take;
          at += take;
          if (this.controlFill === this.control.length) {
            this.state = State.PduHeader;
            this.sink.controlPdu(decodeControlPdu(this.control));
          }
          break;
        }
        case State.PdvValue: {
          const take = Math.min(this.pdvLeft, chunk.length - at);
          this.pdvLeft -= take;
          this.pduLeft -= take;
          const data = chunk.subarray(at, at + take);
          at += take;
          this.emitPiece(data);
          break;
        }
      }
    }
  }

  private startPdu(): void {
    const type = this.header[0] ?? 0;
    const length = this.header.readUInt32BE(2);
    if (type === PduType.PDataTf) {
      // PS3.8 D.1: a P-DATA-TF longer than the announced maximum is a protocol violation.
      if (this.options.maxPduLength > 0 && length > this.options.maxPduLength) {
        throw protocolError(
          `P-DATA-TF of ${length} bytes exceeds maximum ${this.options.maxPduLength}`,
          AbortReason.InvalidPduParameterValue,
        );
      }
      if (length < 6)
        throw protocolError('P-DATA-TF without a complete PDV', AbortReason.InvalidPduParameterValue);
      this.pduLeft = length;
      this.state = State.PdvHeader;
      return;
    }
    if (type < PduType.AssociateRq || type > PduType.Abort) {
      throw protocolError(`unrecognized PDU type 0x${type.toString(16)}`, AbortReason.UnrecognizedPdu);
    }
    if (length > this.maxControl) {
      throw protocolError(
        `PDU type ${type} of ${length} bytes exceeds ${this.maxControl}`,
        AbortReason.InvalidPduParameterValue,
      );
    }
    this.control = Buffer.alloc(6 + length);
    this.header.copy(this.control, 0);
    this.controlFill = 6;
    if (length === 0) {
      this.state = State.PduHeader;
      this.sink.controlPdu(decodeControlPdu(this.control));
    } else {
      this.state = State.Control;
    }
  }

  private startPdv(): void {
    const itemLength = this.header.readUInt32BE(0);
    // PS3.8 9.3.5.1: item length covers context id and control header (2 bytes) plus the value.
    if (itemLength < 2 || itemLength + 4 > this.pduLeft) {
      throw protocolError(
        `PDV length ${itemLength} does not fit its P-DATA-TF`,
        AbortReason.InvalidPduParameterValue,
      );
    }
    this.pduLeft -= 6;
    this.pdvContext = this.header[4] ?? 0;
    this.pdvFlags = this.header[5] ?? 0;
    this.pdvLeft = itemLength - 2;
    this.state = State.PdvValue;
    if (this.pdvLeft === 0) this.emitPiece(new Uint8Array(0));
  }

  private emitPiece(data: Uint8Array): void {
    const end = this.pdvLeft === 0;
    if (end) this.state = this.pduLeft === 0 ? State.PduHeader : State.PdvHeader;
    this.sink.pdvPiece({
      contextId: this.pdvContext,
      command: (this.pdvFlags & 1) === 1,
      last: (this.pdvFlags & 2) === 2,
      data,
      end,
    });
    if (end && this.pduLeft === 0) this.sink.pDataEnd?.();
  }
}
