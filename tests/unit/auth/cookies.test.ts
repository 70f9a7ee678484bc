import { describe, expect, it } from "vitest";
import { SESSION_COOKIE, readCookie, sessionCookieHeader } from "@/lib/auth/cookies";

describe("session cookies", () => {
  it("are httpOnly, SameSite=Lax, and Secure only over HTTPS", () => {
    const plain = sessionCookieHeader("abc", new Date("2030-01-01T00:00:00Z"), false);
    expect(plain).toContain("HttpOnly");
    expect(plain).toContain("SameSite=Lax");
    expect(plain).not.toContain("Secure");
    expect(sessionCookieHeader("abc", new Date(), true)).toContain("Secure");
  });

  it("are read from a Cookie header among others", () => {
    expect(readCookie(`a=1; ${SESSION_COOKIE}=tok%3D; b=2`, SESSION_COOKIE)).toBe("tok=");
    expect(readCookie("a=1", SESSION_COOKIE)).toBeNull();
    expect(readCookie(null, SESSION_COOKIE)).toBeNull();
  });

  it("treat a value that is not valid percent-encoding as no cookie (401 upstream, not a URIError)", () => {
    expect(readCookie(`${SESSION_COOKIE}=%E0%A4%A`, SESSION_COOKIE)).toBeNull();
  });
});
