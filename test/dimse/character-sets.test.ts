// C-FIND honours character sets: names stored from ISO 2022 Japanese files are found by their alphabetic
// or ideographic form, and come back decoded correctly, declared as UTF-8 (ISO_IR 192).
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { encodeDataset, readDataset, type DataElements } from '../../src/lib/dicom/index.js';
import { connect } from '../../src/lib/dimse/index.js';
import { runLantern } from '../support/lantern-cli.js';
import { startServe, type RunningLantern } from '../support/lantern-server.js';

const CHARSET_FILES = '/usr/lib/python3/dist-packages/pydicom/data/charset_files';
const STUDY_ROOT_FIND = '1.2.840.10008.5.1.4.1.2.2.1';
const EXPLICIT_LE = '1.2.840.10008.1.2.1';

let dataDir: string;
let server: RunningLantern;

before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'lantern-charsets-'));
  const imported = await runLantern(['import', '--no-progress', CHARSET_FILES], {
    LANTERN_DATA_DIR: dataDir,
  });
  assert.equal(imported.code, 0, imported.stderr);
  server = await startServe({
    LANTERN_DATA_DIR: dataDir,
    LANTERN_DICOM_UNKNOWN_AE_PERMISSIONS: 'echo,query',
  });
});
after(async () => {
  await server?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

async function findNames(patientName: string): Promise<{ names: unknown[]; charsets: unknown[] }> {
  const association = await connect({
    host: '127.0.0.1',
    port: server.dicomPort,
    callingAeTitle: 'VIEWER',
    calledAeTitle: 'LANTERN',
    presentationContexts: [{ abstractSyntax: STUDY_ROOT_FIND, transferSyntaxes: [EXPLICIT_LE] }],
  });
  try {
    const identifier: DataElements = {
      '00080005': { vr: 'CS', Value: ['ISO_IR 192'] },
      '00080052': { vr: 'CS', Value: ['STUDY'] },
      '00100010': { vr: 'PN', Value: [{ Alphabetic: patientName }] },
      '0020000D': { vr: 'UI' },
    };
    const names: unknown[] = [];
    const charsets: unknown[] = [];
    for await (const match of association.find(STUDY_ROOT_FIND, encodeDataset(identifier, EXPLICIT_LE))) {
      const elements = readDataset(match, { transferSyntaxUid: EXPLICIT_LE }).elements;
      names.push(elements['00100010']?.Value?.[0]);
      charsets.push(elements['00080005']?.Value?.[0]);
    }
    return { names, charsets };
  } finally {
    await association.release();
  }
}

test('a Japanese name stored in ISO 2022 is found by its alphabetic form and returned decoded', async () => {
  const { names, charsets } = await findNames('Yamada^Tarou');
  assert.ok(names.length >= 1, 'found');
  assert.deepEqual(names[0], {
    Alphabetic: 'Yamada^Tarou',
    Ideographic: '山田^太郎',
    Phonetic: 'やまだ^たろう',
  });
  assert.ok(
    charsets.every((c) => c === 'ISO_IR 192'),
    'responses declare UTF-8',
  );
});

test('the ideographic form matches with a wildcard query sent in UTF-8', async () => {
  const { names } = await findNames('*山田*');
  assert.ok(names.length >= 1);
  assert.ok(names.every((n) => JSON.stringify(n).includes('山田')));
  const korean = await findNames('*길동');
  assert.deepEqual(korean.names, [
    { Alphabetic: 'Hong^Gildong', Ideographic: '洪^吉洞', Phonetic: '홍^길동' },
  ]);
  assert.deepEqual((await findNames('김희중')).names, [{ Alphabetic: '김희중' }]);
});
