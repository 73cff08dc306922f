import type { FastifyInstance } from 'fastify';
import type { LanternConfig } from '../../platform/config/index.js';
import { createSettingsReader } from '../../platform/security/index.js';
import { httpContext } from '../http/index.js';

// The running configuration, read-only, for administrators (the web UI's settings screen); the reader
// (platform/security/settings-reader.ts) checks admin.config and hides secrets.
//   GET /api/admin/settings      { settings: { group: { name: value } } }
export { redactSettings } from '../../platform/security/index.js';

export function registerSettingsRoute(
  app: FastifyInstance,
  services: { config: LanternConfig; database: Parameters<typeof createSettingsReader>[0] },
): void {
  const reader = createSettingsReader(services.database, services.config);
  app.get('/api/admin/settings', async (request) => ({
    settings: await reader.read(httpContext(request, 'api')),
  }));
}
