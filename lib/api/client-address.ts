import { randomBytes, timingSafeEqual } from "node:crypto";
import dc from "node:diagnostics_channel";
import type { IncomingMessage } from "node:http";
import { BlockList, isIP } from "node:net";
import type { Socket } from "node:net";
import { env } from "@/lib/env";

/**
 * Who is on the other end of a request. Next hands route handlers a Web `Request`, which has no socket, and Next's
 * own `X-Forwarded-For` only fills in the socket address when the client sent none, so it is the client's to choose.
 * The TCP peer therefore travels in a header of Wharf's own, stamped by Node's HTTP server itself (the
 * `http.server.request.start` diagnostics channel runs before any request listener, Next's included) and overwriting
 * whatever the client sent under that name. The stamp carries a random per-process nonce, so a request the hook did
 * not stamp (one served before `instrumentation.ts` ran, or by another server) cannot pass a forged one off: it has
 * an unknown peer, which trusts no forwarded header.
 */
export const PEER_HEADER = "x-wharf-peer";

const KEY = Symbol.for("wharf.peer-stamp");

interface StampState {
  nonce: string;
}

function stampState(): StampState | undefined {
  return (globalThis as typeof globalThis & { [KEY]?: StampState })[KEY];
}

/** Starts stamping every HTTP request this process serves with its TCP peer. Once per process (instrumentation.ts). */
export function installPeerStamp(): void {
  const g = globalThis as typeof globalThis & { [KEY]?: StampState };
  if (g[KEY]) return;
  const state: StampState = { nonce: randomBytes(16).toString("hex") };
  dc.subscribe("http.server.request.start", (message) => {
    const { request, socket } = message as { request: IncomingMessage; socket: Socket & { encrypted?: boolean } };
    request.headers[PEER_HEADER] =
      `${state.nonce} ${socket.remoteAddress ?? "-"} ${socket.encrypted ? "https" : "http"}`;
  });
  g[KEY] = state;
}

/** The stamp a request from `address` would carry: for tests that call route handlers without a socket. */
export function peerStampFor(address: string, protocol: "http" | "https" = "http"): string {
  installPeerStamp();
  return `${stampState()!.nonce} ${address} ${protocol}`;
}

/** `::ffff:10.0.0.1` (an IPv4 client of a dual-stack socket) is `10.0.0.1`; anything not an address is null. */
function normalizeAddress(raw: string): string | null {
  const address = raw.trim().replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, "");
  return isIP(address) ? address : null;
}

export interface Peer {
  address: string;
  protocol: "http" | "https";
}

/** The TCP peer stamped on this request, or null when it carries no genuine stamp. */
export function peerOf(headers: Headers): Peer | null {
  const state = stampState();
  const [nonce = "", address = "", protocol] = (headers.get(PEER_HEADER) ?? "").split(" ");
  if (!state || nonce.length !== state.nonce.length || !timingSafeEqual(Buffer.from(nonce), Buffer.from(state.nonce)))
    return null;
  const normalized = normalizeAddress(address);
  return normalized ? { address: normalized, protocol: protocol === "https" ? "https" : "http" } : null;
}

let trustCache: { source: string[]; list: BlockList } | undefined;

/** The configured proxies (WHARF_TRUSTED_PROXIES) as a BlockList, rebuilt only when the configuration changes. */
function trustedProxies(): BlockList {
  const source = env().WHARF_TRUSTED_PROXIES;
  if (trustCache?.source === source) return trustCache.list;
  const list = new BlockList();
  for (const entry of source) {
    const [address = "", prefix] = entry.split("/");
    const type = isIP(address) === 6 ? "ipv6" : "ipv4";
    if (prefix === undefined) list.addAddress(address, type);
    else list.addSubnet(address, Number(prefix), type);
  }
  trustCache = { source, list };
  return list;
}

function isTrusted(address: string): boolean {
  return trustedProxies().check(address, isIP(address) === 6 ? "ipv6" : "ipv4");
}

let warned = false;

/**
 * Says once per process that a forwarded address was ignored. Next sets X-Forwarded-For to the peer when the client
 * sent none, so only a different value means a proxy (or someone posing as one) is in front: behind a real proxy that
 * is not configured, every client would share the proxy's address, sign-in limits included.
 */
function warnIfProxied(peer: string, headers: Headers): void {
  const forwarded = headers.get("x-forwarded-for");
  if (warned || !forwarded || normalizeAddress(forwarded.split(",")[0] ?? "") === peer) return;
  warned = true;
  console.warn(
    `[wharf] ignoring X-Forwarded-For from ${peer}, which is not in WHARF_TRUSTED_PROXIES; if it is your reverse proxy, list it there`,
  );
}

export interface ClientAddress {
  /** The client's address for audit rows and rate limits; null when the peer is unknown. */
  ip: string | null;
  /** True when the request came through a trusted proxy, whose X-Forwarded-Host/-Proto then count. */
  viaTrustedProxy: boolean;
  peer: Peer | null;
}

/**
 * The client behind a request. From a peer that is not a trusted proxy, the peer itself, whatever forwarded headers
 * say. Through trusted proxies, the right-most X-Forwarded-For entry that is not itself a trusted proxy: each proxy
 * appends the address it saw, so entries left of the first untrusted one are the client's to invent (the rule of
 * Vault's `x_forwarded_for_authorized_addrs` and nginx's `real_ip_recursive`).
 */
export function clientAddressOf(headers: Headers): ClientAddress {
  const peer = peerOf(headers);
  if (!peer || !isTrusted(peer.address)) {
    if (peer) warnIfProxied(peer.address, headers);
    return { ip: peer?.address ?? null, viaTrustedProxy: false, peer };
  }
  const chain = (headers.get("x-forwarded-for") ?? "").split(",");
  let client = peer.address;
  for (let i = chain.length - 1; i >= 0; i--) {
    const hop = normalizeAddress(chain[i] ?? "");
    if (!hop) break;
    client = hop;
    if (!isTrusted(hop)) break;
  }
  return { ip: client, viaTrustedProxy: true, peer };
}
