import type { FastifyInstance } from 'fastify';
import type { RequestContext } from '../../platform/context.js';
import { toLanternError } from '../../platform/errors.js';
import { httpContext } from '../http/index.js';
import { NO_BODY } from './route-schemas.js';

// The C-ECHO test button of the AE table:
//   POST /api/aes/:aeTitle/echo   → 200 { aeTitle, ok: true, milliseconds } or { aeTitle, ok: false, error }
// The echo itself (a DIMSE SCU association) is handed in by the composition root, as doors do not import each
// other. A node that does not answer is a test result, not a failure of this request: 200 with ok false and
// the reason. An AE title missing from the table is a 404.
export type EchoAe = (ctx: RequestContext, aeTitle: string) => Promise<number>;

export function registerAeEchoRoute(app: FastifyInstance, services: { echo: EchoAe }): void {
  app.post<{ Params: { aeTitle: string } }>(
    '/api/aes/:aeTitle/echo',
    { schema: { body: NO_BODY } },
    async (request) => {
      const { aeTitle } = request.params;
      try {
        const milliseconds = await services.echo(httpContext(request, 'api'), aeTitle);
        request.log.info({ aeTitle, milliseconds }, 'C-ECHO test answered');
        return { aeTitle, ok: true, milliseconds: Math.round(milliseconds * 10) / 10 };
      } catch (error) {
        // A node that does not answer is a test result; a refusal or an unknown AE is this request's failure.
        const code = toLanternError(error).code;
        if (code === 'not-found' || code === 'forbidden') throw error;
        const reason = error instanceof Error ? error.message : String(error);
        request.log.info({ aeTitle, reason }, 'C-ECHO test failed');
        return { aeTitle, ok: false, error: reason };
      }
    },
  );
}
