import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { renderPdf, wrapLines } from './report-pdf.js';

/** Reads a PDF's structure the way a reader starts: startxref → xref table → trailer → objects. */
function parsePdf(pdf: Buffer) {
  const text = pdf.toString('latin1');
  assert.ok(text.startsWith('%PDF-1.4\n'), 'header');
  assert.ok(text.endsWith('%%EOF\n'), 'end marker');
  const startxref = Number(/startxref\n(\d+)\n%%EOF\n$/.exec(text)?.[1]);
  assert.equal(text.slice(startxref, startxref + 5), 'xref\n', 'startxref points at the xref table');
  const table = /^xref\n0 (\d+)\n/.exec(text.slice(startxref))!;
  const count = Number(table[1]);
  const entriesAt = startxref + table[0].length;
  const objects = new Map<number, string>();
  for (let i = 0; i < count; i++) {
    const entry = text.slice(entriesAt + 20 * i, entriesAt + 20 * (i + 1));
    assert.match(entry, /^\d{10} \d{5} [fn] \n$/, `entry ${i} is 20 bytes`);
    if (i === 0) {
      assert.equal(entry, '0000000000 65535 f \n');
      continue;
    }
    const offset = Number(entry.slice(0, 10));
    assert.equal(
      text.slice(offset, offset + `${i} 0 obj\n`.length),
      `${i} 0 obj\n`,
      `object ${i} at its offset`,
    );
    const end = text.indexOf('\nendobj\n', offset);
    objects.set(i, text.slice(offset + `${i} 0 obj\n`.length, end));
  }
  const trailer = /trailer\n<< \/Size (\d+) \/Root (\d+) 0 R \/Info (\d+) 0 R >>/.exec(
    text.slice(entriesAt + 20 * count),
  )!;
  assert.equal(Number(trailer[1]), count);
  assert.match(objects.get(Number(trailer[2]))!, /\/Type \/Catalog \/Pages (\d+) 0 R/);
  const pages = objects.get(2)!;
  const kids = [...pages.matchAll(/(\d+) 0 R/g)].map((m) => Number(m[1]));
  assert.equal(Number(/\/Count (\d+)/.exec(pages)![1]), kids.length);
  const contents = kids.map((kid) => {
    const page = objects.get(kid)!;
    assert.match(page, /\/Type \/Page \/Parent 2 0 R \/MediaBox \[0 0 595 842\]/);
    const body = objects.get(Number(/\/Contents (\d+) 0 R/.exec(page)![1]))!;
    const length = Number(/^<< \/Length (\d+) >>\nstream\n/.exec(body)![1]);
    const start = body.indexOf('stream\n') + 7;
    assert.equal(body.slice(start + length), 'endstream', 'stream length is exact');
    return body.slice(start, start + length);
  });
  return { objects, contents, info: objects.get(Number(trailer[3]))! };
}

test('a text becomes a well-formed PDF whose text can be found in its content stream', () => {
  const pdf = renderPdf('RADIOLOGY REPORT\n\nFINDINGS\nNo acute abnormality.', {
    title: 'Report 2025030400001',
    created: new Date('2025-03-04T10:20:30Z'),
  });
  const { contents, info, objects } = parsePdf(pdf);
  assert.equal(contents.length, 1);
  assert.match(contents[0]!, /^BT \/F1 10 Tf 13 TL 50 782 Td\n/);
  assert.match(
    contents[0]!,
    /\(RADIOLOGY REPORT\) Tj T\*\n\(\) Tj T\*\n\(FINDINGS\) Tj T\*\n\(No acute abnormality\.\) Tj T\*\nET\n$/,
  );
  assert.match(
    info,
    /\/Title \(Report 2025030400001\) \/Producer \(Lantern\) \/CreationDate \(D:20250304102030Z\)/,
  );
  assert.match(objects.get(3)!, /\/BaseFont \/Courier \/Encoding \/WinAnsiEncoding/);
});

test('parentheses and backslashes are escaped; non-ASCII goes out as WinAnsi octal, the rest as ?', () => {
  const { contents } = parsePdf(renderPdf('a (b) c\\d\nGröße — 5 µm\n漢', { title: 't' }));
  assert.match(contents[0]!, /\(a \\\(b\\\) c\\\\d\) Tj/);
  assert.match(contents[0]!, /\(Gr\\366\\337e \\227 5 \\265m\) Tj/);
  assert.match(contents[0]!, /\(\?\) Tj/);
});

test('long text wraps at words and flows onto further pages', () => {
  const long = Array.from({ length: 150 }, (_, i) => `line ${i} ${'word '.repeat(30)}`).join('\n');
  const { contents, objects } = parsePdf(renderPdf(long, { title: 'long' }));
  assert.ok(contents.length >= 5, `${contents.length} pages`);
  assert.match(objects.get(2)!, new RegExp(`/Count ${contents.length}`));
  const shown = contents.flatMap((c) => [...c.matchAll(/\((.*)\) Tj/g)].map((m) => m[1]!));
  assert.ok(shown.every((l) => l.length <= 82));
  assert.equal(shown.filter((l) => l.startsWith('line ')).length, 150);
  assert.ok(contents.at(-1)!.includes('(line 149 word'));
});

test('wrapping: at a space when there is one, hard otherwise; tabs become spaces; empty text is one page', () => {
  assert.deepEqual(wrapLines('aaa bbb ccc', 7), ['aaa bbb', 'ccc']);
  assert.deepEqual(wrapLines('abcdefghij', 4), ['abcd', 'efgh', 'ij']);
  assert.deepEqual(wrapLines('a\tb\r\nc\n', 80), ['a    b', 'c']);
  const { contents } = parsePdf(renderPdf('', { title: 'empty' }));
  assert.equal(contents.length, 1);
});

// A real reader, when the machine has one: Ghostscript reports errors it "repaired or ignored" in a damaged file.
const ghostscript = spawnSync('gs', ['--version']).status === 0;
test(
  'Ghostscript reads the document without errors and finds the text',
  { skip: !ghostscript && 'no gs' },
  () => {
    const dir = mkdtempSync(join(tmpdir(), 'lantern-pdf-'));
    try {
      const [file, out] = [join(dir, 'report.pdf'), join(dir, 'report.txt')];
      writeFileSync(
        file,
        renderPdf(`FINDINGS\n${'Normal (no acute) findings. '.repeat(200)}\nEND`, { title: 'gs' }),
      );
      const gs = spawnSync(
        'gs',
        ['-dPDFSTOPONERROR', '-dNOPAUSE', '-dBATCH', '-sDEVICE=txtwrite', `-sOutputFile=${out}`, file],
        { encoding: 'utf8' },
      );
      assert.equal(gs.status, 0, gs.stderr);
      assert.doesNotMatch(gs.stdout + gs.stderr, /error|repaired/i);
      assert.match(gs.stdout, /Processing pages 1 through 2\./);
      const text = readFileSync(out, 'utf8');
      assert.match(text, /FINDINGS/);
      assert.match(text, /Normal \(no acute\) findings\./);
      assert.match(text, /END/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
