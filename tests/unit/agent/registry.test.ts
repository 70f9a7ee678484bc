import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { nextLink, parseChallenge, RegistryClient, registryBaseUrl } from "@/lib/agent/registry";
import { parseRegistryCredentials } from "@/lib/agent/config";

const servers: http.Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

/**
 * Distribution 2.8 (Debian's docker-registry) neither paginates tags/list nor speaks Basic auth without bcrypt
 * htpasswd files, so these two protocol paths are exercised against a loopback server that follows the spec.
 */
async function serve(handler: http.RequestListener): Promise<string> {
  const server = http.createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe("RegistryClient", () => {
  it("follows Link pagination (?n=&last=) to the end", async () => {
    const all = Array.from({ length: 7 }, (_, i) => `1.${i}.0`);
    const seen: string[] = [];
    const host = await serve((req, res) => {
      seen.push(req.url ?? "");
      const url = new URL(req.url ?? "", "http://x");
      const n = Number(url.searchParams.get("n"));
      const last = url.searchParams.get("last");
      const start = last ? all.indexOf(last) + 1 : 0;
      const page = all.slice(start, start + n);
      const headers: Record<string, string> = { "Content-Type": "application/json" };
      if (start + n < all.length)
        headers.Link = `</v2/team/app/tags/list?n=${n}&last=${page[page.length - 1]}>; rel="next"`;
      res.writeHead(200, headers).end(JSON.stringify({ name: "team/app", tags: page }));
    });
    const tags = await new RegistryClient({ pageSize: 3 }).listTags(host, "team/app");
    expect(tags).toEqual(all);
    expect(seen).toEqual([
      "/v2/team/app/tags/list?n=3",
      "/v2/team/app/tags/list?n=3&last=1.2.0",
      "/v2/team/app/tags/list?n=3&last=1.5.0",
    ]);
  });

  it("answers a Basic challenge with the registry's credentials, and reports refusal without them", async () => {
    const host = await serve((req, res) => {
      if (req.headers.authorization !== `Basic ${Buffer.from("bot:pw").toString("base64")}`) {
        res.writeHead(401, { "WWW-Authenticate": 'Basic realm="registry"' }).end();
        return;
      }
      res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify({ name: "a", tags: ["1.0.0"] }));
    });
    expect(
      await new RegistryClient({ credentials: { [host]: { username: "bot", password: "pw" } } }).listTags(host, "a"),
    ).toEqual(["1.0.0"]);
    await expect(new RegistryClient().listTags(host, "a")).rejects.toMatchObject({ code: "REGISTRY_AUTH_FAILED" });
  });

  it("bounds what one listing may hold: tag count, page size, and only valid OCI tags", async () => {
    let tags: unknown[] = [];
    const host = await serve((_req, res) => {
      res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify({ name: "a", tags }));
    });
    tags = ["1.0.0", `${"a".repeat(34)}!`, "x".repeat(129), 7, "2.0.0"];
    expect(await new RegistryClient().listTags(host, "a")).toEqual(["1.0.0", "2.0.0"]);

    tags = Array.from({ length: 11 }, (_, i) => `1.${i}.0`);
    expect(await new RegistryClient({ maxTags: 11 }).listTags(host, "a")).toHaveLength(11);
    await expect(new RegistryClient({ maxTags: 10 }).listTags(host, "a")).rejects.toMatchObject({
      code: "REGISTRY_FAILED",
      message: expect.stringContaining("more than 10 tags") as string,
    });
    await expect(new RegistryClient({ maxPageBytes: 100 }).listTags(host, "a")).rejects.toMatchObject({
      code: "REGISTRY_FAILED",
      message: expect.stringContaining("larger than 100 bytes") as string,
    });
  });

  it("reports an unreachable registry as transient", async () => {
    const error = await new RegistryClient({ timeoutMs: 2000 }).listTags("127.0.0.1:1", "a").catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "REGISTRY_UNREACHABLE", transient: true });
  });

  it("parses challenges and links, and uses http only for loopback registries", () => {
    expect(
      parseChallenge(
        'Bearer realm="https://auth.example.com/token",service="registry.example.com",scope="repository:a/b:pull"',
      ),
    ).toEqual({
      scheme: "bearer",
      params: {
        realm: "https://auth.example.com/token",
        service: "registry.example.com",
        scope: "repository:a/b:pull",
      },
    });
    expect(nextLink('</v2/a/tags/list?n=2&last=b>; rel="next"', "https://r.example.com/v2/a/tags/list?n=2")).toBe(
      "https://r.example.com/v2/a/tags/list?n=2&last=b",
    );
    expect(nextLink(null, "https://x")).toBeUndefined();
    expect(registryBaseUrl("127.0.0.1:5000")).toBe("http://127.0.0.1:5000");
    expect(registryBaseUrl("localhost:5000")).toBe("http://localhost:5000");
    expect(registryBaseUrl("ghcr.io")).toBe("https://ghcr.io");
    expect(registryBaseUrl("docker.io")).toBe("https://registry-1.docker.io");
  });

  it("reads registry credentials from docker config.json and plain maps", () => {
    const docker = JSON.stringify({
      auths: {
        "https://ghcr.io": { auth: Buffer.from("u:p:w").toString("base64") },
        "r.example.com": { registrytoken: "t" },
      },
    });
    expect(parseRegistryCredentials(docker)).toEqual({
      "ghcr.io": { username: "u", password: "p:w" },
      "r.example.com": { token: "t" },
    });
    expect(parseRegistryCredentials(JSON.stringify({ "127.0.0.1:5000": { username: "a", password: "b" } }))).toEqual({
      "127.0.0.1:5000": { username: "a", password: "b" },
    });
  });
});
