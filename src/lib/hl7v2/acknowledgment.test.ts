import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  acceptAckWanted,
  ackModeOf,
  buildAck,
  decodeMessage,
  encodeMessageBytes,
  parseMessage,
} from './index.js';

const message = (msh15 = '', msh16 = '', charset = '') =>
  parseMessage(
    `MSH|^~\\&|EMR|HOSP|LANTERN|RAD|20240101||ORM^O01^ORM_O01|CTRL42|P|2.5.1|||${msh15}|${msh16}||${charset}\rPID|1||X`,
  );

test('original mode: AA/AE/AR with MSA-2 = the original control ID and swapped applications', () => {
  const original = message();
  assert.equal(ackModeOf(original), 'original');
  const ack = parseMessage(
    buildAck(original, {
      code: 'AE',
      controlId: 'ACK1',
      text: 'procedure XR123 is not in the catalogue',
      errors: [
        {
          condition: 'tableValueNotFound',
          location: { segment: 'OBR', field: 4 },
          message: 'procedure XR123 is not in the catalogue',
        },
      ],
    }),
  );
  assert.deepEqual(ack.type, { code: 'ACK', trigger: 'O01', structure: 'ACK' });
  assert.equal(ack.sendingApplication, 'LANTERN');
  assert.equal(ack.receivingApplication, 'EMR');
  assert.equal(ack.receivingFacility, 'HOSP');
  assert.equal(ack.controlId, 'ACK1');
  const msa = ack.segment('MSA')!;
  assert.deepEqual(
    [msa.value(1), msa.value(2), msa.value(3)],
    ['AE', 'CTRL42', 'procedure XR123 is not in the catalogue'],
  );
  const err = ack.segment('ERR')!;
  assert.deepEqual(err.field(2).components(), ['OBR', '1', '4']);
  assert.deepEqual(err.field(3).components(), ['103', 'Table value not found', 'HL70357']);
  assert.equal(err.value(4), 'E');
  assert.equal(err.value(8), 'procedure XR123 is not in the catalogue');
});

test('enhanced mode: CA/CE/CR, and MSH-15 decides whether an accept ACK is sent', () => {
  assert.equal(ackModeOf(message('AL', 'NE')), 'enhanced');
  assert.equal(ackModeOf(message('', 'AL')), 'enhanced');
  assert.equal(acceptAckWanted(message('AL', 'AL'), true), true);
  assert.equal(acceptAckWanted(message('NE', 'AL'), false), false);
  assert.equal(acceptAckWanted(message('ER', 'AL'), true), false);
  assert.equal(acceptAckWanted(message('ER', 'AL'), false), true);
  assert.equal(acceptAckWanted(message('SU', 'AL'), false), false);
  assert.equal(acceptAckWanted(message(), false), true);
  const ack = parseMessage(buildAck(message('AL', 'NE'), { code: 'CA', controlId: '2' }));
  assert.equal(ack.segment('MSA')!.value(1), 'CA');
  assert.equal(ack.segment('ERR'), undefined);
});

test('an ACK keeps the character set of the original, and one for no message at all is still an ACK', () => {
  const original = message('', '', 'UNICODE UTF-8');
  const text = buildAck(original, {
    code: 'AR',
    controlId: '3',
    errors: [{ condition: 'unsupportedMessageType', message: 'Größe' }],
  });
  const ack = decodeMessage(encodeMessageBytes(text, original.characterSet.term));
  assert.equal(ack.characterSet.term, 'UNICODE UTF-8');
  assert.equal(ack.segment('ERR')!.value(8), 'Größe');
  const blind = parseMessage(buildAck(undefined, { code: 'AR', controlId: '4', text: 'no MSH segment' }));
  assert.equal(blind.segment('MSA')!.value(1), 'AR');
  assert.equal(blind.segment('MSA')!.value(2), '');
});
