import type { Archive } from '../../archive/index.js';
import { createContext, type RequestContext } from '../../platform/context.js';
import { notFound } from '../../platform/errors.js';
import type { Logger } from '../../platform/log/index.js';
import type { AeTable } from '../../platform/security/index.js';
import { sendInstances, type SendCounts } from './send-instances.js';
import { CONTROL_TRANSFER_SYNTAXES, VERIFICATION } from './sop-classes.js';
import { withAssociation } from './with-association.js';

// The SCU side on the command line: `lantern echo <AE>` and `lantern send <StudyInstanceUID> <AE>`.

/** C-ECHO to an AE of the AE table; resolves with the round trip in milliseconds. */
export async function echoAe(
  ctx: RequestContext,
  aeTable: AeTable,
  ourAeTitle: string,
  aeTitle: string,
): Promise<number> {
  const destination = await aeTable.find(ctx, aeTitle); // guarded: ae.read
  if (!destination) throw notFound('AE', aeTitle);
  const started = performance.now();
  const contexts = [{ abstractSyntax: VERIFICATION, transferSyntaxes: CONTROL_TRANSFER_SYNTAXES }];
  const { status } = await withAssociation(
    destination,
    ourAeTitle,
    { presentationContexts: contexts },
    (association) => association.echo(),
  );
  if (status !== 0) throw new Error(`C-ECHO answered status 0x${status.toString(16).padStart(4, '0')}`);
  return performance.now() - started;
}

/** C-STORE of a whole study to an AE of the AE table. */
export async function sendStudy(
  services: { archive: Archive; aeTable: AeTable },
  log: Logger,
  ourAeTitle: string,
  study: { studyInstanceUid: string; aeTitle: string },
): Promise<SendCounts & { instances: number }> {
  const destination = await services.aeTable.resolve(study.aeTitle);
  if (!destination) throw notFound('AE', study.aeTitle);
  const ctx = createContext(
    log,
    { kind: 'system', name: 'cli:send' },
    { door: 'cli', calledAeTitle: destination.aeTitle },
  );
  const instances = await services.archive.retrieve(ctx, { studyInstanceUid: study.studyInstanceUid });
  const counts = await sendInstances(instances, destination, { ourAeTitle });
  return { ...counts, instances: instances.length };
}
