import type { FastifyInstance } from 'fastify';
import { toLanternError } from '../../platform/errors.js';

// The C-ECHO test button of the AE table:
//   POST /api/aes/:aeTitle/echo   → 200 { aeTitle, ok: true, milliseconds } or { aeTitle, ok: false, error }
// The echo itself (a DIMSE SCU association) is handed in by the composition root, as doors do not import each
// other. A node that does not answer is a test result, not a failure of this request: 200 with ok false and
// the reason. An AE title missing from the table is a 404.
export type EchoAe = (aeTitle: string) => Promise<number>;

export function registerAeEchoRoute(app: FastifyInstance, services: { echo: EchoAe }): void {
  app.post<{ Params: { aeTitle: string } }>('/api/aes/:aeTitle/echo', async (request) => {
    const { aeTitle } = request.params;
    try {
      const milliseconds = await services.echo(aeTitle);
      request.log.info({ aeTitle, milliseconds }, 'C-ECHO test answered');
      return { aeTitle, ok: true, milliseconds: Math.round(milliseconds * 10) / 10 };
    } catch (error) {
      if (toLanternError(error).code === 'not-found') throw error;
      const reason = error instanceof Error ? error.message : String(error);
      request.log.info({ aeTitle, reason }, 'C-ECHO test failed');
      return { aeTitle, ok: false, error: reason };
    }
  });
}
