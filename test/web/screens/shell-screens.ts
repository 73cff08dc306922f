// The web UI's shell end to end in headless Chromium against `lantern serve` with authentication on: the server
// serves the UI; every role logs in through the login screen and sees its own navigation; an expired session is
// renewed by the refresh cookie, and without it the login comes back with a message; a user of an OpenID
// provider logs in through it, and an expired provider token is renewed with the provider's refresh token;
// the layout fits a 1366×768 laptop and a 3840×2160 reading screen. Screenshots go to test/web/screenshots/.
// Needs `npm run build:web` first (web/dist) and Debian's chromium.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { screenshot } from '../web-browser.js';
import { shownName, USERS, web } from '../web-session.js';

test('the server serves the UI: pages fall back to index.html, assets have types, doors keep their 404s', async () => {
  const { server, oidc } = web;
  const html = await fetch(`${server.httpUrl}/viewer/1.2.3`);
  assert.equal(html.status, 200);
  assert.match(html.headers.get('content-type') ?? '', /^text\/html/);
  const text = await html.text();
  const script = /src="(\/assets\/[^"]+\.js)"/.exec(text)?.[1];
  assert.ok(script, text);
  const asset = await fetch(`${server.httpUrl}${script}`);
  assert.match(asset.headers.get('content-type') ?? '', /^text\/javascript/);
  assert.match(asset.headers.get('cache-control') ?? '', /immutable/);
  assert.equal((await fetch(`${server.httpUrl}/api/nothing-here`, { headers: server.auth })).status, 404);
  assert.equal((await fetch(`${server.httpUrl}/api/studies`)).status, 401, 'the APIs need credentials');
  // The login screen asks, before anyone is logged in, whether an OpenID provider is configured.
  const provider = await fetch(`${server.httpUrl}/api/auth/oidc`);
  assert.deepEqual(await provider.json(), {
    configured: true,
    issuer: oidc!.issuer,
    clientId: oidc!.clientId,
  });
  assert.equal((await fetch(`${server.httpUrl}/assets/missing.js`)).status, 404);
  assert.equal((await fetch(`${server.httpUrl}/assets/..%2f..%2fpackage.json`)).status, 404);
});

test('login: a wrong password is refused plainly; each role logs in and sees its own navigation', async () => {
  const { page } = web;
  await page.goto('/');
  await web.logIn('rad1', 'not-the-password-1');
  await page.getByRole('alert').filter({ hasText: 'Login failed' }).waitFor();
  await screenshot(page, '00-login-refused');
  for (const [role, user] of Object.entries(USERS)) {
    await web.logIn(user.username);
    await page
      .getByTestId('who')
      .filter({ hasText: `(${role})` })
      .waitFor();
    assert.deepEqual(await web.navLabels(), [...user.screens], `navigation of ${role}`);
    // The first screen of the role opens by itself.
    await page.locator('main h1').first().waitFor();
    await screenshot(page, `00-home-${role}`);
    await web.logOut();
  }
});

test('session: an expired access token is renewed by the refresh cookie; without it, back to login with a message', async () => {
  const { page } = web;
  await web.logInAs('radiologist');
  // Away from the studies screen (the radiologist's first), so that going back there asks the server.
  await page.getByRole('link', { name: 'Reading' }).click();
  await page.getByTestId('reading-worklist').waitFor();
  const context = page.context();
  await context.clearCookies({ name: 'lantern_access' });
  await page.getByRole('link', { name: 'Studies', exact: true }).click();
  await page.getByTestId('total').waitFor();
  assert.ok(
    (await context.cookies()).some((c) => c.name === 'lantern_access'),
    'a new access cookie',
  );
  const url = page.url();
  await context.clearCookies();
  await page.getByRole('link', { name: 'Reading' }).click();
  await page.getByRole('status').filter({ hasText: 'Your session has ended' }).waitFor();
  assert.notEqual(page.url(), url, 'the app moved on to the reading worklist');
  assert.match(page.url(), /\/reading$/, 'no redirect: the login shows where the user was');
  await screenshot(page, '13-session-ended');
  await web.logIn('rad1');
  await page
    .getByTestId('who')
    .filter({ hasText: shownName('radiologist') })
    .waitFor();
});

test('OpenID Connect: the login screen offers the provider; its user comes back signed in with its role', async () => {
  const { page } = web;
  if (page.url() === 'about:blank') await page.goto('/');
  if (await page.getByRole('button', { name: 'Log out' }).isVisible()) await web.logOut();
  await page.getByRole('button', { name: 'Log in with the hospital identity provider' }).click();
  await page.getByTestId('who').filter({ hasText: 'oidc-reader' }).waitFor();
  assert.deepEqual(await web.navLabels(), ['Studies', 'Reading']);
  // Its bearer token reaches the DICOMweb door and the viewer's frames too.
  await web.viewFirstImage('WEBB^ALPHA');
  assert.equal(web.oidc!.refusedVerifiers, 0);
  await web.logOut();
  assert.equal(
    await page.evaluate<string>('JSON.stringify(Object.keys(sessionStorage))'),
    '[]',
    'the token is gone after logout',
  );
});

test('OpenID Connect: an expired provider token is renewed with its refresh token; without renewal, the login says so', async () => {
  const { page } = web;
  const oidc = web.oidc!;
  if (page.url() === 'about:blank') await page.goto('/');
  if (await page.getByRole('button', { name: 'Log out' }).isVisible()) await web.logOut();
  // Tokens that expire four seconds after they are issued (the server checks their expiry).
  oidc.tokenSeconds = 4;
  const renewalsBefore = oidc.renewals;
  await page.getByRole('button', { name: 'Log in with the hospital identity provider' }).click();
  await page.getByTestId('who').filter({ hasText: 'oidc-reader' }).waitFor();
  await page.getByRole('link', { name: 'Reading' }).click();
  await page.getByTestId('reading-worklist').waitFor();
  oidc.tokenSeconds = 600;
  await page.waitForTimeout(4500); // the tokens issued so far have expired now
  await page.getByRole('link', { name: 'Studies', exact: true }).click();
  await page.getByTestId('total').waitFor();
  assert.ok(oidc.renewals > renewalsBefore, 'renewed with the refresh token');
  assert.ok(await page.getByTestId('who').filter({ hasText: 'oidc-reader' }).isVisible(), 'still signed in');

  // A provider that no longer renews (refresh token revoked): the login comes back and says why.
  await web.logOut();
  oidc.tokenSeconds = 4;
  oidc.renews = false;
  try {
    await page.getByRole('button', { name: 'Log in with the hospital identity provider' }).click();
    await page.getByTestId('who').filter({ hasText: 'oidc-reader' }).waitFor();
    await page.getByRole('link', { name: 'Reading' }).click();
    await page.getByTestId('reading-worklist').waitFor();
    await page.waitForTimeout(4500);
    await page.getByRole('link', { name: 'Studies', exact: true }).click();
    await page
      .getByRole('status')
      .filter({ hasText: 'Your login through the identity provider has ended' })
      .waitFor();
    await screenshot(page, '13-oidc-session-ended');
  } finally {
    oidc.tokenSeconds = 600;
    oidc.renews = true;
  }
});

test('layout: usable on a 1366×768 laptop and on a 3840×2160 reading screen', async () => {
  const { page } = web;
  await web.logInAs('administrator');
  for (const [width, height] of [
    [1366, 768],
    [3840, 2160],
  ] as const) {
    await page.setViewportSize({ width, height });
    await page.getByRole('link', { name: 'Reading' }).click();
    await page.getByTestId('reading-worklist').waitFor();
    await screenshot(page, `20-reading-worklist-${width}x${height}`);
    await web.viewFirstImage('WEBB^ALPHA');
    // Nothing spills sideways: the page needs no horizontal scrolling.
    const overflow = await page.evaluate<number>(
      'document.documentElement.scrollWidth - document.documentElement.clientWidth',
    );
    assert.ok(overflow <= 0, `${width}×${height}: ${overflow} px wider than the window`);
    const box = (await page.getByTestId('viewport').boundingBox())!;
    assert.ok(box.width > width * 0.4 && box.height > height * 0.6, `viewport ${box.width}×${box.height}`);
    await screenshot(page, `21-viewer-${width}x${height}`);
  }
  await page.setViewportSize({ width: 1366, height: 768 });
  assert.deepEqual(web.pageErrors, []);
});
