import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';

/**
 * Lowers the calling thread's scheduling priority to `niceness` (Linux: 0 normal, 19 lowest). Background
 * threads call it so that, when the cores are contended, the JavaScript thread that receives, indexes and
 * answers for every sender runs first: under four STOW-RS streams on two cores it was preempted by them
 * some 1,900 times in 1.2 s. With a core free it changes nothing. Elsewhere than Linux, and where a thread has no
 * id of its own in /proc, it does nothing.
 */
export function lowerThreadPriority(niceness: number): void {
  try {
    // "<pid>/task/<tid>": on Linux, setpriority on a thread id applies to that thread alone.
    const threadId = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isInteger(threadId)) setPriority(threadId, niceness);
  } catch {
    // Not Linux, or not permitted: the thread keeps its priority.
  }
}
