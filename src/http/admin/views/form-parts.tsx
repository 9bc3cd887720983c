import type { Child } from 'hono/jsx';

export const CsrfField = ({ token }: { token: string }) => <input type="hidden" name="_csrf" value={token} />;

/** A one-button form for a destructive action, confirmed in the browser before it is posted. */
export const DangerAction = ({ action, confirm, csrf, label }: { action: string; confirm: string; csrf: string; label: string }) => (
  <form method="post" action={action} data-confirm={confirm}>
    <CsrfField token={csrf} />
    <button type="submit" class="danger small">
      {label}
    </button>
  </form>
);

/** The reasons a form was refused, on top of it, announced to screen readers. */
export function FormErrors({ errors }: { errors: Record<string, string | undefined> }) {
  const reasons = Object.entries(errors).filter((entry): entry is [string, string] => entry[1] !== undefined);
  if (reasons.length === 0) return null;
  return (
    <div class="errors" role="alert">
      <p>Nothing was saved:</p>
      <ul>
        {reasons.map(([field, reason]) => (
          <li data-field={field}>{field === 'form' ? reason : `${field}: ${reason}`}</li>
        ))}
      </ul>
    </div>
  );
}

export function Notice({ text }: { text: string | undefined }) {
  return text ? (
    <p class="notice" role="status">
      {text}
    </p>
  ) : null;
}

interface FieldProps {
  label: string;
  name: string;
  value?: string | undefined;
  error?: string | undefined;
  type?: string;
  hint?: string;
  required?: boolean;
  autocomplete?: string;
  inputmode?: 'decimal' | 'numeric';
  children?: Child;
}

export function Field({ label, name, value, error, type = 'text', hint, required, autocomplete, inputmode }: FieldProps) {
  return (
    <label class={error ? 'field invalid' : 'field'}>
      <span>{label}</span>
      <input type={type} name={name} value={value ?? ''} required={required} autocomplete={autocomplete} inputmode={inputmode} aria-invalid={error ? 'true' : undefined} />
      {hint && <small>{hint}</small>}
      {error && <small class="error">{error}</small>}
    </label>
  );
}

/** A choice among `options` (value, label); the first is usually the configured default (value ''). */
export function Select({ label, name, value, error, hint, options }: FieldProps & { options: readonly (readonly [string, string])[] }) {
  return (
    <label class={error ? 'field invalid' : 'field'}>
      <span>{label}</span>
      <select name={name} aria-invalid={error ? 'true' : undefined}>
        {options.map(([option, text]) => (
          <option value={option} selected={option === (value ?? '')}>
            {text}
          </option>
        ))}
      </select>
      {hint && <small>{hint}</small>}
      {error && <small class="error">{error}</small>}
    </label>
  );
}

export function TextArea({ label, name, value, error, hint, rows = 4 }: FieldProps & { rows?: number }) {
  return (
    <label class={error ? 'field invalid' : 'field'}>
      <span>{label}</span>
      <textarea name={name} rows={rows} aria-invalid={error ? 'true' : undefined}>
        {value ?? ''}
      </textarea>
      {hint && <small>{hint}</small>}
      {error && <small class="error">{error}</small>}
    </label>
  );
}
