// What the web UI's end-to-end screen groups (screens/*.ts) share: one `lantern serve` (authentication on) and
// one headless Chromium page for them all (each costs 5-7 s of CPU to start, so one test process runs every
// group: web-ui.test.ts), users of every role (created over REST with the test administrator key, logging in
// through the login screen), seeded studies sent by storescu, and the steps every screen test takes (log in as
// a role, open a study in the viewer, refresh until something shows).
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { runTool } from '../support/dcmtk.js';
import { startServe, type RunningLantern } from '../support/lantern-server.js';
import { writeSyntheticStudy } from '../support/synthetic-ct.js';
import { writeMultiFrameInstance } from './multiframe.js';
import { startOidcProvider, type TestOidcProvider } from './oidc-provider.js';
import { CHROMIUM, launchBrowser, openPage, waitForCanvas } from './web-browser.js';

const WEB_DIST = fileURLToPath(new URL('../../web/dist/index.html', import.meta.url));
export const SLICES = 12;
export const FRAMES = 6;
export const PASSWORD = 'Blue-Harbor-4417';

// One user per role, and the screens its navigation must show (web/src/shell/screens.ts). The shell shows a
// user's display name (the username unless given); the radiologist's is what their signed reports print.
export const USERS = {
  administrator: {
    username: 'admin1',
    screens: [
      'Studies',
      'Front desk',
      'Schedule',
      'Unmatched',
      'Technologist',
      'Reading',
      'Administration',
      'Audit',
    ],
  },
  radiologist: { username: 'rad1', displayName: 'Dr Rad One', screens: ['Studies', 'Reading'] },
  technologist: { username: 'tech1', screens: ['Studies', 'Technologist'] },
  clerk: { username: 'clerk1', screens: ['Front desk', 'Schedule', 'Unmatched'] },
  'referring-physician': { username: 'refer1', screens: ['Studies'] },
  researcher: { username: 'research1', screens: ['Studies'] },
  auditor: { username: 'audit1', screens: ['Audit'] },
} as const;
export type Role = keyof typeof USERS;

/** The name the shell shows for the role's user. */
export const shownName = (role: Role): string => {
  const user: { username: string; displayName?: string } = USERS[role];
  return user.displayName ?? user.username;
};

/** The studies a file may ask for: three single-frame CT studies (WEBB^ALPHA, WEBB^BETA, OTHER^GAMMA) and a cine. */
export type SeedStudy = 'alpha' | 'beta' | 'gamma' | 'cine';

export interface WebSessionOptions {
  /** Users to create, one per role (default: every role). */
  roles?: readonly Role[];
  studies?: readonly SeedStudy[];
  /** A stand-in OpenID provider the server trusts (its user: oidc-reader, radiologist). */
  oidc?: boolean;
  /** The starter catalogue and a CT room open all day, every day (for orders and bookings). */
  ctRoom?: boolean;
  /** Extra server settings (LANTERN_* environment). */
  env?: Record<string, string>;
}

export interface WebSession {
  server: RunningLantern;
  page: Page;
  /** Uncaught errors of the page's scripts. */
  pageErrors: string[];
  dataDir: string;
  oidc: TestOidcProvider | undefined;
  ctRoomId: number;
  /** A REST call as the test administrator (API key); asserts a 2xx answer. */
  api<T>(method: string, path: string, body?: unknown): Promise<T>;
  storescu(folder: string): Promise<void>;
  logIn(username: string, password?: string): Promise<void>;
  /** Logs in through the login screen as the role's user (logging out whoever is in). */
  logInAs(role: Role): Promise<void>;
  logOut(): Promise<void>;
  navLabels(): Promise<string[]>;
  /** Searches the study browser for one patient's study and opens it; resolves with the time of the click. */
  openInViewer(patientName: string): Promise<number>;
  /** Opens a seeded 12-image study in the viewer and waits for its first image's pixels; resolves with the ms. */
  viewFirstImage(patientName: string): Promise<number>;
  close(): Promise<void>;
}

async function writeSeedStudies(folder: string, studies: readonly SeedStudy[]): Promise<void> {
  const shape = { series: 1, instancesPerSeries: SLICES, rows: 256, columns: 256 };
  const seeds: Record<SeedStudy, () => Promise<unknown>> = {
    alpha: () =>
      writeSyntheticStudy(join(folder, 'a'), {
        ...shape,
        seed: 21,
        patientId: 'WEB-1',
        patientName: 'WEBB^ALPHA',
      }),
    beta: () =>
      writeSyntheticStudy(join(folder, 'b'), {
        ...shape,
        seed: 22,
        patientId: 'WEB-2',
        patientName: 'WEBB^BETA',
        series: 2,
      }),
    gamma: () =>
      writeSyntheticStudy(join(folder, 'c'), {
        ...shape,
        seed: 23,
        patientId: 'WEB-3',
        patientName: 'OTHER^GAMMA',
      }),
    cine: () =>
      writeMultiFrameInstance(join(folder, 'd'), {
        frames: FRAMES,
        rows: 128,
        columns: 128,
        seed: 24,
        patientId: 'WEB-4',
        patientName: 'CINE^DELTA',
      }),
  };
  for (const study of studies) await seeds[study]();
}

/** The session of this test process, set by `startWebSession` (web-ui.test.ts's before hook). */
export let web: WebSession;

/** Starts the server and the browser page of the test process. Needs `npm run build:web` (web/dist) first. */
export async function startWebSession(options: WebSessionOptions = {}): Promise<WebSession> {
  assert.ok(existsSync(WEB_DIST), 'web/dist is missing: run `npm run build:web` first');
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install chromium`);
  const dataDir = await mkdtemp(join(tmpdir(), 'lantern-web-'));
  const oidc = options.oidc
    ? await startOidcProvider({ username: 'oidc-reader', roles: ['radiologist'] })
    : undefined;
  const [serverStart, browserStart] = await Promise.allSettled([
    startServe({
      LANTERN_DATA_DIR: dataDir,
      LANTERN_SECURITY_AUTHENTICATION: 'on',
      LANTERN_DICOM_UNKNOWN_AE_PERMISSIONS: 'echo,store,query',
      LANTERN_HL7_ALLOWED_SENDERS: 'EMR^HOSP', // the administration screens replay its message
      LANTERN_RIS_STUDY_STABLE_SECONDS: '1',
      ...(oidc
        ? { LANTERN_SECURITY_OIDC_ISSUER: oidc.issuer, LANTERN_SECURITY_OIDC_AUDIENCE: oidc.clientId }
        : {}),
      ...options.env,
    }),
    launchBrowser(),
  ]);
  if (serverStart.status === 'rejected' || browserStart.status === 'rejected') {
    if (serverStart.status === 'fulfilled') await serverStart.value.stop();
    if (browserStart.status === 'fulfilled') await browserStart.value.close();
    await oidc?.close();
    throw serverStart.status === 'rejected'
      ? serverStart.reason
      : (browserStart as PromiseRejectedResult).reason;
  }
  const [server, browser] = [serverStart.value, browserStart.value];
  const { page, errors: pageErrors } = await openPage(browser, server.httpUrl);

  async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${server.httpUrl}${path}`, {
      method,
      headers: { ...server.auth, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    assert.ok(response.ok, `${method} ${path}: ${response.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  async function storescu(folder: string): Promise<void> {
    const sent = await runTool('storescu', [
      '-aec',
      'LANTERN',
      '+sd',
      '+r',
      '127.0.0.1',
      String(server.dicomPort),
      folder,
    ]);
    assert.equal(sent.code, 0, sent.stderr);
  }

  async function logIn(username: string, password = PASSWORD): Promise<void> {
    const form = page.getByRole('form', { name: 'Log in' });
    await form.waitFor();
    await form.getByLabel('User name').fill(username);
    await form.getByLabel('Password').fill(password);
    await form.getByRole('button', { name: 'Log in', exact: true }).click();
  }

  async function logOut(): Promise<void> {
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('form', { name: 'Log in' }).waitFor();
  }

  const session: WebSession = {
    server,
    page,
    pageErrors,
    dataDir,
    oidc,
    ctRoomId: 0,
    api,
    storescu,
    logIn,
    logOut,
    async logInAs(role) {
      if (page.url() === 'about:blank') await page.goto('/'); // the file's first test, or one run alone
      const who = page.getByTestId('who');
      if ((await who.isVisible()) && (await who.innerText()).includes(`${shownName(role)} (`)) return;
      if (await page.getByRole('button', { name: 'Log out' }).isVisible()) await logOut();
      await logIn(USERS[role].username);
      await page
        .getByTestId('who')
        .filter({ hasText: shownName(role) })
        .waitFor();
    },
    navLabels: () => page.locator('nav[aria-label=Screens] a').allInnerTexts(),
    async openInViewer(patientName) {
      await page.getByRole('link', { name: 'Studies', exact: true }).click();
      await page.getByLabel('Patient name').fill(patientName);
      await page.getByRole('button', { name: 'Search' }).click();
      await page.getByTestId('total').filter({ hasText: 'of 1' }).waitFor();
      const opened = Date.now();
      await page.getByRole('link', { name: 'View' }).click();
      return opened;
    },
    async viewFirstImage(patientName) {
      const opened = await this.openInViewer(patientName);
      await page
        .getByTestId('image-index')
        .filter({ hasText: `Im 1 / ${SLICES}` })
        .waitFor();
      await waitForCanvas(page, (print) => print.lit > 1000);
      return Date.now() - opened;
    },
    async close() {
      await browser.close();
      await server.stop();
      await oidc?.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };

  const seeded = options.studies ?? [];
  const incoming = join(dataDir, 'incoming');
  await Promise.all([
    seeded.length > 0 ? writeSeedStudies(incoming, seeded).then(() => storescu(incoming)) : undefined,
    ...(options.roles ?? (Object.keys(USERS) as Role[])).map((role) =>
      api('POST', '/api/users', {
        username: USERS[role].username,
        displayName: shownName(role),
        roles: [role],
        password: PASSWORD,
      }),
    ),
    options.ctRoom ? addCtRoom(session) : undefined,
  ]);
  web = session;
  return session;
}

async function addCtRoom(session: WebSession): Promise<void> {
  await session.api('POST', '/api/procedures/defaults');
  ({ id: session.ctRoomId } = await session.api<{ id: number }>('POST', '/api/resources', {
    name: 'CT room 1',
    aeTitle: 'CT1',
    modality: 'CT',
    timeZone: 'UTC',
    openingHours: [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, opens: '00:00', closes: '23:59' })),
  }));
}

/** Calls `refresh` until `visible` holds (the server links studies and processes messages a moment later). */
export async function refreshUntil(
  refresh: () => Promise<void>,
  visible: () => Promise<boolean>,
  ms = 20_000,
): Promise<void> {
  const until = Date.now() + ms;
  while (!(await visible())) {
    if (Date.now() > until) throw new Error('gave up waiting after refreshing');
    await new Promise((resolve) => setTimeout(resolve, 400));
    await refresh();
  }
}

export function viewportCentre(box: { x: number; y: number; width: number; height: number }) {
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
}
