// The e2e suite's identity provider, run by Playwright as a second webServer next to Wharf:
//   tsx tests/support/oidc-provider-cli.ts <port> <redirect-uri> <client-secret>
// Accounts: ann (release-approvers → approver in Wharf), dave (devs → deployer), vic (no mapped group → viewer).
import { startTestOidcProvider } from "./oidc-provider";

const [port, redirectUri, clientSecret] = process.argv.slice(2);
if (!port || !redirectUri || !clientSecret)
  throw new Error("usage: oidc-provider-cli.ts <port> <redirect-uri> <client-secret>");

const idp = await startTestOidcProvider({
  port: Number(port),
  redirectUri,
  clientSecret,
  accounts: [
    { sub: "ann", email: "ann@idp.e2e.wharf", name: "Ann Approver", groups: ["devs", "release-approvers"] },
    { sub: "dave", email: "dave@idp.e2e.wharf", name: "Dave Deployer", groups: ["devs"] },
    { sub: "vic", email: "vic@idp.e2e.wharf", name: "Vic Viewer", groups: ["marketing"] },
  ],
});
console.log(`test OpenID provider at ${idp.issuer}`);
for (const signal of ["SIGINT", "SIGTERM"] as const)
  process.on(signal, () => void idp.stop().then(() => process.exit(0)));
