import { describe, expect, it } from "vitest";
import { AUDIT_ACTION_PHRASES, auditActionPhrase, auditActorPhrase } from "@/lib/audit/phrases";
import { AUDIT_ACTIONS } from "@/lib/audit/schemas";

describe("audit actions in words", () => {
  it("has a phrase for every audited action, and no phrase for an action that does not exist", () => {
    expect(Object.keys(AUDIT_ACTION_PHRASES).sort()).toEqual([...AUDIT_ACTIONS].sort());
    for (const action of AUDIT_ACTIONS) {
      const phrase = auditActionPhrase(action);
      // Words, not the code: no dotted identifier, capitalised, and no two actions read alike.
      expect(phrase, action).not.toBe(action);
      expect(phrase, action).not.toMatch(/[a-z]\.[a-z]/);
      expect(phrase[0], action).toBe(phrase[0]!.toUpperCase());
    }
    expect(new Set(Object.values(AUDIT_ACTION_PHRASES)).size).toBe(AUDIT_ACTIONS.length);
  });

  it("says what happened for the codes the Overview showed raw", () => {
    expect(auditActionPhrase("credential.decrypted")).toBe("Cluster credential used");
    expect(auditActionPhrase("deployment.failed")).toBe("Deployment failed");
  });

  it("shows a code this build does not know as stored rather than hiding the row", () => {
    expect(auditActionPhrase("something.new")).toBe("something.new");
    // Not fooled by the object's own properties.
    expect(auditActionPhrase("toString")).toBe("toString");
  });

  it("writes Wharf's own work in words and keeps everyone else's recorded name", () => {
    expect(auditActorPhrase("system", "wharf:scope-check")).toBe("Wharf (scope check)");
    expect(auditActorPhrase("system", "wharf:rotation")).toBe("Wharf (rotation)");
    expect(auditActorPhrase("system", "wharf")).toBe("Wharf");
    expect(auditActorPhrase("system", "wharf (flood summary)")).toBe("Wharf (flood summary)");
    expect(auditActorPhrase("system", "github webhook")).toBe("github webhook");
    expect(auditActorPhrase("user", "wharf:scope-check")).toBe("wharf:scope-check");
    expect(auditActorPhrase("user", "Ana Admin")).toBe("Ana Admin");
    expect(auditActorPhrase("agent", "wharf-agent")).toBe("wharf-agent");
  });
});
