import { opendir } from 'node:fs/promises';
import { join } from 'node:path';

/** Every regular file under a folder, depth first, without holding the listing in memory. */
export async function* walkFiles(root: string): AsyncGenerator<string> {
  const dir = await opendir(root);
  for await (const entry of dir) {
    const path = join(root, entry.name);
    if (entry.isDirectory()) yield* walkFiles(path);
    else if (entry.isFile()) yield path;
  }
}
