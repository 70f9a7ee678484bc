const DEFAULT_PORTS: Record<string, string> = { "https:": "443", "http:": "80", "ssh:": "22", "git:": "9418" };

/**
 * The one comparable form of a repository URL, stored in the `repoKey` columns and used by webhooks, push bindings
 * and pull registrations alike: `https://GitHub.com/Acme/App.git`, `git@github.com:acme/app.git`,
 * `ssh://git@github.com:22/acme/app` and `github.com/acme/app/` all become `github.com/acme/app`. Scheme,
 * credentials, default ports, `.git` and trailing slashes are dropped and host and path are lower-cased: the forges
 * webhooks come from (GitHub, GitLab, Bitbucket, Gitea) treat owner and repository names case-insensitively and send
 * whichever spelling the repository was created with, and push bindings have always matched that way. A wider match
 * costs nothing, since a delivery acts only on bindings whose own secret verifies it. `file://` paths keep their case
 * (`file:/path`): they are directories, and two of them may differ only in case. Pure.
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
  if (host !== "file:") path = path.toLowerCase();
  return `${host}${path.startsWith("/") ? "" : "/"}${path}`;
}

/**
 * A repository's name as people say it: the URL's last path segment without `.git` (`git@host:acme/shop.git` →
 * `shop`). Removing a push binding or a pull registration asks to type it, since it says which repository goes; a
 * branch name like "main" is the same for most of them. Pure, and safe in the browser.
 */
export function repositoryName(url: string): string {
  const path = url.replace(/[?#].*$/, "").replace(/\/+$/, "");
  const last = path.slice(Math.max(path.lastIndexOf("/"), path.lastIndexOf(":")) + 1).replace(/\.git$/, "");
  return last || url;
}
