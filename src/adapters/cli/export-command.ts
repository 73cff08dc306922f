import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Archive } from '../../archive/index.js';
import type { Logger } from '../../platform/log/index.js';
import { cliContext } from './cli-context.js';

/**
 * `lantern export <StudyInstanceUID> <folder>`: the study's files exactly as they were received, as
 * `<folder>/<SeriesInstanceUID>/<SOPInstanceUID>.dcm`, one instance at a time.
 */
export async function exportStudy(
  archive: Archive,
  log: Logger,
  studyInstanceUid: string,
  folder: string,
): Promise<{ files: number; bytes: number }> {
  const instances = await archive.retrieve(cliContext(log, 'export'), { studyInstanceUid });
  let bytes = 0;
  const folders = new Set<string>();
  for (const instance of instances) {
    const seriesFolder = join(folder, instance.seriesInstanceUid);
    if (!folders.has(seriesFolder)) {
      await mkdir(seriesFolder, { recursive: true });
      folders.add(seriesFolder);
    }
    await pipeline(instance.open(), createWriteStream(join(seriesFolder, `${instance.sopInstanceUid}.dcm`)));
    bytes += instance.size;
  }
  return { files: instances.length, bytes };
}
