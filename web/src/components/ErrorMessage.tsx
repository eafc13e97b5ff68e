import { errorCode, errorText } from '../lib/api.js';

/**
 * A server error as the user should read it: the message in words is the alert; the code is
 * a muted details line below it, for the person who reports the problem — never a stack.
 */
export function ErrorMessage({ error, prefix, text }: { error: unknown; prefix?: string; text?: string }) {
  if (!error) return null;
  const code = errorCode(error);
  return (
    <div className="error-message">
      <p role="alert">
        {prefix ? `${prefix}: ` : ''}
        {text ?? errorText(error)}
      </p>
      {code && <small className="error-code">code: {code}</small>}
    </div>
  );
}
