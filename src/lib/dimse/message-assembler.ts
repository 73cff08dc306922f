/**
 * Reassembles DIMSE messages from PDV pieces (PS3.7 6.3.1, PS3.8 E.2): command fragments first, then, if
 * CommandDataSetType says so, data set fragments on the same presentation context; the "last" bit of the
 * message control header ends each part. Messages are never interleaved on one association.
 */
import { decodeCommand, type Command } from './command-set.js';
import { DataStream, type Pressure } from './data-stream.js';
import { protocolError } from './errors.js';
import type { PdvPiece } from './pdu-reader.js';
import { AbortReason } from './pdu-types.js';

export interface IncomingMessage {
  contextId: number;
  command: Command;
  /** Present when the command announces a data set; streamed as it arrives. */
  data?: DataStream | undefined;
}

/** Command sets are a few hundred bytes; anything near this is not DICOM. */
const MAX_COMMAND_BYTES = 1 << 16;

export class MessageAssembler {
  private commandParts: Uint8Array[] = [];
  private commandBytes = 0;
  private commandContext = -1;
  private dataContext = -1;
  private data: DataStream | undefined;

  constructor(
    private readonly onMessage: (message: IncomingMessage) => void,
    private readonly pressure: Pressure,
    private readonly highWaterMark: number,
    private readonly isAccepted: (contextId: number) => boolean,
  ) {}

  piece(piece: PdvPiece): void {
    if (!this.isAccepted(piece.contextId)) {
      throw protocolError(
        `PDV on presentation context ${piece.contextId}, which is not accepted`,
        AbortReason.InvalidPduParameterValue,
      );
    }
    if (piece.command) this.commandPiece(piece);
    else this.dataPiece(piece);
  }

  private commandPiece(piece: PdvPiece): void {
    if (this.data)
      throw protocolError('command fragment inside a data set', AbortReason.UnexpectedPduParameter);
    if (this.commandParts.length > 0 && piece.contextId !== this.commandContext) {
      throw protocolError(
        'command fragments on different presentation contexts',
        AbortReason.UnexpectedPduParameter,
      );
    }
    this.commandContext = piece.contextId;
    this.commandParts.push(piece.data);
    this.commandBytes += piece.data.length;
    if (this.commandBytes > MAX_COMMAND_BYTES)
      throw protocolError('command set too large', AbortReason.InvalidPduParameterValue);
    if (!(piece.end && piece.last)) return;
    const bytes =
      this.commandParts.length === 1
        ? (this.commandParts[0] as Uint8Array)
        : Buffer.concat(this.commandParts);
    this.commandParts = [];
    this.commandBytes = 0;
    const command = decodeCommand(bytes);
    if (command.hasDataSet) {
      this.data = new DataStream(this.pressure, this.highWaterMark);
      this.dataContext = piece.contextId;
    }
    this.onMessage({ contextId: piece.contextId, command, data: this.data });
  }

  private dataPiece(piece: PdvPiece): void {
    const data = this.data;
    if (!data) throw protocolError('data set fragment without a command', AbortReason.UnexpectedPduParameter);
    if (piece.contextId !== this.dataContext) {
      throw protocolError(
        'data set on another presentation context than its command',
        AbortReason.UnexpectedPduParameter,
      );
    }
    data.push(piece.data);
    if (piece.end && piece.last) {
      this.data = undefined;
      data.end();
    }
  }

  /** The association ended: a data set still arriving fails. */
  fail(error: Error): void {
    this.data?.fail(error);
    this.data = undefined;
  }
}
