import type { FastifyInstance } from 'fastify';
import type { LanternConfig } from '../../platform/config/index.js';

// Whether an external OpenID Connect provider is configured, for the login screen (public: the page asks
// before anyone has logged in). The web UI then runs the authorization code flow with PKCE in the browser
// and sends the provider's token as a bearer token, which the HTTP door verifies against the provider's JWKS.
//   GET /api/auth/oidc      { configured: false } or { configured: true, issuer, clientId }
export function registerOidcLoginRoute(
  app: FastifyInstance,
  services: { config: Pick<LanternConfig, 'security'> },
): void {
  const { issuer, audience } = services.config.security.oidc;
  const answer = issuer ? { configured: true, issuer, clientId: audience } : { configured: false };
  app.get(
    '/api/auth/oidc',
    {
      schema: {
        response: {
          200: {
            type: 'object',
            properties: {
              configured: { type: 'boolean' },
              issuer: { type: 'string' },
              clientId: { type: 'string' },
            },
          },
        },
      },
    },
    async () => answer,
  );
}
