// A secret (a private key, a client secret) typed once: it goes to the keychain and is never
// shown again. The note says whether one is saved, or that saving clears the saved one.

import { Field } from "../common";

/** The note's parts have the ids `{id}-note`, `{id}-cleared` and `{id}-saved`. `bound`: the settings the saved secret is bound to changed (saving without a new secret
 * then clears it; the core does, the field says so first). */
export function SecretField({
  id,
  label,
  value,
  onInput,
  placeholder,
  saved,
  bound,
  clearedText,
  savedText,
}: {
  id: string;
  label: string;
  value: string;
  onInput: (value: string) => void;
  /** Shown while no secret is saved. */
  placeholder: string;
  saved: boolean;
  bound: boolean;
  clearedText: string;
  savedText: string;
}) {
  const clears = saved && !value.trim() && bound;
  return (
    <Field
      label={label}
      noteId={`${id}-note`}
      note={
        clears ? (
          <span class="warn" id={`${id}-cleared`}>
            {clearedText}
          </span>
        ) : saved ? (
          <span class="saved" id={`${id}-saved`}>
            {savedText}
          </span>
        ) : (
          "Stored in the OS keychain, never in a file."
        )
      }
    >
      <input
        id={id}
        type="password"
        autocomplete="off"
        value={value}
        placeholder={saved ? "Saved in the keychain — type to replace" : placeholder}
        onInput={(e) => onInput(e.currentTarget.value)}
      />
    </Field>
  );
}
