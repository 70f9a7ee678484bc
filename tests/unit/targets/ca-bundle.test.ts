import { describe, expect, it } from "vitest";
import { caBundleProblem } from "@/lib/targets/ca-bundle";
import { CA_PEM, NOT_X509_PEM, PUBLIC_KEY_PEM, SECOND_CA_PEM } from "./ca-fixtures";

describe("caBundleProblem", () => {
  it("accepts one certificate and a bundle of several", () => {
    expect(caBundleProblem(CA_PEM)).toBeNull();
    expect(caBundleProblem(`${CA_PEM}\n\n${SECOND_CA_PEM}\n`)).toBeNull();
  });

  it("refuses PEM armour around bytes that are not a certificate, naming which one", () => {
    expect(caBundleProblem(NOT_X509_PEM)).toBe("Certificate 1 is not a valid X.509 certificate.");
    expect(caBundleProblem(`${CA_PEM}\n${NOT_X509_PEM}`)).toBe("Certificate 2 is not a valid X.509 certificate.");
  });

  it("refuses blocks that are not certificates", () => {
    expect(caBundleProblem(`${CA_PEM}\n${PUBLIC_KEY_PEM}`)).toBe(
      "Block 2 is a public key, not a certificate. Paste only CA certificates.",
    );
  });

  it("refuses text with no PEM block or with stray text around blocks", () => {
    expect(caBundleProblem("hello")).toMatch(/^Paste one or more PEM certificates/);
    expect(caBundleProblem(`garbage\n${CA_PEM}`)).toBe(
      "The CA bundle contains text outside its -----BEGIN/END CERTIFICATE----- blocks.",
    );
  });
});
