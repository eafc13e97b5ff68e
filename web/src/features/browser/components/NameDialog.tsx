import { useId, useState, type FormEvent } from 'react';
import { Button } from '../../../components/Button.js';
import { Dialog } from '../../../components/Dialog.js';
import { validateName } from '../model/entries.js';

export interface NameDialogProps {
  open: boolean;
  title: string;
  label: string;
  submitLabel: string;
  initial?: string;
  /** Names already in the folder: typing one of them is refused before asking the server. */
  taken: ReadonlySet<string>;
  busy?: boolean;
  onSubmit: (name: string) => void;
  onCancel: () => void;
}

export function NameDialog(props: NameDialogProps) {
  return (
    <Dialog open={props.open} title={props.title} onClose={props.onCancel} className="dialog-small">
      <NameForm {...props} />
    </Dialog>
  );
}

function NameForm({ label, submitLabel, initial = '', taken, busy, onSubmit, onCancel }: NameDialogProps) {
  const id = useId();
  const [name, setName] = useState(initial);
  const [touched, setTouched] = useState(false);
  const problem = validateName(name) ?? (name !== initial && taken.has(name) ? 'Something with that name already exists here' : null);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setTouched(true);
    if (problem || name === initial) return;
    onSubmit(name);
  };

  return (
    <form onSubmit={submit} className="name-form">
      <div className="field">
        <label htmlFor={id}>{label}</label>
        <input
          id={id}
          value={name}
          data-autofocus
          spellCheck={false}
          onFocus={(event) => {
            // Select the base name, not the extension, as file managers do on rename.
            const dot = event.target.value.lastIndexOf('.');
            event.target.setSelectionRange(0, dot > 0 ? dot : event.target.value.length);
          }}
          onChange={(event) => {
            setName(event.target.value);
            setTouched(true);
          }}
          aria-invalid={touched && problem ? true : undefined}
          aria-describedby={touched && problem ? `${id}-error` : undefined}
        />
        {touched && problem && (
          <span id={`${id}-error`} className="field-error">
            {problem}
          </span>
        )}
      </div>
      <div className="form-actions">
        <span className="spacer" />
        <Button onClick={onCancel}>Cancel</Button>
        <Button type="submit" variant="primary" disabled={busy || Boolean(problem) || name === initial}>
          {submitLabel}
        </Button>
      </div>
    </form>
  );
}
