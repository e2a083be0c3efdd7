// How linking works, folded away until asked for.

export function Help() {
  return (
    <details class="help" id="help">
      <summary>How linking works</summary>
      <ol>
        <li>
          In Atlas, open Organization Settings → Live Migration and generate a link token. Atlas shows it <strong>once</strong>: copy it straight into omlink.
        </li>
        <li>
          Use <strong>one token per Ops Manager organization</strong>. The same token serves every migration of that organization, one at a time.
        </li>
        <li>For Ops Manager (not Cloud Manager), put Ops Manager's external IP address on the token's access list: Ops Manager calls Atlas with it.</li>
        <li>
          The API key needs the <strong>Organization Owner</strong> role on the organization, and this machine's IP on the key's access list.
        </li>
        <li>Then, in Atlas, pick the target cluster, the source deployment and a migration host, validate, start and cut over.</li>
        <li>
          For many organizations at once: tick them in the table (Shift+click for a range), paste or import a CSV of <code>org,token</code>, and link them all.
        </li>
      </ol>
      <p id="help-generate">
        <strong>Generate &amp; link</strong> does the Atlas side too: add an Atlas connection (side bar) with a service account, or an API key, that has
        the <strong>Organization Owner</strong> role on the Atlas organization, and choose it in the profile's settings. omlink then creates a link token in
        the chosen Atlas organization and links with it in one click; the token never shows. The access list holds the source's external address as Atlas
        sees it (Ops Manager behind NAT: its public address); Cloud Manager needs none. Afterwards the panel lists what Atlas can migrate.
      </p>
      <p class="warning-text">
        MongoDB has deprecated push live migration for sources managed by Ops Manager (deprecated for MongoDB 5.0 and earlier, unsupported for 6.0 and later
        at the time of writing); it remains supported for sources monitored by Cloud Manager. Check MongoDB's current documentation for your versions.
      </p>
      <p class="muted small">Keys: Ctrl+K (⌘K) searches the organizations; Escape closes a dialog; Enter in the search opens a single match.</p>
    </details>
  );
}
