// Administration and audit in the web UI, end to end in headless Chromium against `lantern serve` with
// authentication on: the administrator creates a user (who must change the one-time password at first login),
// disables and resets it, tests a DICOM node with C-ECHO, replays an HL7 message and reads the settings (secrets
// hidden); the auditor filters the audit trail and finds refused logins. Screenshots go to
// test/web/screenshots/. Needs `npm run build:web` first (web/dist) and Debian's chromium.
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { test } from 'node:test';
import { screenshot } from '../web-browser.js';
import { refreshUntil, web } from '../web-session.js';

/** One HL7 v2 message over MLLP; resolves with the ACK's text. */
function sendHl7(message: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(web.server.hl7Port, '127.0.0.1', () => {
      socket.write(Buffer.concat([Buffer.from([0x0b]), Buffer.from(message), Buffer.from([0x1c, 0x0d])]));
    });
    let answer = '';
    socket.on('data', (chunk: Buffer) => {
      answer += chunk.toString('latin1');
      if (answer.includes('\x1c\r')) {
        socket.end();
        resolve(answer.replaceAll('\x0b', '').replaceAll('\x1c', '')); // MLLP start and end bytes
      }
    });
    socket.on('error', reject);
  });
}

/** A login refused for a wrong password, over REST (what the auditor looks for). */
async function refusedLogin(username: string): Promise<void> {
  const response = await fetch(`${web.server.httpUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: 'not-the-password-1' }),
  });
  assert.equal(response.status, 401);
}

test('administration: a new user must change the one-time password; disable and reset', async () => {
  const { page } = web;
  await web.logInAs('administrator');
  await page.getByRole('link', { name: 'Administration' }).click();
  await page.getByRole('link', { name: 'Users' }).click();
  const add = page.getByRole('form', { name: 'Add user' });
  await add.getByLabel('User name').fill('nurse1');
  await add.getByLabel('Display name').fill('Nurse One');
  await add.getByLabel('Role').selectOption('technologist');
  await add.getByRole('button', { name: 'Add user' }).click();
  const notice = page.getByTestId('users-notice');
  await notice.filter({ hasText: 'One-time password' }).waitFor();
  const oneTime = /shown only now\): (\S+)/.exec(await notice.innerText())![1]!;
  await screenshot(page, '14-admin-users');
  await web.logOut();

  await web.logIn('nurse1', oneTime);
  const change = page.getByRole('form', { name: 'Change password' });
  await change.waitFor();
  await screenshot(page, '15-change-password');
  await change.getByLabel('Current password', { exact: true }).fill(oneTime);
  await change.getByLabel('New password', { exact: true }).fill('short');
  await change.getByLabel('New password again').fill('short');
  await change.getByRole('button', { name: 'Change password' }).click();
  await change.getByRole('alert').filter({ hasText: 'at least 12 characters' }).waitFor();
  await change.getByLabel('New password', { exact: true }).fill('Green-Meadow-8812');
  await change.getByLabel('New password again').fill('Green-Meadow-8812');
  await change.getByRole('button', { name: 'Change password' }).click();
  await page.getByTestId('who').filter({ hasText: 'Nurse One' }).waitFor();
  assert.deepEqual(await web.navLabels(), ['Studies', 'Technologist']);
  await web.logOut();

  await web.logInAs('administrator');
  await page.getByRole('link', { name: 'Administration' }).click();
  await page.getByRole('link', { name: 'Users' }).click();
  const nurse = page.locator('[data-testid=users-table] tr[data-username="nurse1"]');
  await nurse.getByRole('button', { name: 'Disable' }).click();
  await nurse.getByTestId('user-state').filter({ hasText: 'disabled' }).waitFor();
  await nurse.getByRole('button', { name: 'Reset password' }).click();
  await notice.filter({ hasText: 'Password of nurse1 reset' }).waitFor();
  await nurse.getByTestId('user-state').filter({ hasText: 'must change password' }).waitFor();
  await web.logOut();
  await web.logIn('nurse1', 'Green-Meadow-8812');
  await page.getByRole('alert').filter({ hasText: 'Login failed' }).waitFor();
});

test('administration: DICOM node C-ECHO, HL7 message log with replay, settings', async () => {
  const ack = await sendHl7(
    [
      'MSH|^~\\&|EMR|HOSP|LANTERN|RAD|20260101120000||ADT^A04^ADT_A01|WEB-CTRL-1|P|2.5.1',
      'EVN|A04|20260101120000',
      'PID|1||HL7-WEB-1^^^HOSP^MR||HOWARD^Hal||19700101|M',
      'PV1|1|O',
    ].join('\r') + '\r',
  );
  assert.match(ack, /MSA\|AA\|WEB-CTRL-1/);
  const { page } = web;
  await web.logInAs('administrator');
  await page.getByRole('link', { name: 'Administration' }).click();
  await page.getByRole('link', { name: 'DICOM nodes' }).click();
  const node = page.locator('[data-testid=ae-table] tr', { hasText: 'LANTERN' });
  await node.getByRole('button', { name: 'C-ECHO' }).click();
  await node.getByTestId('echo-result').waitFor();
  assert.match(await node.getByTestId('echo-result').innerText(), /C-ECHO answered in \d+ ms/);
  await screenshot(page, '16-admin-ae-table');

  await page.getByRole('link', { name: 'HL7' }).click();
  const message = page.locator('[data-testid=hl7-messages] tr[data-control-id="WEB-CTRL-1"]');
  await refreshUntil(
    () => page.getByRole('button', { name: 'Refresh' }).click(),
    () => message.getByTestId('hl7-state').filter({ hasText: 'processed' }).isVisible(),
  );
  await message.getByRole('button', { name: 'Show' }).click();
  await page.getByLabel('Message text').filter({ hasText: 'HOWARD^Hal' }).waitFor();
  await message.getByRole('button', { name: 'Replay' }).click();
  await page.getByRole('status').filter({ hasText: 'queued again' }).waitFor();
  await screenshot(page, '17-admin-hl7');

  await page.getByRole('link', { name: 'Settings' }).click();
  const settings = page.getByTestId('settings-table');
  await settings.locator('tr', { hasText: 'security.authentication' }).filter({ hasText: 'on' }).waitFor();
  assert.match(
    await settings.locator('tr', { hasText: 'security.bootstrapAdminApiKey' }).innerText(),
    /set, hidden/,
  );
  assert.doesNotMatch(await settings.innerText(), /lantern-test-administrator-key/);
  await screenshot(page, '18-admin-settings');
});

test('audit: the auditor filters the trail by action and outcome and finds the refused login', async () => {
  const { page } = web;
  // Users no other test logs in as wrongly, so that no one gets locked out (three failures).
  await refusedLogin('research1');
  await refusedLogin('refer1');
  await web.logInAs('auditor');
  await page.getByRole('link', { name: 'Audit' }).click();
  const filters = page.getByRole('form', { name: 'Audit filters' });
  await filters.getByLabel('Action').fill('user.login');
  await filters.getByLabel('Outcome').selectOption('failure');
  await filters.getByRole('button', { name: 'Search' }).click();
  // The unfiltered first page is on screen until the filtered answer replaces it.
  const table = page.locator('[data-testid=audit-table][aria-busy=false]');
  let actions: string[] = [];
  await refreshUntil(
    async () => {},
    async () => {
      actions = await table.getByTestId('audit-action').allInnerTexts();
      return actions.length >= 2 && actions.every((a) => a === 'user.login');
    },
  ).catch(() => assert.fail(`refused logins only: ${actions.join(', ')}`));
  assert.match(await page.getByTestId('total').innerText(), /of \d+/);
  await screenshot(page, '19-audit');
  assert.deepEqual(web.pageErrors, []);
});
