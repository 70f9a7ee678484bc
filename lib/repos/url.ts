/**
 * A repository URL reduced to host and path for comparison: webhooks name the same repository as
 * `https://host/org/repo`, `https://host/org/repo.git`, `git@host:org/repo.git` or `ssh://git@host/org/repo`.
 */
export function repoUrlKey(url: string): string {
  let v = url.trim();
  const scp = /^[a-z0-9._-]+@([a-z0-9.-]+):(?!\/\/)(.+)$/i.exec(v);
  if (scp) v = `ssh://${scp[1]}/${scp[2]}`;
  let host = "";
  let path = v;
  try {
    const u = new URL(v);
    host = u.protocol === "file:" ? "file:" : u.host.toLowerCase();
    path = decodeURIComponent(u.pathname);
  } catch {
    // Not a URL: compare the text as given.
  }
  path = path
    .replace(/\/+$/, "")
    .replace(/\.git$/i, "")
    .replace(/\/+$/, "");
  return `${host}${path.startsWith("/") ? "" : "/"}${path}`;
}

export function sameRepoUrl(a: string, b: string): boolean {
  return repoUrlKey(a) === repoUrlKey(b);
}
