// Form pieces of the account and administration pages, in the shape of the portal's Field (label,
// hint, error and input in one component, aria-describedby wired once): inputs of every type the
// pages need, selects, checkboxes, the hidden CSRF field, one-button forms and notices.
import type { ComponentChildren } from 'preact';
import { Csrf, FormField, type FormFieldProps } from '../components/field.tsx';
import type { AdminMessages } from '../i18n/admin.index.ts';

export { Csrf };

/** FormField with the administration's messages for "optional" and the error prefix. */
export function Input(p: Omit<FormFieldProps, 'optionalText' | 'errorPrefix' | 'type' | 'options'> & { type?: 'text' | 'email' | 'password' | 'textarea'; a: AdminMessages }) {
  const { a, ...rest } = p;
  return <FormField {...rest} optionalText={a.common.optional} errorPrefix={a.common.errorPrefix} />;
}

function describedBy(id: string, hint?: string, error?: string): string | undefined {
  return [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
}

function Label({ id, label, required, a }: { id: string; label: string; required?: boolean; a: AdminMessages }) {
  return (
    <label class="kern-label" for={id}>
      {label}
      {!required && <span class="kern-label__optional"> {a.common.optional}</span>}
    </label>
  );
}

function HintAndError({ id, hint, error, a }: { id: string; hint?: string; error?: string; a: AdminMessages }) {
  return (
    <>
      {hint && <div class="kern-hint" id={`${id}-hint`}>{hint}</div>}
      {error && <p class="kern-error" id={`${id}-error`} role="alert"><span class="kern-sr-only">{a.common.errorPrefix} </span>{error}</p>}
    </>
  );
}

export function Select(p: { id: string; name: string; label: string; hint?: string; error?: string; value?: string; required?: boolean; options: Array<[string, string]>; a: AdminMessages }) {
  return (
    <div class={`kern-form-input${p.error ? ' kern-form-input--error' : ''}`}>
      <Label id={p.id} label={p.label} required={p.required} a={p.a} />
      <HintAndError id={p.id} hint={p.hint} error={p.error} a={p.a} />
      <div class="kern-form-input__select-wrapper">
        <select id={p.id} name={p.name} class={`kern-form-input__select${p.error ? ' kern-form-input__select--error' : ''}`}
          aria-describedby={describedBy(p.id, p.hint, p.error)} aria-invalid={p.error ? 'true' : undefined} required={p.required || undefined}>
          {p.options.map(([v, l]) => <option value={v} selected={v === p.value}>{l}</option>)}
        </select>
      </div>
    </div>
  );
}

export function Check(p: { id: string; name: string; label: string; checked?: boolean; value?: string }) {
  return (
    <div class="kern-form-check">
      <input class="kern-form-check__checkbox" type="checkbox" id={p.id} name={p.name} value={p.value ?? 'on'} checked={p.checked} />
      <label class="kern-label" for={p.id}>{p.label}</label>
    </div>
  );
}


/** A form of one button (revoke, delete, end session): posts `fields` with the CSRF token. */
export function ActionButton(p: { action: string; csrf: string; fields?: Record<string, string>; label: string; ariaLabel?: string; variant?: 'primary' | 'secondary' | 'tertiary' }) {
  return (
    <form class="admin-inline" method="post" action={p.action}>
      <Csrf token={p.csrf} />
      {Object.entries(p.fields ?? {}).map(([k, v]) => <input type="hidden" name={k} value={v} />)}
      <button class={`kern-btn kern-btn--${p.variant ?? 'secondary'} kern-btn--x-small`} type="submit" aria-label={p.ariaLabel}><span class="kern-label">{p.label}</span></button>
    </form>
  );
}

export function Submit({ label }: { label: string }) {
  return <button class="kern-btn kern-btn--primary" type="submit"><span class="kern-label">{label}</span></button>;
}

export function Notice({ kind = 'success', title, children }: { kind?: 'success' | 'info' | 'danger' | 'warning'; title?: string; children: ComponentChildren }) {
  return (
    <div class={`kern-alert kern-alert--${kind}`} role={kind === 'danger' ? 'alert' : 'status'}>
      {title && <div class="kern-alert__header"><span class="kern-title">{title}</span></div>}
      <div class="kern-alert__body"><div class="kern-body">{children}</div></div>
    </div>
  );
}

export interface FormState<K extends string = string> {
  values: Partial<Record<K, string>>;
  errors: Partial<Record<K, string>>;
}

/** The error summary's entries in the order of the form's fields; ids are `<prefix>-<field>`. */
export function summary<K extends string>(prefix: string, order: readonly K[], errors: Partial<Record<K, string>>): Array<{ field: string; message: string }> {
  return order.filter((k) => errors[k]).map((k) => ({ field: `${prefix}-${k.replace(/\./g, '-')}`, message: errors[k]! }));
}
