import { AppProviders } from './providers.js';
import { AuthGate } from './AuthGate.js';

export function App() {
  return (
    <AppProviders>
      <AuthGate />
    </AppProviders>
  );
}
