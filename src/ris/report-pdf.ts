// A small PDF 1.4 writer for plain text (ISO 32000-1 subset): Courier 10 pt on A4, one content stream per
// page, no compression, so that the text stays searchable in the file itself. Courier is one of the 14
// standard fonts every reader has (9.6.2.2), and being monospaced makes wrapping exact without metrics.

const PAGE_WIDTH = 595; // A4 in points
const PAGE_HEIGHT = 842;
const MARGIN = 50;
const FONT_SIZE = 10;
const LEADING = 13;
/** Courier glyphs are 600/1000 em wide: 6 pt at 10 pt. */
const CHARS_PER_LINE = Math.floor((PAGE_WIDTH - 2 * MARGIN) / (FONT_SIZE * 0.6));
const LINES_PER_PAGE = Math.floor((PAGE_HEIGHT - 2 * MARGIN) / LEADING);

// WinAnsiEncoding (Annex D.2) places a few common characters outside Latin-1 in 0x80–0x9F.
const WIN_ANSI_EXTRA: Record<string, number> = {
  '€': 0x80,
  '‚': 0x82,
  '„': 0x84,
  '…': 0x85,
  '‘': 0x91,
  '’': 0x92,
  '“': 0x93,
  '”': 0x94,
  '•': 0x95,
  '–': 0x96,
  '—': 0x97,
  '™': 0x99,
};

/** A character's WinAnsi byte; '?' for what the encoding cannot show. */
function winAnsiByte(char: string): number {
  const code = char.codePointAt(0)!;
  if ((code >= 0x20 && code <= 0x7e) || (code >= 0xa0 && code <= 0xff)) return code;
  return WIN_ANSI_EXTRA[char] ?? 0x3f;
}

/** A PDF literal string (7.3.4.2): backslash, parentheses and bytes outside printable ASCII escaped. */
function literal(text: string): string {
  let out = '(';
  for (const char of text) {
    const byte = winAnsiByte(char);
    if (byte === 0x5c || byte === 0x28 || byte === 0x29) out += `\\${String.fromCharCode(byte)}`;
    else if (byte < 0x20 || byte > 0x7e) out += `\\${byte.toString(8).padStart(3, '0')}`;
    else out += String.fromCharCode(byte);
  }
  return `${out})`;
}

/** Splits lines longer than a page is wide, at a space where there is one; tabs become spaces. */
export function wrapLines(text: string, width = CHARS_PER_LINE): string[] {
  const lines: string[] = [];
  for (const raw of text.replace(/\r\n?/g, '\n').replace(/\t/g, '    ').split('\n')) {
    let rest = [...raw.trimEnd()];
    while (rest.length > width) {
      const space = rest.lastIndexOf(' ', width);
      const cut = space > width / 2 ? space : width;
      lines.push(rest.slice(0, cut).join('').trimEnd());
      rest = rest.slice(rest[cut] === ' ' ? cut + 1 : cut);
    }
    lines.push(rest.join(''));
  }
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** A PDF date (7.9.4): D:YYYYMMDDHHmmSSZ. */
const pdfDate = (date: Date) => `D:${date.toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z`;

/** Renders text as a PDF document: pages of wrapped lines, with a title in the document information. */
export function renderPdf(text: string, options: { title: string; created?: Date }): Buffer {
  const lines = wrapLines(text);
  const pages: string[][] = [];
  for (let i = 0; i < lines.length; i += LINES_PER_PAGE) pages.push(lines.slice(i, i + LINES_PER_PAGE));
  if (pages.length === 0) pages.push([]);

  // Objects 1 catalog, 2 page tree, 3 font, 4 info; then a page and its content stream per page.
  const pageRef = (i: number) => 5 + 2 * i;
  const objects: Buffer[] = [];
  const add = (body: string | Buffer) =>
    objects.push(Buffer.isBuffer(body) ? body : Buffer.from(body, 'latin1'));
  add('<< /Type /Catalog /Pages 2 0 R >>');
  add(
    `<< /Type /Pages /Kids [${pages.map((_, i) => `${pageRef(i)} 0 R`).join(' ')}] /Count ${pages.length} >>`,
  );
  add('<< /Type /Font /Subtype /Type1 /BaseFont /Courier /Encoding /WinAnsiEncoding >>');
  add(
    `<< /Title ${literal(options.title)} /Producer (Lantern) /CreationDate (${pdfDate(options.created ?? new Date())}) >>`,
  );
  pages.forEach((pageLines, i) => {
    add(
      `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${PAGE_WIDTH} ${PAGE_HEIGHT}] ` +
        `/Resources << /Font << /F1 3 0 R >> >> /Contents ${pageRef(i) + 1} 0 R >>`,
    );
    const top = PAGE_HEIGHT - MARGIN - FONT_SIZE;
    const ops = [`BT /F1 ${FONT_SIZE} Tf ${LEADING} TL ${MARGIN} ${top} Td`];
    for (const line of pageLines) ops.push(`${literal(line)} Tj T*`);
    ops.push('ET');
    const stream = Buffer.from(`${ops.join('\n')}\n`, 'latin1');
    add(
      Buffer.concat([
        Buffer.from(`<< /Length ${stream.length} >>\nstream\n`, 'latin1'),
        stream,
        Buffer.from('endstream', 'latin1'),
      ]),
    );
  });

  // A binary comment after the header marks the file as binary for transfer tools (7.5.2).
  const chunks: Buffer[] = [Buffer.from('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n', 'latin1')];
  let offset = chunks[0]!.length;
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(offset);
    const chunk = Buffer.concat([
      Buffer.from(`${i + 1} 0 obj\n`, 'latin1'),
      body,
      Buffer.from('\nendobj\n', 'latin1'),
    ]);
    chunks.push(chunk);
    offset += chunk.length;
  });
  // Each cross-reference entry is exactly 20 bytes, end of line included (7.5.4).
  const xref = [
    'xref',
    `0 ${objects.length + 1}`,
    '0000000000 65535 f \n' +
      offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('') +
      `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R /Info 4 0 R >>`,
    'startxref',
    String(offset),
    '%%EOF\n',
  ].join('\n');
  chunks.push(Buffer.from(xref, 'latin1'));
  return Buffer.concat(chunks);
}
