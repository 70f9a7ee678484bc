import { generateKeyPairSync, randomBytes } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import Provider from "oidc-provider";

/** An account at the test identity provider; `groups` feeds Wharf's role mapping. */
export interface TestOidcAccount {
  sub: string;
  email: string;
  name: string;
  groups: string[];
}

export interface TestOidcProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Accounts by login name; tests may add or change accounts between sign-ins. */
  accounts: Map<string, TestOidcAccount>;
  stop(): Promise<void>;
}

/**
 * A real OpenID provider (the `oidc-provider` package) on 127.0.0.1 with one confidential client whose redirect URI
 * is Wharf's callback. Sign-in uses the package's built-in login form (devInteractions): any login name that is in
 * `accounts` signs in with any password. Consent is pre-granted for the client (a first-party client), so the
 * login form is the only page the browser sees. Claims follow the spec strictly (`conformIdTokenClaims`): email
 * and groups come from userinfo, which exercises Wharf's userinfo path.
 */
export async function startTestOidcProvider(opts: {
  redirectUri: string;
  accounts?: TestOidcAccount[];
  port?: number;
  /** Fixed when another process (the e2e Wharf) must know it in advance; random otherwise. */
  clientSecret?: string;
}): Promise<TestOidcProvider> {
  const accounts = new Map((opts.accounts ?? []).map((a) => [a.sub, a]));
  const clientId = "wharf-test";
  const clientSecret = opts.clientSecret ?? randomBytes(24).toString("base64url");
  const server = http.createServer();
  // The issuer needs the bound port, so the server listens before the provider exists. A request in between (a
  // readiness poll while key generation is slow on a busy machine) waits for the provider instead of never being
  // answered, which is what a server without a request handler does.
  let provide!: (handler: http.RequestListener) => void;
  const handler = new Promise<http.RequestListener>((resolve) => (provide = resolve));
  server.on("request", (req, res) => void handler.then((handle) => handle(req, res)));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const jwk = { ...privateKey.export({ format: "jwk" }), kid: "test", use: "sig", alg: "RS256" };

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: [opts.redirectUri],
        response_types: ["code"],
        grant_types: ["authorization_code"],
        token_endpoint_auth_method: "client_secret_basic",
      },
    ],
    jwks: { keys: [jwk] },
    cookies: { keys: [randomBytes(32).toString("hex")] },
    claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"], groups: ["groups"] },
    scopes: ["openid", "email", "profile", "groups"],
    features: { devInteractions: { enabled: true } },
    pkce: { required: () => true },
    async findAccount(_ctx: unknown, id: string) {
      const account = accounts.get(id);
      if (!account) return undefined;
      return {
        accountId: id,
        claims: async () => ({
          sub: id,
          email: account.email,
          email_verified: true,
          name: account.name,
          groups: account.groups,
        }),
      };
    },
    async loadExistingGrant(ctx: {
      oidc: { client: { clientId: string }; session: { accountId: string }; provider: InstanceType<typeof Provider> };
    }) {
      const grant = new ctx.oidc.provider.Grant({
        clientId: ctx.oidc.client.clientId,
        accountId: ctx.oidc.session.accountId,
      });
      grant.addOIDCScope("openid email profile groups");
      grant.addOIDCClaims(["email", "email_verified", "name", "groups"]);
      await grant.save();
      return grant;
    },
  });
  provide(provider.callback());
  return {
    issuer,
    clientId,
    clientSecret,
    accounts,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A minimal cookie jar for driving the provider with fetch (name=value per host, no attributes needed). */
export class CookieJar {
  private cookies = new Map<string, string>();

  store(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(";");
      const eq = pair!.indexOf("=");
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      if (/max-age=0|expires=thu, 01 jan 1970/i.test(line) || value === "") this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }
}

/**
 * Plays the browser at the provider: follows the authorization URL, submits the login form as `login`, and returns
 * the redirect back to Wharf's callback (the URL carrying code and state).
 */
export async function loginAtProvider(authorizationUrl: string, login: string): Promise<URL> {
  const jar = new CookieJar();
  let url = authorizationUrl;
  for (let hop = 0; hop < 10; hop++) {
    const res = await fetch(url, { redirect: "manual", headers: { cookie: jar.header() } });
    jar.store(res);
    const location = res.headers.get("location");
    if (res.status >= 300 && res.status < 400 && location) {
      const next = new URL(location, url);
      if (!next.href.startsWith(new URL(authorizationUrl).origin)) return next;
      url = next.href;
      continue;
    }
    const html = await res.text();
    const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
    if (res.status !== 200 || !action || !html.includes('name="login"')) {
      throw new Error(`unexpected page at the provider (${res.status}): ${html.slice(0, 300)}`);
    }
    const submit = await fetch(new URL(action.replace(/&amp;/g, "&"), url), {
      method: "POST",
      redirect: "manual",
      headers: { cookie: jar.header(), "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ prompt: "login", login, password: "any" }).toString(),
    });
    jar.store(submit);
    const back = submit.headers.get("location");
    if (!back) throw new Error(`login form submit answered ${submit.status}`);
    url = new URL(back, url).href;
  }
  throw new Error("too many redirects at the provider");
}
