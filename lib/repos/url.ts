/**
 * Hosts whose owner and repository names are case-insensitive: `github.com/Acme/App` and `github.com/acme/app` are
 * one repository there (the forge redirects either spelling), so their keys fold the path. Elsewhere a path may be a
 * directory on a case-sensitive file system (plain `git http-backend`, `file://`), so its case is kept rather than
 * risk merging two different repositories.
 */
const CASE_INSENSITIVE_HOSTS = new Set(["github.com", "gitlab.com", "bitbucket.org"]);

const DEFAULT_PORTS: Record<string, string> = { "https:": "443", "http:": "80", "ssh:": "22", "git:": "9418" };

/**
 * The one comparable form of a repository URL, stored in the `repoKey` columns and used by webhooks, push bindings
 * and pull registrations alike: `https://GitHub.com/Acme/App.git`, `git@github.com:acme/app.git`,
 * `ssh://git@github.com:22/acme/app` and `github.com/acme/app/` all become `github.com/acme/app`. Scheme,
 * credentials, default ports, `.git` and trailing slashes are dropped, the host is lower-cased, and the path is
 * case-folded only on CASE_INSENSITIVE_HOSTS. `file://` URLs keep their path as `file:/path`. Pure.
 */
export function repoKey(url: string): string {
  let v = url.trim();
  // scp-like SSH syntax, `[user@]host:path`, is `ssh://host/path`.
  const scp = /^(?:[^@/\s]+@)?([^:/\s]+):(?!\/\/)(.+)$/.exec(v);
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(v)) v = scp ? `ssh://${scp[1]}/${scp[2]!.replace(/^\/+/, "")}` : `https://${v}`;
  let host: string;
  let path: string;
  try {
    const u = new URL(v);
    if (u.protocol === "file:") {
      host = "file:";
      path = decodeURIComponent(u.pathname);
    } else {
      host = u.hostname.toLowerCase();
      if (u.port && DEFAULT_PORTS[u.protocol] !== u.port) host += `:${u.port}`;
      path = decodeURIComponent(u.pathname);
    }
  } catch {
    // Not a URL: compare the text as given.
    host = "";
    path = url.trim();
  }
  path = path
    .replace(/\/+$/, "")
    .replace(/\.git$/i, "")
    .replace(/\/+$/, "");
  if (CASE_INSENSITIVE_HOSTS.has(host)) path = path.toLowerCase();
  return `${host}${path.startsWith("/") ? "" : "/"}${path}`;
}
