// Form pieces in the GOV.UK / KERN shape: one field component renders label, hint, error and input
// and wires aria-describedby once; the error summary links to each field with an error.
import type { Messages } from '../i18n/index.ts';

export interface FieldProps {
  id: string;
  name: string;
  label: string;
  hint?: string;
  error?: string;
  value?: string;
  type?: 'text' | 'email' | 'textarea';
  required?: boolean;
  autocomplete?: string;
  maxLength?: number;
  t: Messages;
}

export function Field(p: FieldProps) {
  const hintId = p.hint ? `${p.id}-hint` : undefined;
  const errId = p.error ? `${p.id}-error` : undefined;
  const describedBy = [hintId, errId].filter(Boolean).join(' ') || undefined;
  const cls = `kern-form-input__input${p.error ? ' kern-form-input__input--error' : ''}`;
  const common = {
    id: p.id, name: p.name, class: cls, 'aria-describedby': describedBy, 'aria-invalid': p.error ? ('true' as const) : undefined,
    required: p.required || undefined, autocomplete: p.autocomplete, maxLength: p.maxLength,
  };
  return (
    <div class={`kern-form-input${p.error ? ' kern-form-input--error' : ''}`}>
      <label class="kern-label" for={p.id}>
        {p.label}
        {!p.required && <span class="kern-label__optional"> {p.t.feedback.optional}</span>}
      </label>
      {p.hint && <div class="kern-hint" id={hintId}>{p.hint}</div>}
      {p.error && (
        <p class="kern-error" id={errId} role="alert">
          <span class="kern-sr-only">{p.t.feedback.errorPrefix} </span>{p.error}
        </p>
      )}
      {p.type === 'textarea'
        ? <textarea {...common} rows={6}>{p.value ?? ''}</textarea>
        : p.type === 'email' ? <input {...common} type="email" value={p.value ?? ''} /> : <input {...common} type="text" value={p.value ?? ''} />}
    </div>
  );
}

export function ErrorSummary({ title, errors }: { title: string; errors: Array<{ field: string; message: string }> }) {
  if (errors.length === 0) return null;
  return (
    <div class="error-summary" role="alert" tabindex={-1} id="fehler">
      <h2 class="kern-heading-medium">{title}</h2>
      <ul class="kern-list">
        {errors.map((e) => <li><a href={`#${e.field}`}>{e.message}</a></li>)}
      </ul>
    </div>
  );
}
