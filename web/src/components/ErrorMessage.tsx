import { errorText } from '../lib/api.js';

/** A server error as the user should read it: its text and code, never a stack. */
export function ErrorMessage({ error, prefix }: { error: unknown; prefix?: string }) {
  if (!error) return null;
  return (
    <div className="error-message" role="alert">
      {prefix ? `${prefix}: ` : ''}
      {errorText(error)}
    </div>
  );
}
