// Envelope encryption moved to lib/keys (the audit chain needs it too, below this floor).
export * from "@/lib/keys/crypto";
