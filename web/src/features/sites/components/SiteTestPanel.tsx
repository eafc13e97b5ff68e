import type { SiteTestResult } from '../../../../../contract/index.js';
import { Button } from '../../../components/Button.js';
import { errorText } from '../../../lib/api.js';
import type { HintAction, TestHint } from '../model/testHints.js';

export function SiteTestPanel({
  result,
  error,
  pending,
  hint,
  onHintAction,
}: {
  result?: SiteTestResult | undefined;
  error: unknown;
  pending: boolean;
  hint: TestHint | null;
  onHintAction: (action: HintAction) => void;
}) {
  if (pending) {
    return (
      <section className="site-test" aria-label="Connection test" aria-busy="true">
        <p className="muted">Connecting and logging in…</p>
      </section>
    );
  }
  if (error) {
    return (
      <section className="site-test" aria-label="Connection test">
        <p className="test-verdict test-failed" role="alert">
          ✕ {errorText(error)}
        </p>
      </section>
    );
  }
  if (!result) return null;
  return (
    <section className="site-test" aria-label="Connection test">
      {result.ok ? (
        <p className="test-verdict test-ok" role="status">
          ✓ Connection OK{result.loginMs !== undefined ? ` — logged in in ${Math.round(result.loginMs)} ms` : ''}
        </p>
      ) : (
        <p className="test-verdict test-failed" role="alert">
          ✕ Connection failed{result.error ? `: ${result.error.message}` : ''}
        </p>
      )}
      {!result.ok && result.error && <small className="error-code">code: {result.error.code}</small>}
      {hint && (
        <div className="test-hint">
          <p>{hint.text}</p>
          {hint.action && <Button onClick={() => onHintAction(hint.action!.kind)}>{hint.action.label}</Button>}
        </div>
      )}
      {result.greeting && (
        <div className="test-block">
          <h3>Greeting</h3>
          <pre className="mono">{result.greeting}</pre>
        </div>
      )}
      {result.features.length > 0 && (
        <div className="test-block">
          <h3>Features ({result.features.length})</h3>
          <ul className="chips" aria-label="Features">
            {result.features.map((feature) => (
              <li key={feature} className="chip mono">
                {feature}
              </li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}
