import type { LentDataSet } from '../../lib/dimse/index.js';
import type { LentBytes, RetrievableInstance } from '../../archive/index.js';

/** A data set to send, read into the store's lent buffers (each given back once the socket has it). */
export interface DataSetAhead {
  instance: RetrievableInstance;
  data: LentDataSet;
  /** Stops reading (closing the file) when the data set is not sent after all. */
  close(): void;
}

/**
 * The instances of a retrieve with their data sets, the next one opened and its first chunk read while the
 * current one is sent: sub-operations go one at a time, each waiting for the peer's answer, so the file's
 * open and first read would otherwise add to every round trip. Breaking out of the loop closes the data set
 * opened ahead.
 */
export function* datasetsAhead(instances: readonly RetrievableInstance[]): Generator<DataSetAhead> {
  let next = instances.length > 0 ? openAhead(instances[0]!) : undefined;
  try {
    for (let i = 0; i < instances.length; i++) {
      const current = next!;
      next = i + 1 < instances.length ? openAhead(instances[i + 1]!) : undefined;
      yield current;
    }
  } finally {
    next?.close();
  }
}

function openAhead(instance: RetrievableInstance): DataSetAhead {
  const chunks = instance.readDatasetLent();
  // Asked for now, so the open and the first read run while the previous data set is sent.
  let first: Promise<IteratorResult<LentBytes>> | undefined = chunks.next();
  first.catch(() => undefined);
  const stop = async (): Promise<IteratorResult<LentBytes>> => {
    // A first chunk read ahead and never sent goes back to the store.
    const unsent = first;
    first = undefined;
    await unsent?.then(
      (r) => r.done || r.value.release(),
      () => undefined,
    );
    return (await chunks.return?.()) ?? { done: true, value: undefined };
  };
  const lentChunks: AsyncIterator<LentBytes> = {
    next: () => {
      const result = first ?? chunks.next();
      first = undefined;
      return result;
    },
    return: stop,
  };
  return { instance, data: { lentChunks }, close: () => void stop().catch(() => undefined) };
}
