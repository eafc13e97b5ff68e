import { useState, type FormEvent } from 'react';
import { ApiError, errorText } from '../../../lib/api.js';
import { ErrorMessage } from '../../../components/ErrorMessage.js';
import { Button } from '../../../components/Button.js';
import { signIn } from '../api/session.js';

function signInMessage(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 401) return 'Wrong password';
    if (error.status === 429) return 'Too many attempts — wait a minute and try again';
  }
  return errorText(error);
}

export function SignInPage({ onSignedIn }: { onSignedIn: () => void }) {
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!password || busy) return;
    setBusy(true);
    setError(null);
    try {
      await signIn(password);
      onSignedIn();
    } catch (failure) {
      setError(failure);
      setBusy(false);
    }
  };

  return (
    <main className="signin">
      <form className="signin-card" onSubmit={submit} aria-labelledby="signin-title">
        <div className="brand brand-large" aria-hidden="true">
          pasv
        </div>
        <h1 id="signin-title">Sign in</h1>
        <p className="muted">Steer server-to-server FTP transfers.</p>
        <label className="field">
          <span>Password</span>
          <input
            type="password"
            name="password"
            autoComplete="current-password"
            autoFocus
            value={password}
            onChange={(event) => setPassword(event.target.value)}
            aria-invalid={error ? true : undefined}
          />
        </label>
        {error !== null && <ErrorMessage error={error} text={signInMessage(error)} />}
        <Button type="submit" variant="primary" disabled={!password || busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </Button>
      </form>
    </main>
  );
}
