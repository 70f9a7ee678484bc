// Plain Node (no server-only): lib/db/migrate.ts names migrated pull applications with these rules too.

/** The longest DNS label, and so the longest application name. */
export const APPLICATION_NAME_MAX = 63;

/** `text` as a DNS label: lower case, every run of other characters one hyphen, no hyphen at either end; "" if nothing is left. */
export function toDnsLabel(text: string, max = APPLICATION_NAME_MAX): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .slice(0, max)
    .replace(/^-+|-+$/g, "");
}

/**
 * A pull application's suggested name: the repository URL's last segment (without `.git`), then the path inside it
 * when it is not the root — `https://git.example/org/shop.git` + `deploy/prod` → `shop-deploy-prod`.
 */
export function repoApplicationName(url: string, path: string): string {
  const segment =
    url
      .replace(/[?#].*$/, "")
      .replace(/\/+$/, "")
      .split(/[/:]/)
      .pop()
      ?.replace(/\.git$/i, "") ?? "";
  const inner = path && path !== "." ? path.replace(/^\.?\/+/, "") : "";
  return toDnsLabel([segment, inner].filter(Boolean).join("-")) || "app";
}

/** `base`, or `base-2`, `base-3`, … (shortened to stay a DNS label): the first that `taken` does not hold. */
export function uniqueName(base: string, taken: ReadonlySet<string>): string {
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) {
    const suffix = `-${n}`;
    const name = `${toDnsLabel(base, APPLICATION_NAME_MAX - suffix.length)}${suffix}`;
    if (!taken.has(name)) return name;
  }
}

/** The placeholder name the applications migration gives a pull repository's application until it is renamed. */
export function placeholderRepoApplicationName(repoId: string): string {
  return `repo-${repoId.toLowerCase()}`;
}
