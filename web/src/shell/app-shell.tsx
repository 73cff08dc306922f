// The frame around every screen: navigation for the user's roles, who is logged in, and the routes.
import { lazy, Suspense, useEffect, useState, useSyncExternalStore, type ReactNode } from 'react';
import { logout, onSessionChange, sessionState, type SessionState } from '../api/session';
import { AdminPage } from '../admin/admin-page';
import { AuditPage } from '../admin/audit-page';
import { FrontDeskPage } from '../front-desk/front-desk-page';
import { ScheduleCalendar } from '../front-desk/schedule-calendar';
import { UnmatchedQueue } from '../front-desk/unmatched-queue';
import { StudyBrowser } from '../studies/study-browser';
import { TechnologistWorklist } from '../worklist/technologist-worklist';
import { ChangePasswordPage } from './change-password-page';
import { LoginPage } from './login-page';
import { Link, navigate, useLocation, type Location } from './router';
import { screensFor } from './screens';

// Cornerstone, vtk.js and the codecs are most of the code: loaded only when a screen shows images.
const ViewerPage = lazy(() => import('../viewer/viewer-page').then((m) => ({ default: m.ViewerPage })));
const ReadingPage = lazy(() => import('../reading/reading-page').then((m) => ({ default: m.ReadingPage })));

export function AppShell() {
  // An external store: the session may have settled (e.g. signed out) before this component subscribed.
  const session: SessionState = useSyncExternalStore(onSessionChange, sessionState);
  const location = useLocation();
  const roles = session.kind === 'signed-in' ? session.user.roles : undefined;
  const screens = screensFor(roles);
  const [changingPassword, setChangingPassword] = useState(false);

  const showsImages = screens.some((screen) => screen.path === '/studies' || screen.path === '/reading');
  useEffect(() => {
    // The viewer's code and Cornerstone's start-up (workers, codecs) while the user is still choosing a
    // study, so that opening one only waits for its images.
    if (session.kind === 'unknown' || session.kind === 'signed-out' || !showsImages) return;
    const id = requestIdleCallback(() => {
      void import('../viewer/cornerstone-setup').then((m) => m.startCornerstone());
      void import('../viewer/viewer-page');
    });
    return () => cancelIdleCallback(id);
  }, [session.kind, showsImages]);

  useEffect(() => {
    // Alt+letter jumps between screens from anywhere.
    const jump = (event: KeyboardEvent) => {
      if (!event.altKey || event.ctrlKey || event.metaKey) return;
      const screen = screens.find((s) => s.key === event.key.toLowerCase());
      if (!screen) return;
      event.preventDefault();
      navigate(screen.path);
    };
    window.addEventListener('keydown', jump);
    return () => window.removeEventListener('keydown', jump);
  }, [screens]);

  if (session.kind === 'unknown') return <p className="muted page">Connecting to Lantern…</p>;
  if (session.kind === 'signed-out')
    return <LoginPage {...(session.reason ? { reason: session.reason } : {})} />;
  if (session.kind === 'signed-in' && session.user.mustChangePassword) return <ChangePasswordPage forced />;
  if (changingPassword)
    return <ChangePasswordPage forced={false} onDone={() => setChangingPassword(false)} />;

  // The start page, or a screen this user's roles do not include (e.g. after logging in as someone else):
  // the first screen of the user's own.
  const allowed =
    location.segments[0] === 'viewer' || screens.some((screen) => location.path.startsWith(screen.path));
  if ((location.path === '/' || !allowed) && screens[0]) {
    queueMicrotask(() => navigate(screens[0]!.path, { replace: true }));
  }
  return (
    <div className="shell">
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <span className="brand">Lantern</span>
        <nav aria-label="Screens">
          {screens.map((screen) => (
            <Link
              key={screen.path}
              href={screen.path}
              aria-current={location.path.startsWith(screen.path) ? 'page' : undefined}
              title={`${screen.label} (Alt+${screen.key.toUpperCase()})`}
            >
              {screen.label}
            </Link>
          ))}
        </nav>
        <span className="who">
          {session.kind === 'signed-in' ? (
            <>
              <span data-testid="who">
                {session.user.displayName} ({session.user.roles.join(', ') || 'no role'})
              </span>{' '}
              {session.user.via === 'cookie' && (
                <button type="button" onClick={() => setChangingPassword(true)}>
                  Password
                </button>
              )}{' '}
              <button type="button" onClick={() => void logout()}>
                Log out
              </button>
            </>
          ) : (
            <span title="The server runs with authentication off">open access</span>
          )}
        </span>
      </header>
      <main id="main">
        <Suspense fallback={<p className="muted page">Loading…</p>}>{route(location)}</Suspense>
      </main>
    </div>
  );
}

function route(location: Location): ReactNode {
  const [section, a, b, c] = location.segments;
  switch (section) {
    case undefined:
    case 'studies':
      return <StudyBrowser />;
    case 'viewer':
      return a ? <ViewerPage study={a} {...(b ? { series: b } : {})} /> : <StudyBrowser />;
    case 'front-desk':
      return <FrontDeskPage />;
    case 'schedule':
      return <ScheduleCalendar />;
    case 'unmatched':
      return <UnmatchedQueue />;
    case 'audit':
      return <AuditPage />;
    case 'worklist':
      return <TechnologistWorklist />;
    case 'reading':
      return (
        <ReadingPage {...(a ? { orderId: Number(a) } : {})} {...(b === 'series' && c ? { series: c } : {})} />
      );
    case 'admin':
      return <AdminPage section={a} />;
    default:
      return (
        <section className="page">
          <h1>Not found</h1>
          <p>
            There is no screen at {location.path}. <Link href="/studies">Go to the studies.</Link>
          </p>
        </section>
      );
  }
}
