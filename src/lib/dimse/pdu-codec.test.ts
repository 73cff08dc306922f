import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeCommand, encodeCommand } from './command-set.js';
import { CommandField } from './dimse-messages.js';
import { DimseError } from './errors.js';
import {
  decodeControlPdu,
  encodeAbort,
  encodeAssociate,
  encodeAssociateRj,
  encodeReleaseRq,
  pDataHeader,
} from './pdu-codec.js';
import { PduReader, type PdvPiece } from './pdu-reader.js';
import {
  AbortReason,
  DICOM_APPLICATION_CONTEXT,
  PduType,
  type AssociateAc,
  type AssociateRq,
  type ControlPdu,
} from './pdu-types.js';

const rq: AssociateRq = {
  type: PduType.AssociateRq,
  protocolVersion: 1,
  calledAeTitle: 'CALLED',
  callingAeTitle: 'CALLING',
  applicationContext: DICOM_APPLICATION_CONTEXT,
  presentationContexts: [
    {
      id: 1,
      abstractSyntax: '1.2.840.10008.1.1',
      transferSyntaxes: ['1.2.840.10008.1.2.1', '1.2.840.10008.1.2'],
    },
    { id: 3, abstractSyntax: '1.2.840.10008.5.1.4.1.1.2', transferSyntaxes: ['1.2.840.10008.1.2.1'] },
  ],
  userInformation: {
    maxPduLength: 16384,
    implementationClassUid: '1.2.3.4',
    implementationVersionName: 'TEST_1',
    asyncOperations: { maxInvoked: 1, maxPerformed: 1 },
    roleSelections: [{ sopClassUid: '1.2.840.10008.5.1.4.1.1.2', scuRole: false, scpRole: true }],
    userIdentity: {
      type: 2,
      positiveResponseRequested: true,
      primaryField: Buffer.from('user'),
      secondaryField: Buffer.from('pass'),
    },
  },
};

describe('PDU codec', () => {
  it('round-trips A-ASSOCIATE-RQ with every user information sub-item', () => {
    const decoded = decodeControlPdu(encodeAssociate(rq)) as AssociateRq;
    assert.deepEqual(
      { ...decoded, userInformation: { ...decoded.userInformation, userIdentity: undefined } },
      { ...rq, userInformation: { ...rq.userInformation, userIdentity: undefined } },
    );
    assert.equal(Buffer.from(decoded.userInformation.userIdentity?.primaryField ?? []).toString(), 'user');
    assert.equal(Buffer.from(decoded.userInformation.userIdentity?.secondaryField ?? []).toString(), 'pass');
  });

  it('round-trips A-ASSOCIATE-AC, RJ, A-ABORT and A-RELEASE', () => {
    const ac: AssociateAc = {
      ...rq,
      type: PduType.AssociateAc,
      presentationContexts: [
        { id: 1, result: 0, transferSyntax: '1.2.840.10008.1.2.1' },
        { id: 3, result: 4, transferSyntax: '' },
      ],
      userInformation: {
        maxPduLength: 0,
        implementationClassUid: '1.2.3.4',
        roleSelections: [],
        userIdentityResponse: Buffer.from('ok'),
      },
    };
    const decoded = decodeControlPdu(encodeAssociate(ac)) as AssociateAc;
    assert.deepEqual(decoded.presentationContexts, ac.presentationContexts);
    assert.equal(Buffer.from(decoded.userInformation.userIdentityResponse ?? []).toString(), 'ok');
    assert.deepEqual(decodeControlPdu(encodeAssociateRj({ result: 1, source: 1, reason: 7 })), {
      type: 3,
      result: 1,
      source: 1,
      reason: 7,
    });
    assert.deepEqual(decodeControlPdu(encodeAbort({ source: 2, reason: 6 })), {
      type: 7,
      source: 2,
      reason: 6,
    });
    assert.deepEqual(decodeControlPdu(encodeReleaseRq()), { type: 5 });
  });

  it('rejects items that overrun their PDU', () => {
    const bytes = encodeAssociate(rq);
    bytes.writeUInt16BE(0xffff, 74 + 2); // application context item length
    assert.throws(
      () => decodeControlPdu(bytes),
      (error: unknown) =>
        error instanceof DimseError && error.abortReason === AbortReason.InvalidPduParameterValue,
    );
  });
});

describe('PDU reader', () => {
  function stream(): Buffer {
    const command = encodeCommand({
      commandField: CommandField.CEchoRq,
      messageId: 7,
      affectedSopClassUid: '1.2.840.10008.1.1',
      hasDataSet: false,
    });
    const data = Buffer.alloc(1000, 9);
    return Buffer.concat([
      encodeAssociate(rq),
      pDataHeader(1, true, true, command.length),
      command,
      pDataHeader(1, false, false, 600),
      data.subarray(0, 600),
      pDataHeader(1, false, true, 400),
      data.subarray(600),
      encodeReleaseRq(),
    ]);
  }

  function read(chunks: Buffer[], maxPduLength = 16384): { pdus: ControlPdu[]; pieces: PdvPiece[] } {
    const pdus: ControlPdu[] = [];
    const pieces: PdvPiece[] = [];
    const reader = new PduReader(
      { controlPdu: (pdu) => pdus.push(pdu), pdvPiece: (piece) => pieces.push(piece) },
      { maxPduLength },
    );
    for (const chunk of chunks) reader.push(chunk);
    assert.ok(reader.atPduBoundary);
    return { pdus, pieces };
  }

  it('reads the same PDUs whether bytes come one at a time or all at once', () => {
    const bytes = stream();
    const whole = read([bytes]);
    const single = read([...bytes].map((byte) => Buffer.from([byte])));
    assert.deepEqual(
      whole.pdus.map((p) => p.type),
      [1, 5],
    );
    assert.deepEqual(single.pdus, whole.pdus);
    const joined = (pieces: PdvPiece[]): Buffer =>
      Buffer.concat(pieces.filter((p) => !p.command).map((p) => p.data));
    assert.deepEqual(joined(single.pieces), joined(whole.pieces));
    assert.deepEqual(joined(whole.pieces), Buffer.alloc(1000, 9));
    assert.equal(
      decodeCommand(Buffer.concat(whole.pieces.filter((p) => p.command).map((p) => p.data))).messageId,
      7,
    );
  });

  it('hands PDV values on as zero-copy views of the socket chunk', () => {
    const bytes = stream();
    const { pieces } = read([bytes]);
    assert.ok(pieces.every((piece) => piece.data.buffer === bytes.buffer));
  });

  it('rejects a P-DATA-TF above the maximum and unknown PDU types', () => {
    assert.throws(
      () => read([stream()], 500),
      (error: unknown) =>
        error instanceof DimseError && error.abortReason === AbortReason.InvalidPduParameterValue,
    );
    assert.throws(
      () => read([Buffer.from([0x0a, 0, 0, 0, 0, 0])]),
      (error: unknown) => error instanceof DimseError && error.abortReason === AbortReason.UnrecognizedPdu,
    );
    assert.throws(() => read([Buffer.from([4, 0, 0, 0, 0, 8, 0, 0, 0, 9, 1, 3, 0, 0])]), DimseError);
  });
});

describe('command set', () => {
  it('encodes Implicit VR LE with the group length first and pads odd values', () => {
    const bytes = encodeCommand({
      commandField: CommandField.CStoreRsp,
      messageIdBeingRespondedTo: 3,
      affectedSopClassUid: '1.2.3',
      status: 0xa700,
      errorComment: 'odd',
      hasDataSet: false,
    });
    assert.equal(bytes.readUInt32LE(8), bytes.length - 12);
    const decoded = decodeCommand(bytes);
    assert.equal(decoded.affectedSopClassUid, '1.2.3');
    assert.equal(decoded.errorComment, 'odd');
    assert.equal(decoded.status, 0xa700);
    assert.equal(decoded.hasDataSet, false);
    assert.ok(bytes.includes(Buffer.from('1.2.3\0')));
  });

  it('refuses elements outside group 0000 and truncated elements', () => {
    assert.throws(() => decodeCommand(Buffer.from([8, 0, 0x16, 0, 2, 0, 0, 0, 1, 2])), DimseError);
    assert.throws(() => decodeCommand(Buffer.from([0, 0, 0, 1, 9, 0, 0, 0, 1])), DimseError);
  });
});
