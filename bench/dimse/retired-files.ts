import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  renameSync,
  truncateSync,
} from 'node:fs';
import { basename, join } from 'node:path';

/**
 * Takes a finished run's files out of the way without deleting them, so that the next receiver does not pay
 * for the deletion. On ext4 without a journal (this VM's root), creating a file skips every free inode of its
 * group that was freed within the last minute or more (`recently_deleted` in fs/ext4/ialloc.c), one inode table
 * lookup each: after a run's 3,000 files were deleted, the next receiver spent 0.3-0.6 ms more CPU an instance
 * creating its files, 0.03 without. Moved under the workspace's `retired` folder and truncated, the files free their
 * blocks but keep their inodes; the bench's workspace is removed at the end.
 */
export function retire(path: string, workspace: string): void {
  if (!existsSync(path)) return;
  const target = join(retiredFolder(path, workspace), basename(path));
  renameSync(path, target);
  emptyFiles(target);
}

/** Retires what `folder` holds, leaving the folder itself in place (a receiving tool still writes there). */
export function retireEntries(folder: string, workspace: string): void {
  if (!existsSync(folder)) return;
  const target = retiredFolder(folder, workspace);
  for (const name of readdirSync(folder)) renameSync(join(folder, name), join(target, name));
  emptyFiles(target);
}

function retiredFolder(path: string, workspace: string): string {
  const retired = join(workspace, 'retired');
  mkdirSync(retired, { recursive: true });
  return mkdtempSync(join(retired, `${basename(path)}-`));
}

/** Truncates every regular file under `path`; symbolic links are left alone, never followed. */
function emptyFiles(path: string): void {
  const stats = lstatSync(path);
  if (stats.isFile()) truncateSync(path, 0);
  else if (stats.isDirectory()) for (const name of readdirSync(path)) emptyFiles(join(path, name));
}
