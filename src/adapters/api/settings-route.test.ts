import assert from 'node:assert/strict';
import { test } from 'node:test';
import { redactSettings } from './settings-route.js';

test('settings shown to administrators hide secrets and URL credentials, and keep everything else', () => {
  const shown = redactSettings({
    security: {
      authentication: 'on',
      bootstrapAdminApiKey: 'lantern-test-administrator-key-0001',
      accessTokenMinutes: 15,
      oidc: { issuer: 'https://id.example', audience: 'lantern' },
    },
    database: { url: 'postgres://lantern:s3cret@db.example:5432/lantern' },
    hl7: { destinations: [{ name: 'EMR', host: 'emr', port: 2575 }] },
    tls: { keyFile: '/etc/lantern/key.pem', passphrase: 'pem-pass' },
    empty: { clientSecret: '' },
  });
  assert.deepEqual(shown, {
    security: {
      authentication: 'on',
      bootstrapAdminApiKey: '(set, hidden)',
      accessTokenMinutes: 15,
      oidc: { issuer: 'https://id.example', audience: 'lantern' },
    },
    database: { url: 'postgres://lantern:(hidden)@db.example:5432/lantern' },
    hl7: { destinations: [{ name: 'EMR', host: 'emr', port: 2575 }] },
    tls: { keyFile: '/etc/lantern/key.pem', passphrase: '(set, hidden)' },
    empty: { clientSecret: '' },
  });
  assert.doesNotMatch(JSON.stringify(shown), /s3cret|administrator-key|pem-pass/);
});
