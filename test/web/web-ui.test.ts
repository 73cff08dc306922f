// The web UI end to end in headless Chromium against `lantern serve` with authentication on, one screen group a
// module (screens/): the shell (login per role, session expiry, OpenID login, layout), the study browser and
// viewer, the department's day (front desk, schedule, unmatched queue, technologist, radiologist), and
// administration with the audit trail. One server and one browser serve them all: starting them costs 5-7 s of
// CPU each, more than most groups' tests. The groups run in this order (the study browser counts the seeded
// studies before the day adds its own); any test also runs alone (--test-name-pattern), making what it needs.
// Screenshots of each screen go to test/web/screenshots/. Needs `npm run build:web` first and Debian's chromium.
import { after, before } from 'node:test';
import { startWebSession, web } from './web-session.js';

before(async () => {
  await startWebSession({ studies: ['alpha', 'beta', 'gamma', 'cine'], oidc: true, ctRoom: true });
  // Lantern itself as a DICOM node, for the administration screen's C-ECHO button.
  await web.api('PUT', '/api/aes/LANTERN', {
    host: '127.0.0.1',
    port: web.server.dicomPort,
    permissions: ['echo'],
  });
});

after(() => web?.close());

// After the hooks, so that the hooks come first whatever the runner does with tests registered before them.
await import('./screens/shell-screens.js');
await import('./screens/viewer-screens.js');
await import('./screens/department-day-screens.js');
await import('./screens/admin-screens.js');
