import { toMatchRecord, type Archive } from '../../archive/index.js';
import type { Logger } from '../../platform/log/index.js';
import { cliContext } from './cli-context.js';
import { formatTable } from './terminal-table.js';

export interface StudiesOptions {
  keys: Record<string, string>;
  limit: number;
  offset: number;
  json?: boolean;
}

const COLUMNS: [header: string, keyword: string][] = [
  ['Date', 'StudyDate'],
  ['Patient ID', 'PatientID'],
  ['Patient name', 'PatientName'],
  ['Accession', 'AccessionNumber'],
  ['Mod.', 'ModalitiesInStudy'],
  ['Description', 'StudyDescription'],
  ['Series', 'NumberOfStudyRelatedSeries'],
  ['Inst.', 'NumberOfStudyRelatedInstances'],
  ['Study Instance UID', 'StudyInstanceUID'],
];

/** `lantern studies`: a page of studies through the archive's query model. */
export async function listStudies(archive: Archive, log: Logger, options: StudiesOptions): Promise<string> {
  const result = await archive.query(cliContext(log, 'studies'), {
    level: 'STUDY',
    keys: options.keys,
    limit: options.limit,
    offset: options.offset,
  });
  const records = result.matches.map(toMatchRecord);
  if (options.json) return JSON.stringify({ total: result.total, studies: records }, null, 2);
  if (result.total === 0) return 'No studies match.';
  const rows = records.map((record) => COLUMNS.map(([, keyword]) => String(record[keyword] ?? '')));
  const first = options.offset + 1;
  const last = options.offset + records.length;
  const table = formatTable(
    COLUMNS.map(([header]) => header),
    rows,
    64,
  );
  return `${table}\n\n${records.length ? `${first}–${last}` : 'none'} of ${result.total} studies`;
}
