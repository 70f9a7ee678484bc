import { afterEach, describe, expect, it } from "vitest";
import { PEER_HEADER, clientAddressOf, peerStampFor } from "@/lib/api/client-address";
import { env, resetEnvCache } from "@/lib/env";

function trust(value: string | undefined): void {
  if (value === undefined) delete process.env.WHARF_TRUSTED_PROXIES;
  else process.env.WHARF_TRUSTED_PROXIES = value;
  resetEnvCache();
}

const from = (peer: string | null, headers: Record<string, string> = {}) =>
  clientAddressOf(new Headers({ ...(peer ? { [PEER_HEADER]: peerStampFor(peer) } : {}), ...headers }));

afterEach(() => trust(undefined));

describe("WHARF_TRUSTED_PROXIES", () => {
  it("accepts addresses and CIDR ranges of both families, and names what it refuses", () => {
    trust(" 10.0.0.5, 10.0.0.0/8 ,fd00::/8,::1 ");
    expect(env().WHARF_TRUSTED_PROXIES).toEqual(["10.0.0.5", "10.0.0.0/8", "fd00::/8", "::1"]);
    for (const bad of ["10.0.0.0/33", "proxy.internal", "10.0.0.0/8/1", "fd00::/129"]) {
      trust(bad);
      expect(() => env()).toThrow(/WHARF_TRUSTED_PROXIES: not an IP address or CIDR range/);
    }
  });
});

describe("clientAddressOf", () => {
  it("has no address for an unstamped or forged peer, and never reads forwarded headers then", () => {
    expect(from(null, { "x-forwarded-for": "1.2.3.4" })).toMatchObject({ ip: null, viaTrustedProxy: false });
    expect(
      clientAddressOf(new Headers({ [PEER_HEADER]: "0123456789abcdef0123456789abcdef 1.2.3.4 http" })).ip,
    ).toBeNull();
  });

  it("is the peer unless the peer is a trusted proxy; IPv4-mapped peers read as IPv4", () => {
    expect(from("::ffff:192.0.2.7", { "x-forwarded-for": "1.2.3.4" })).toMatchObject({
      ip: "192.0.2.7",
      viaTrustedProxy: false,
    });
    trust("192.0.2.0/24");
    expect(from("::ffff:192.0.2.7", { "x-forwarded-for": "1.2.3.4" })).toMatchObject({
      ip: "1.2.3.4",
      viaTrustedProxy: true,
    });
  });

  it("walks X-Forwarded-For from the right past trusted proxies, and stops at anything that is not an address", () => {
    trust("10.0.0.0/8");
    expect(from("10.0.0.9", { "x-forwarded-for": "6.6.6.6, 203.0.113.1, 10.1.1.1" }).ip).toBe("203.0.113.1");
    expect(from("10.0.0.9", { "x-forwarded-for": "10.2.2.2, 10.1.1.1" }).ip).toBe("10.2.2.2");
    expect(from("10.0.0.9", { "x-forwarded-for": "203.0.113.1, garbage" }).ip).toBe("10.0.0.9");
    expect(from("10.0.0.9").ip).toBe("10.0.0.9");
  });
});
