import { Field } from '../../../components/Field.js';

/** The passphrase that seals (export) or opens (import) the passwords of a pasv sites file. */
export function PassphraseField({
  label,
  hint,
  error,
  value,
  onChange,
  autoComplete,
}: {
  label: string;
  hint: string;
  error?: string | undefined;
  value: string;
  onChange: (value: string) => void;
  autoComplete: 'new-password' | 'off';
}) {
  return (
    <Field label={label} hint={hint} error={error}>
      {(p) => (
        <input
          {...p}
          type="password"
          value={value}
          onChange={(event) => onChange(event.target.value)}
          autoComplete={autoComplete}
        />
      )}
    </Field>
  );
}
