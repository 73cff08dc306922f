import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { startSession } from './api/session';
import { AppShell } from './shell/app-shell';
import './styles.css';

void startSession();
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <AppShell />
  </StrictMode>,
);
