// The settings every connection has, a profile's as an Atlas connection's: the server's URL,
// the timeout, an extra CA file (typed or browsed for) and the TLS verification switch.

import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";
import type { OmlinkError } from "../../api";
import { chooseCaFile } from "../../actions";
import { DEFAULT_TIMEOUT_SECS, MAX_TIMEOUT_SECS, MIN_TIMEOUT_SECS } from "../../bindings/constants";
import type { TlsOptions } from "../../bindings/TlsOptions";
import { Field } from "../common";

/** The timeout and TLS settings as typed, starting from the saved ones (or the defaults). */
export function useTransport(saved: { tls: TlsOptions; timeoutSecs: number } | null) {
  const [caFile, setCaFile] = useState(saved?.tls.caFile ?? "");
  const [skipVerify, setSkipVerify] = useState(saved?.tls.skipVerify ?? false);
  const [timeout, setTimeoutSecs] = useState(String(saved?.timeoutSecs ?? DEFAULT_TIMEOUT_SECS));
  return {
    caFile,
    setCaFile,
    skipVerify,
    setSkipVerify,
    timeout,
    setTimeoutSecs,
    /** Whether the TLS settings differ from `tls` (a saved secret is bound to them). */
    tlsChanged: (tls: TlsOptions): boolean => (caFile.trim() || null) !== (tls.caFile ?? null) || skipVerify !== tls.skipVerify,
    /** The draft's part, as the core takes it. */
    draft: { caFile: caFile.trim() === "" ? null : caFile.trim(), skipVerify, timeoutSecs: Number(timeout) || 0 },
  };
}
export type Transport = ReturnType<typeof useTransport>;

export function UrlField({
  id,
  label,
  noteId,
  note,
  placeholder,
  value,
  disabled,
  onInput,
}: {
  id: string;
  label: string;
  noteId: string;
  note: ComponentChildren;
  placeholder: string;
  value: string;
  disabled?: boolean;
  onInput: (value: string) => void;
}) {
  return (
    <Field label={label} note={note} noteId={noteId}>
      <input
        id={id}
        type="url"
        placeholder={placeholder}
        value={value}
        disabled={disabled}
        autocomplete="off"
        spellcheck={false}
        onInput={(e) => onInput(e.currentTarget.value)}
      />
    </Field>
  );
}

/** The timeout, the extra CA file with its Browse button, and Skip TLS certificate verification
 * with its warning; `peer` is who could be impersonated without it. A failed Browse goes to
 * `onError`. */
export function ConnectionFields({
  transport,
  idPrefix,
  peer,
  onError,
}: {
  transport: Transport;
  /** The fields' ids are `{idPrefix}-timeout`, `-ca-file`, `-skip-verify` and `-skip-warning`. */
  idPrefix: string;
  peer: string;
  onError: (e: OmlinkError) => void;
}) {
  const t = transport;
  const browse = async () => {
    try {
      const picked = await chooseCaFile();
      if (picked) t.setCaFile(picked);
    } catch (e) {
      onError(e as OmlinkError);
    }
  };
  return (
    <>
      <Field label="Timeout (seconds)">
        <input
          id={`${idPrefix}-timeout`}
          type="number"
          min={MIN_TIMEOUT_SECS}
          max={MAX_TIMEOUT_SECS}
          value={t.timeout}
          onInput={(e) => t.setTimeoutSecs(e.currentTarget.value)}
        />
      </Field>
      <Field label="Extra CA file" note="Trusted in addition to the system's certificates.">
        <span class="inline">
          <input
            id={`${idPrefix}-ca-file`}
            value={t.caFile}
            placeholder="Optional: PEM file of extra CA certificates"
            spellcheck={false}
            onInput={(e) => t.setCaFile(e.currentTarget.value)}
          />
          <button type="button" onClick={() => void browse()}>
            Browse…
          </button>
        </span>
      </Field>
      <div>
        <label class="checkbox">
          <input id={`${idPrefix}-skip-verify`} type="checkbox" checked={t.skipVerify} onChange={(e) => t.setSkipVerify(e.currentTarget.checked)} /> Skip TLS
          certificate verification
        </label>
        {t.skipVerify ? (
          <span class="warning-text" id={`${idPrefix}-skip-warning`}>
            {`Certificate verification is OFF: anyone on the network path can impersonate ${peer}. Use only in a lab.`}
          </span>
        ) : null}
      </div>
    </>
  );
}
