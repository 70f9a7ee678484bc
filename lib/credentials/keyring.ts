// The master key and envelope encryption moved to lib/keys (the audit chain needs them too, below this floor).
export * from "@/lib/keys/keyring";
