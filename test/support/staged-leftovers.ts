import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Files in a LocalFolderStore's staging folder that hold bytes: what an interrupted or refused upload would
 * leave behind. The empty ones are opened ahead of need by the store (StagingFiles) and are not leftovers.
 */
export async function stagedLeftovers(storageDir: string): Promise<string[]> {
  const dir = join(storageDir, 'tmp');
  const names = await readdir(dir);
  const sizes = await Promise.all(names.map(async (name) => (await stat(join(dir, name))).size));
  return names.filter((_, i) => sizes[i]! > 0);
}
