// Small pieces every view uses: badges, error boxes, fields and modal dialogs (a settings
// dialog's form among them).

import type { ComponentChildren } from "preact";
import { useEffect, useRef } from "preact/hooks";
import type { OmlinkError } from "../api";
import { badgeFor, type BadgeState } from "../lib/badge";
import { errorBadge } from "../lib/fleet";
import { confirmation } from "../state";

export function Badge({ state, at }: { state: BadgeState; at?: Date | null }) {
  const b = badgeFor(state);
  return (
    <span class={`badge ${b.tone}`} title={b.title} data-badge={b.tone}>
      <span class="badge-label">{b.label}</span>
      {at ? <span class="badge-time"> · checked {at.toLocaleTimeString()}</span> : null}
    </span>
  );
}

/** The 409 on unlink, said plainly. */
function plainWords(e: OmlinkError): string | null {
  if (e.errorCode === "CANNOT_DELETE_ORG_LINK_WITH_RUNNING_LIVE_EXPORT") {
    const projects = e.parameters.map(String).join(", ");
    return `A live migration from this organization is still running${projects ? ` (project ${projects})` : ""}. Ops Manager keeps the link until that migration finishes or is cancelled in Atlas; then you can unlink.`;
  }
  return null;
}

/** An error with its hint; `retry` adds a "Try again" button (for a locked keychain). */
export function ErrorBox({ error, retry }: { error: OmlinkError; retry?: () => void }) {
  const plain = plainWords(error);
  return (
    <div class="error-box" role="alert" data-error-kind={error.kind}>
      <div>
        <Badge state={errorBadge(error)} /> <strong class="error-message">{error.message}</strong>
      </div>
      {plain ? <p class="plain">{plain}</p> : null}
      {error.errorCode || error.httpStatus ? (
        <p class="server">
          Server: {error.httpStatus ? `HTTP ${error.httpStatus}` : ""}
          {error.errorCode ? ` · ${error.errorCode}` : ""}
        </p>
      ) : null}
      {error.hint && !plain ? <p class="hint">What to do: {error.hint}</p> : null}
      {retry ? (
        <button class="retry" type="button" onClick={retry}>
          Try again
        </button>
      ) : null}
    </div>
  );
}

/** A labelled control; the label names it for assistive technology. */
export function Field({ label, note, noteId, children }: { label: string; note?: ComponentChildren; noteId?: string; children: ComponentChildren }) {
  return (
    <label class="field">
      <span class="field-label">{label}</span>
      {children}
      {note !== undefined ? (
        <span class="field-note" id={noteId}>
          {note}
        </span>
      ) : null}
    </label>
  );
}

/** A `<select>`'s options, one per organization or connection: its name, valued by its id. */
export function Options({ items }: { items: ReadonlyArray<{ id: string; name: string }> }) {
  return (
    <>
      {items.map((o) => (
        <option key={o.id} value={o.id}>
          {o.name}
        </option>
      ))}
    </>
  );
}

/** A section's one action: reload what it shows, disabled while it loads. */
export function ReloadActions({ id, label, loading, reload }: { id: string; label: string; loading: boolean; reload: () => void }) {
  return (
    <div class="actions">
      <button type="button" id={id} disabled={loading} onClick={reload}>
        {label}
      </button>
    </div>
  );
}

/** A modal `<dialog>`: opened on mount, Escape (the dialog's own cancel) or `onClose` closes it. */
export function Modal({ id, label, onClose, children, wide }: { id: string; label: string; onClose: () => void; children: ComponentChildren; wide?: boolean }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
    return () => {
      if (d?.open) d.close();
    };
  }, []);
  return (
    <dialog
      ref={ref}
      id={id}
      class={wide ? "wide" : ""}
      aria-label={label}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
    >
      {children}
    </dialog>
  );
}

/** A settings dialog around one form: Enter or its submit button calls `onSubmit`; `error`
 * shows in `#errorId` below the fields (with "Try again" for a locked keychain), `actions` in the
 * row of buttons under it. */
/** A labelled text field for ids, names and paths (or, with `type="password"`, a password that is
 * sent once and kept nowhere): no autocomplete, no spell check. */
export function TextField({
  id,
  label,
  value,
  onInput,
  note,
  placeholder,
  type,
}: {
  id: string;
  label: string;
  value: string;
  onInput: (value: string) => void;
  note?: ComponentChildren;
  placeholder?: string;
  type?: "password";
}) {
  return (
    <Field label={label} note={note}>
      <input id={id} type={type} value={value} placeholder={placeholder} spellcheck={false} autocomplete="off" onInput={(e) => onInput(e.currentTarget.value)} />
    </Field>
  );
}

/** A labelled choice among fixed values, each with the words shown for it. */
export function SelectField<T extends string>({
  id,
  label,
  value,
  choices,
  onChange,
}: {
  id: string;
  label: string;
  value: T;
  choices: [T, string][];
  onChange: (value: T) => void;
}) {
  return (
    <Field label={label}>
      <select id={id} value={value} onChange={(e) => onChange(e.currentTarget.value as T)}>
        {choices.map(([v, words]) => (
          <option key={v} value={v}>
            {words}
          </option>
        ))}
      </select>
    </Field>
  );
}

/** A dialog's closing row: its own buttons, a spacer, then Close. */
function DialogActions({ closeId, onClose, children }: { closeId: string; onClose: () => void; children: ComponentChildren }) {
  return (
    <div class="dialog-actions">
      {children}
      <span class="spacer" />
      <button type="button" id={closeId} onClick={onClose}>
        Close
      </button>
    </div>
  );
}

/** A built-in (sandbox) record's dialog: what it is, its error, its buttons; nothing to edit. */
export function InfoDialog({
  id,
  label,
  title,
  onClose,
  closeId,
  actions,
  children,
}: {
  id: string;
  label: string;
  title: string;
  onClose: () => void;
  closeId: string;
  actions: ComponentChildren;
  children: ComponentChildren;
}) {
  return (
    <Modal id={id} label={label} onClose={onClose}>
      <h2>{title}</h2>
      {children}
      <DialogActions closeId={closeId} onClose={onClose}>
        {actions}
      </DialogActions>
    </Modal>
  );
}

/** A record's settings form: fields, its error (a keychain error offers a retry), then Save, the
 * record's own buttons and Close. */
export function FormDialog({
  id,
  formId,
  label,
  title,
  onClose,
  onSubmit,
  errorId,
  error,
  submit,
  closeId,
  actions,
  children,
}: {
  id: string;
  formId: string;
  label: string;
  title: string;
  onClose: () => void;
  onSubmit: () => Promise<void>;
  errorId: string;
  error: OmlinkError | null;
  submit: { id: string; label: string; busy: boolean };
  closeId: string;
  actions: ComponentChildren;
  children: ComponentChildren;
}) {
  return (
    <Modal id={id} label={label} onClose={onClose} wide>
      <form
        id={formId}
        onSubmit={(e) => {
          e.preventDefault();
          void onSubmit();
        }}
      >
        <h2>{title}</h2>
        {children}
        <div id={errorId}>{error ? <ErrorBox error={error} retry={error.kind === "Keychain" ? () => void onSubmit() : undefined} /> : null}</div>
        <DialogActions closeId={closeId} onClose={onClose}>
          <button type="submit" id={submit.id} class="primary" disabled={submit.busy}>
            {submit.label}
          </button>
          {actions}
        </DialogActions>
      </form>
    </Modal>
  );
}

/** The window's confirmation, above any other dialog. */
export function ConfirmDialog() {
  const c = confirmation.value;
  if (!c) return null;
  const answer = (ok: boolean) => {
    confirmation.value = null;
    c.resolve(ok);
  };
  return (
    <Modal id="confirm" label="Confirm" onClose={() => answer(false)}>
      <p id="confirm-text">{c.text}</p>
      <div class="dialog-actions">
        <button type="button" id="confirm-no" onClick={() => answer(false)}>
          Cancel
        </button>
        <button type="button" id="confirm-yes" class="danger" onClick={() => answer(true)}>
          {c.yes}
        </button>
      </div>
    </Modal>
  );
}
