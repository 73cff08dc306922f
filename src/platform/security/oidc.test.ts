import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { SignJWT, exportJWK, generateKeyPair, type CryptoKey, type JWK } from 'jose';
import { createOidcVerifier, mapClaimRoles, type OidcSettings } from './oidc.js';

// A stand-in OpenID provider on 127.0.0.1: a discovery document and a JWKS with one signing key.
let server: Server;
let issuer: string;
let signingKey: CryptoKey;
let strangerKey: CryptoKey;
let jwk: JWK;

before(async () => {
  const pair = await generateKeyPair('RS256');
  signingKey = pair.privateKey;
  strangerKey = (await generateKeyPair('RS256')).privateKey;
  jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  server = createServer((request, response) => {
    response.setHeader('content-type', 'application/json');
    if (request.url === '/realms/x/.well-known/openid-configuration') {
      response.end(JSON.stringify({ issuer, jwks_uri: `${issuer}/certs` }));
    } else if (request.url === '/realms/x/certs') {
      response.end(JSON.stringify({ keys: [jwk] }));
    } else {
      response.statusCode = 404;
      response.end('{}');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}/realms/x`;
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));

const settings = (): OidcSettings => ({
  issuer,
  audience: 'lantern',
  jwksUri: '',
  rolesClaim: 'realm_access.roles',
  usernameClaim: 'preferred_username',
  roleMap: ['pacs-readers=radiologist', 'pacs-admins=administrator'],
});

const token = (
  claims: Record<string, unknown>,
  options: { key?: CryptoKey; exp?: string | number; aud?: string; iss?: string } = {},
) =>
  new SignJWT(claims)
    .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
    .setIssuer(options.iss ?? issuer)
    .setAudience(options.aud ?? 'lantern')
    .setSubject('f81d4fae')
    .setIssuedAt()
    .setExpirationTime(options.exp ?? '5m')
    .sign(options.key ?? signingKey);

test("a provider's token is verified against its JWKS and its claims are mapped to roles", async () => {
  const verifier = createOidcVerifier(settings());
  const actor = await verifier.verify(
    await token({
      preferred_username: 'dr.who',
      name: 'The Doctor',
      realm_access: { roles: ['pacs-readers', 'offline_access'] },
      scope: 'openid user/ImagingStudy.read',
    }),
  );
  assert.equal(actor.id, 'oidc:f81d4fae');
  assert.equal(actor.username, 'dr.who');
  assert.equal(actor.displayName, 'The Doctor');
  // Without a name claim (or not a string, or not one printable line), the person is known by the username.
  for (const name of [undefined, 42, 'Dr\r\nWho', 'x'.repeat(129)]) {
    const unnamed = await verifier.verify(
      await token({ preferred_username: 'dr.who', name, realm_access: { roles: ['pacs-readers'] } }),
    );
    assert.equal(unnamed.displayName, 'dr.who');
  }
  assert.deepEqual(actor.roles, ['radiologist']);
  assert.ok(actor.permissions?.includes('report.sign'));
  assert.deepEqual(actor.oauth, { scopes: ['openid', 'user/ImagingStudy.read'] });
});

test('tokens that are expired, for another audience or issuer, or signed by an unknown key are refused', async () => {
  const verifier = createOidcVerifier({ ...settings(), jwksUri: `${issuer}/certs` });
  const refused = (promise: Promise<unknown>, pattern: RegExp) =>
    assert.rejects(
      promise,
      (e: Error) => (e as { code?: string }).code === 'unauthenticated' && pattern.test(e.message),
    );
  await refused(verifier.verify(await token({}, { exp: Math.floor(Date.now() / 1000) - 60 })), /exp/);
  await refused(verifier.verify(await token({}, { aud: 'someone-else' })), /aud/);
  await refused(verifier.verify(await token({}, { iss: 'http://127.0.0.1:1/evil' })), /iss/);
  await refused(verifier.verify(await token({}, { key: strangerKey })), /signature/);
});

test('role mapping: only mapped claim values count; without a map, Lantern role names do', () => {
  const claims = { roles: ['pacs-admins', 'auditor'], groups: 'clerk researcher' };
  assert.deepEqual(mapClaimRoles(claims, { rolesClaim: 'roles', roleMap: ['pacs-admins=administrator'] }), [
    'administrator',
  ]);
  assert.deepEqual(mapClaimRoles(claims, { rolesClaim: 'roles', roleMap: [] }), ['auditor']);
  assert.deepEqual(mapClaimRoles(claims, { rolesClaim: 'groups', roleMap: [] }), ['clerk', 'researcher']);
  assert.deepEqual(mapClaimRoles(claims, { rolesClaim: 'missing.path', roleMap: [] }), []);
});

test('an issuer without an audience is a configuration error, not a verifier that takes any audience', () => {
  for (const audience of ['', '  ']) {
    assert.throws(
      () => createOidcVerifier({ ...settings(), audience }),
      (error: Error) => error.name === 'ConfigError' && /security\.oidc\.audience/.test(error.message),
    );
  }
});
