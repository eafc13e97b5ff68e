import { useCallback, useEffect, useState } from 'react';
import { queryClient } from './providers.js';
import { Dashboard } from './Dashboard.js';
import { Button } from '../components/Button.js';
import { ErrorMessage } from '../components/ErrorMessage.js';
import { onUnauthorized } from '../lib/api.js';
import { liveConnection } from '../lib/live.js';
import { SignInPage } from '../features/auth/components/SignInPage.js';
import { checkSession, signOut } from '../features/auth/api/session.js';

type Gate =
  { kind: 'checking' } | { kind: 'signed-in' } | { kind: 'signed-out' } | { kind: 'unreachable'; error: unknown };

/** Shows the sign-in page until the server accepts the session; any later 401 comes back here. */
export function AuthGate() {
  const [gate, setGate] = useState<Gate>({ kind: 'checking' });

  // The gate starts out 'checking', so the first check needs no state change before its answer.
  const check = useCallback(() => {
    checkSession().then(
      (result) => setGate({ kind: result }),
      (error: unknown) => setGate({ kind: 'unreachable', error }),
    );
  }, []);
  const retry = () => {
    setGate({ kind: 'checking' });
    check();
  };

  useEffect(check, [check]);

  useEffect(
    () =>
      onUnauthorized(() => {
        setGate((current) => (current.kind === 'signed-out' ? current : { kind: 'signed-out' }));
      }),
    [],
  );

  const signedIn = gate.kind === 'signed-in';
  useEffect(() => {
    if (!signedIn) return undefined;
    liveConnection.start();
    return () => {
      liveConnection.stop();
      // Another user may sign in next on this page: keep nothing of this session.
      queryClient.clear();
    };
  }, [signedIn]);

  const handleSignOut = useCallback(async () => {
    try {
      await signOut();
    } finally {
      setGate({ kind: 'signed-out' });
    }
  }, []);

  switch (gate.kind) {
    case 'checking':
      return (
        <main className="splash" aria-busy="true">
          <span className="brand brand-large">pasv</span>
          <span className="muted">Connecting…</span>
        </main>
      );
    case 'unreachable':
      return (
        <main className="splash">
          <span className="brand brand-large">pasv</span>
          <ErrorMessage error={gate.error} />
          <Button variant="primary" onClick={retry}>
            Try again
          </Button>
        </main>
      );
    case 'signed-out':
      return <SignInPage onSignedIn={() => setGate({ kind: 'signed-in' })} />;
    case 'signed-in':
      return <Dashboard onSignOut={handleSignOut} />;
  }
}
