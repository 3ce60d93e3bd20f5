// Form pieces in the GOV.UK / KERN shape, shared by every portal area (public pages, catalogue editor, KPI
// editor, participation, reports, administration): one field component renders label, hint, error and input
// and wires aria-describedby once; the error summary links to each field with an error.
import type { ComponentChildren } from 'preact';
import type { Messages } from '../i18n/index.ts';

export interface FormFieldProps {
  id: string;
  name: string;
  label: string;
  hint?: string;
  error?: string;
  value?: string;
  type?: 'text' | 'email' | 'password' | 'textarea' | 'select' | 'datetime-local' | 'file';
  /** The file types a file field offers (its accept attribute). */
  accept?: string;
  inputmode?: 'decimal' | 'numeric';
  /** The choices of a select. */
  options?: Array<{ value: string; label: string }>;
  required?: boolean;
  autocomplete?: string;
  maxLength?: number;
  /** Rows of a text area (6 unless given). */
  rows?: number;
  /** Shown after the label of a field that is not required ("optional"); nothing when absent. */
  optionalText?: string;
  /** Read before the error by screen readers ("Fehler:"). */
  errorPrefix: string;
}

export function FormField(p: FormFieldProps) {
  const hintId = p.hint ? `${p.id}-hint` : undefined;
  const errId = p.error ? `${p.id}-error` : undefined;
  const describedBy = [hintId, errId].filter(Boolean).join(' ') || undefined;
  const cls = `${p.type === 'select' ? 'kern-form-input__select' : 'kern-form-input__input'}${p.error ? ' kern-form-input__input--error' : ''}`;
  const common = {
    id: p.id, name: p.name, class: cls, 'aria-describedby': describedBy, 'aria-invalid': p.error ? ('true' as const) : undefined,
    required: p.required || undefined, autocomplete: p.autocomplete, maxLength: p.maxLength,
  };
  return (
    <div class={`kern-form-input${p.error ? ' kern-form-input--error' : ''}`}>
      <label class="kern-label" for={p.id}>
        {p.label}
        {!p.required && p.optionalText && <span class="kern-label__optional"> {p.optionalText}</span>}
      </label>
      {p.hint && <div class="kern-hint" id={hintId}>{p.hint}</div>}
      {p.error && <p class="kern-error" id={errId} role="alert"><span class="kern-sr-only">{p.errorPrefix} </span>{p.error}</p>}
      {p.type === 'textarea' ? <textarea {...common} rows={p.rows ?? 6}>{p.value ?? ''}</textarea>
        : p.type === 'select' ? (
          <div class="kern-form-input__select-wrapper">
            <select {...common}>{(p.options ?? []).map((o) => <option value={o.value} selected={o.value === (p.value ?? '')}>{o.label}</option>)}</select>
          </div>
        )
        // A password is never sent back into the page.
        : p.type === 'password' ? <input {...common} type="password" value="" />
        : p.type === 'email' ? <input {...common} type="email" value={p.value ?? ''} />
        : p.type === 'datetime-local' ? <input {...common} type="datetime-local" value={p.value ?? ''} />
        // A file is never sent back into the page either (browsers do not allow it).
        : p.type === 'file' ? <input {...common} type="file" accept={p.accept} />
        : <input {...common} type="text" inputMode={p.inputmode} value={p.value ?? ''} />}
    </div>
  );
}

/** FormField with the public portal's messages for "optional" and the error prefix. */
export function Field(p: Omit<FormFieldProps, 'optionalText' | 'errorPrefix'> & { t: Messages }) {
  const { t, ...rest } = p;
  return <FormField {...rest} optionalText={t.feedback.optional} errorPrefix={t.feedback.errorPrefix} />;
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

/** The hidden CSRF field of a form that posts. */
export function Csrf({ token }: { token: string }) {
  return <input type="hidden" name="_csrf" value={token} />;
}

/** A form's submit button. */
export function SubmitButton({ children, secondary }: { children: ComponentChildren; secondary?: boolean }) {
  return <button class={`kern-btn ${secondary ? 'kern-btn--secondary' : 'kern-btn--primary'}`} type="submit"><span class="kern-label">{children}</span></button>;
}
