import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  buildMessage,
  decodeMessage,
  encodeMessageBytes,
  escapeText,
  Hl7ParseError,
  parseMessage,
  unescapeText,
  DEFAULT_ENCODING,
} from './index.js';

// The research test message (shared/research/libraries.md §4): escapes, repeated PID-3/11/13, UTF-8 name.
const ADT_A08 = [
  'MSH|^~\\&|EPIC|HOSP|LANTERN|RAD|20240501120000||ADT^A08^ADT_A01|MSG00001|P|2.5.1|||AL|NE||UNICODE UTF-8',
  'EVN|A08|20240501120000',
  'PID|1||12345^^^HOSP^MR~987-65-4320^^^SSA^SS||Müller^Jürgen^K||19700101|M|||Haupt\\S\\straße 1^^Köln^^50667~Ring 2^^Bonn||0221\\T\\555~0228\\F\\777',
  'OBX|1|FT|REPORT||Line one\\.br\\Back\\E\\slash \\R\\ tilde\\X41\\',
].join('\r');

test('fields, components, subcomponents and repetitions read unescaped', () => {
  const message = decodeMessage(Buffer.from(ADT_A08, 'utf8'));
  assert.deepEqual(message.type, { code: 'ADT', trigger: 'A08', structure: 'ADT_A01' });
  assert.equal(message.controlId, 'MSG00001');
  assert.equal(message.sendingApplication, 'EPIC');
  assert.equal(message.characterSet.term, 'UNICODE UTF-8');
  const pid = message.segment('PID')!;
  const ids = pid.repetitions(3);
  assert.equal(ids.length, 2);
  assert.deepEqual(
    [ids[0]!.component(1), ids[0]!.component(4), ids[0]!.component(5)],
    ['12345', 'HOSP', 'MR'],
  );
  assert.deepEqual([ids[1]!.component(1), ids[1]!.component(5)], ['987-65-4320', 'SS']);
  assert.equal(pid.value(5, 1), 'Müller');
  assert.equal(pid.value(5, 2), 'Jürgen');
  const addresses = pid.repetitions(11);
  assert.equal(addresses[0]!.component(1), 'Haupt^straße 1');
  assert.equal(addresses[0]!.component(3), 'Köln');
  assert.equal(addresses[1]!.component(3), 'Bonn');
  assert.deepEqual(
    pid.repetitions(13).map((r) => r.text()),
    ['0221&555', '0228|777'],
  );
  assert.equal(message.segment('OBX')!.field(5).text(), 'Line one\nBack\\slash ~ tildeA');
  assert.equal(message.header.value(1), '|');
  assert.equal(message.header.value(2), '^~\\&');
});

test('MSH-18 selects the character set: ISO 8859-1 bytes and UTF-8 bytes give the same name', () => {
  const latin = ADT_A08.replace('UNICODE UTF-8', '8859/1');
  const fromLatin1 = decodeMessage(Buffer.from(latin, 'latin1'));
  assert.equal(fromLatin1.segment('PID')!.value(5), 'Müller');
  // Without MSH-18 (ASCII) the UTF-8 bytes are not reinterpreted as UTF-8: two characters for the ü.
  const ascii = decodeMessage(Buffer.from(ADT_A08.replace('UNICODE UTF-8', ''), 'utf8'));
  assert.equal(ascii.segment('PID')!.value(5), 'MÃ¼ller');
  const gb = decodeMessage(
    Buffer.concat([
      Buffer.from('MSH|^~\\&|A|B|C|D|20240101||ADT^A04|1|P|2.5.1||||||GB 18030-2000\rPID|1||7||'),
      Buffer.from([0xd5, 0xc5, 0xc8, 0xfd]),
      Buffer.from('\r'),
    ]),
  );
  assert.equal(gb.segment('PID')!.value(5), '张三');
  assert.throws(
    () => decodeMessage(Buffer.from('MSH|^~\\&|A|B|C|D|1||ADT^A04|1|P|2.5.1||||||UNICODE UTF-32\r')),
    (error: Error) => error instanceof Hl7ParseError && error.field === 'MSH-18',
  );
});

test('messages with other delimiters, LF segment ends, and without MSH are handled', () => {
  const custom = parseMessage('MSH#*@!%#APP#FAC#X#Y#1##ADT*A04#9#P#2.5.1\nPID#1##A1@A2##Doe*John%Jr');
  assert.equal(custom.encoding.field, '#');
  const pid = custom.segment('PID')!;
  assert.deepEqual(
    pid.repetitions(3).map((r) => r.component()),
    ['A1', 'A2'],
  );
  assert.equal(pid.value(5, 2, 2), 'Jr');
  assert.throws(() => parseMessage('PID|1||x'), Hl7ParseError);
  assert.throws(() => parseMessage('MSH|^~'), Hl7ParseError);
  assert.throws(() => parseMessage('MSH|^^\\&|A'), /repeat/);
  assert.throws(() => parseMessage('MSH|^~\\&|A\rpid|1'), /segment ID/);
  assert.throws(() => decodeMessage(Buffer.from('BHS|^~\\&|A\r')), /batches/);
});

test('escape and unescape are inverse, and build escapes every value', () => {
  const text = 'A|B^C&D~E\\F\nG';
  const escaped = escapeText(text, DEFAULT_ENCODING);
  assert.equal(escaped, 'A\\F\\B\\S\\C\\T\\D\\R\\E\\E\\F\\.br\\G');
  assert.equal(unescapeText(escaped, DEFAULT_ENCODING), text);
  assert.equal(
    unescapeText('\\H\\bold\\N\\ \\.sp 2\\x \\Zlocal\\y \\Q\\', DEFAULT_ENCODING),
    'bold \n\nx y \\Q\\',
  );
  assert.equal(unescapeText('unclosed \\F', DEFAULT_ENCODING), 'unclosed \\F');

  const built = buildMessage(
    {
      messageType: ['ADT', 'A04', 'ADT_A01'],
      controlId: 'C1',
      characterSet: 'UNICODE UTF-8',
      sendingApplication: 'LANTERN',
    },
    [
      [
        'PID',
        '1',
        undefined,
        { repeat: [['ID|1', '', '', 'HOSP'], ['ID2']] },
        undefined,
        [['O^Brien', 'x&y'], 'Zoë'],
      ],
    ],
  );
  const bytes = encodeMessageBytes(built, 'UNICODE UTF-8');
  const parsed = decodeMessage(bytes);
  const pid = parsed.segment('PID')!;
  assert.equal(pid.repetitions(3)[0]!.component(1), 'ID|1');
  assert.equal(pid.repetitions(3)[0]!.component(4), 'HOSP');
  assert.equal(pid.repetitions(3)[1]!.component(1), 'ID2');
  assert.deepEqual(pid.field(5).subcomponents(1), ['O^Brien', 'x&y']);
  assert.equal(pid.value(5, 2), 'Zoë');
  assert.equal(parsed.type.structure, 'ADT_A01');
  assert.equal(parsed.version, '2.5.1');
  // Written as 8859/1, a character outside it becomes '?', never a broken byte sequence.
  assert.deepEqual([...encodeMessageBytes('Zoë 张', '8859/1')], [...Buffer.from('Zoë ?', 'latin1')]);
});
