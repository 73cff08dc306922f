// A stand-in OpenID Connect provider on 127.0.0.1 for the web UI's login through it: discovery, JWKS, an
// authorization endpoint that signs the configured user in at once (no login form) and a token endpoint that
// checks the PKCE verifier (RFC 7636) before it issues an RS256 access token, with a refresh token that buys
// one more (RFC 6749 6) while `renews` holds. CORS is open, as real providers' token endpoints are for
// browser clients.
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';

export interface TestOidcProvider {
  issuer: string;
  clientId: string;
  /** Token requests whose PKCE verifier did not match (the UI must never cause one). */
  refusedVerifiers: number;
  /** Lifetime of the access tokens it issues from now on (default 600 s). */
  tokenSeconds: number;
  /** Whether it gives refresh tokens with its access tokens and honours them (default true). */
  renews: boolean;
  /** Access tokens issued for a refresh token (grant_type=refresh_token). */
  renewals: number;
  close(): Promise<void>;
}

async function body(request: IncomingMessage): Promise<URLSearchParams> {
  let text = '';
  for await (const chunk of request) text += String(chunk);
  return new URLSearchParams(text);
}

export async function startOidcProvider(user: {
  username: string;
  roles: string[];
}): Promise<TestOidcProvider> {
  const clientId = 'lantern-web';
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'web-1', alg: 'RS256', use: 'sig' };
  const codes = new Map<string, { challenge: string; redirectUri: string }>();
  const refreshTokens = new Set<string>();
  const provider: TestOidcProvider = {
    issuer: '',
    clientId,
    refusedVerifiers: 0,
    tokenSeconds: 600,
    renews: true,
    renewals: 0,
    close: async () => {},
  };
  const issue = async () => {
    const accessToken = await new SignJWT({ preferred_username: user.username, roles: user.roles })
      .setProtectedHeader({ alg: 'RS256', kid: 'web-1' })
      .setIssuer(provider.issuer)
      .setAudience(clientId)
      .setSubject(`sub-${user.username}`)
      .setIssuedAt()
      .setExpirationTime(`${provider.tokenSeconds}s`)
      .sign(privateKey);
    const refreshToken = provider.renews ? randomBytes(16).toString('hex') : undefined;
    if (refreshToken) refreshTokens.add(refreshToken);
    return {
      access_token: accessToken,
      token_type: 'Bearer',
      expires_in: provider.tokenSeconds,
      ...(refreshToken ? { refresh_token: refreshToken } : {}),
    };
  };

  const server: Server = createServer((request, response) => {
    void (async () => {
      const url = new URL(request.url ?? '/', provider.issuer);
      response.setHeader('access-control-allow-origin', '*');
      const json = (status: number, value: unknown) => {
        response.statusCode = status;
        response.setHeader('content-type', 'application/json');
        response.end(JSON.stringify(value));
      };
      if (url.pathname === '/.well-known/openid-configuration') {
        return json(200, {
          issuer: provider.issuer,
          authorization_endpoint: `${provider.issuer}/authorize`,
          token_endpoint: `${provider.issuer}/token`,
          jwks_uri: `${provider.issuer}/certs`,
        });
      }
      if (url.pathname === '/certs') return json(200, { keys: [jwk] });
      if (url.pathname === '/authorize') {
        const q = url.searchParams;
        if (q.get('client_id') !== clientId || q.get('code_challenge_method') !== 'S256') {
          return json(400, { error: 'invalid_request' });
        }
        const code = randomBytes(16).toString('hex');
        codes.set(code, {
          challenge: q.get('code_challenge') ?? '',
          redirectUri: q.get('redirect_uri') ?? '',
        });
        const back = new URL(q.get('redirect_uri') ?? '');
        back.searchParams.set('code', code);
        back.searchParams.set('state', q.get('state') ?? '');
        response.statusCode = 302;
        response.setHeader('location', back.toString());
        return response.end();
      }
      if (url.pathname === '/token' && request.method === 'POST') {
        const form = await body(request);
        if (form.get('grant_type') === 'refresh_token') {
          // Rotated: each refresh token works once.
          const known = refreshTokens.delete(form.get('refresh_token') ?? '');
          if (!known || !provider.renews || form.get('client_id') !== clientId) {
            return json(400, { error: 'invalid_grant', error_description: 'refresh token refused' });
          }
          provider.renewals++;
          return json(200, await issue());
        }
        const pending = codes.get(form.get('code') ?? '');
        codes.delete(form.get('code') ?? '');
        const challenge = createHash('sha256')
          .update(form.get('code_verifier') ?? '')
          .digest('base64url');
        if (!pending || pending.challenge !== challenge || pending.redirectUri !== form.get('redirect_uri')) {
          provider.refusedVerifiers++;
          return json(400, { error: 'invalid_grant', error_description: 'code or verifier refused' });
        }
        return json(200, await issue());
      }
      json(404, { error: 'not_found' });
    })().catch(() => response.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  provider.issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  provider.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return provider;
}
