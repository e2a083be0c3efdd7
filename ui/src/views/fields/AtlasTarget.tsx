// Where a token generated in Atlas goes: the Atlas organization it is made in, and the source's
// addresses for its access list. The link panel's Generate & link and the batch panel's Atlas
// mode both show them; what is picked is remembered per profile for the session.

import type { ComponentChildren } from "preact";
import { loadAtlasOrgs, setAtlasChoice } from "../../actions";
import type { Organization } from "../../bindings/Organization";
import type { Profile } from "../../bindings/Profile";
import type { ProfileId } from "../../bindings/ProfileId";
import { checkNow } from "../../lib/checks";
import { accessListText, atlasOf, atlasOrgsOf, chosenAtlasOrg } from "../../state";
import { Badge, ErrorBox, Field, Options } from "../common";

/** The Atlas organizations the profile's Atlas connection sees: why they are not listed (with
 * Try again), a badge while they load, `none` when there are none, else `children` with the
 * chosen one and the list. */
export function AtlasOrgs({
  profile,
  loadingId,
  none,
  children,
}: {
  profile: Profile;
  loadingId?: string;
  none: ComponentChildren;
  children: (chosen: Organization, list: Organization[]) => ComponentChildren;
}) {
  const a = atlasOf(profile);
  const list = atlasOrgsOf(profile);
  const chosen = chosenAtlasOrg(profile);
  if (!a) return null;
  return list?.error ? (
    <ErrorBox error={list.error} retry={() => void loadAtlasOrgs(a.connection.id, true)} />
  ) : !list?.value ? (
    <p id={loadingId} role="status">
      <Badge state={{ state: "inProgress", what: "Loading Atlas organizations…" }} />
    </p>
  ) : !chosen ? (
    <>{none}</>
  ) : (
    <>{children(chosen, list.value)}</>
  );
}

export function AtlasOrgField({
  id,
  label,
  profileId,
  chosen,
  list,
  disabled,
}: {
  id: string;
  label: string;
  profileId: ProfileId;
  chosen: Organization;
  list: Organization[];
  disabled: boolean;
}) {
  return (
    <Field label={label}>
      <select id={id} value={chosen.id} disabled={disabled} onChange={(e) => setAtlasChoice(profileId, { org: e.currentTarget.value })}>
        <Options items={list} />
      </select>
    </Field>
  );
}

/** The access list as typed this session (else as saved), its problem before `hint`. */
export function AccessListField({ id, noteId, hint, profile, disabled }: { id: string; noteId: string; hint: string; profile: Profile; disabled: boolean }) {
  const text = accessListText(profile);
  const ips = checkNow("accessList", text);
  return (
    <Field
      label="Access list (source addresses)"
      noteId={noteId}
      note={
        <>
          {ips?.ok !== false ? null : <span class="warning-text">{ips.message} </span>}
          {hint}
        </>
      }
    >
      <input
        id={id}
        value={text}
        placeholder="203.0.113.7"
        autocomplete="off"
        spellcheck={false}
        disabled={disabled}
        aria-invalid={ips?.ok !== false ? undefined : "true"}
        onInput={(e) => setAtlasChoice(profile.id, { accessList: e.currentTarget.value })}
      />
    </Field>
  );
}
