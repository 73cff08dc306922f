import { connect, type ConnectOptions, type DimseClient } from '../../lib/dimse/index.js';
import type { ApplicationEntity } from '../../platform/security/index.js';

/**
 * Opens an association from our AE to a node of the AE table, runs `work` on it, and releases it (or aborts
 * it, if the release fails): how every outbound DIMSE operation of Lantern talks to another node.
 */
export async function withAssociation<T>(
  destination: ApplicationEntity,
  ourAeTitle: string,
  options: Pick<ConnectOptions, 'presentationContexts' | 'roleSelections'>,
  work: (association: DimseClient) => Promise<T>,
): Promise<T> {
  const association = await connect({
    host: destination.host,
    port: destination.port,
    callingAeTitle: ourAeTitle,
    calledAeTitle: destination.aeTitle,
    ...options,
  });
  try {
    return await work(association);
  } finally {
    await association.release().catch(() => association.abort());
  }
}
