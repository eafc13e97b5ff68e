import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App.js';
import { applyTheme } from './app/theme.js';
import './styles/base.css';
import './styles/components.css';
import './styles/layout.css';
import './styles/panes.css';
import './styles/panels.css';
import './styles/sites.css';
import './styles/mirror.css';
import './styles/routes.css';
import './styles/queue.css';
import './styles/trace.css';
import './styles/nav.css';
import './styles/responsive.css';

// Before the first render, so a dark-theme user never sees a white flash.
applyTheme();

const root = document.getElementById('root');
if (!root) throw new Error('index.html lacks #root');
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
