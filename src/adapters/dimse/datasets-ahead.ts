import type { Readable } from 'node:stream';
import type { RetrievableInstance } from '../../archive/index.js';

/**
 * The instances of a retrieve with their data set streams, the next one opened and its first chunk read
 * while the current one is sent: sub-operations go one at a time, each waiting for the peer's answer, so
 * the file's open and first read would otherwise add to every round trip. Breaking out of the loop closes
 * the stream opened ahead.
 */
export function* datasetsAhead(
  instances: readonly RetrievableInstance[],
): Generator<{ instance: RetrievableInstance; data: Readable }> {
  let next = instances.length > 0 ? openAhead(instances[0]!) : undefined;
  try {
    for (let i = 0; i < instances.length; i++) {
      const data = next!;
      next = i + 1 < instances.length ? openAhead(instances[i + 1]!) : undefined;
      yield { instance: instances[i]!, data };
    }
  } finally {
    next?.destroy();
  }
}

function openAhead(instance: RetrievableInstance): Readable {
  const data = instance.openDataset();
  // read(0) starts filling the stream's buffer without taking anything out of it.
  data.read(0);
  return data;
}
