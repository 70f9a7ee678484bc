import { readBodyBytes } from "@/lib/api/read-body";
import { MANIFESTS_GZ_MAX_BYTES, ZManifestsStatus, ZManifestsStored } from "@/lib/agent/protocol";
import { manifestsHeld, storeAppliedManifests } from "@/lib/agents/data/applied-manifests";
import { withAgentAuth } from "@/lib/agents/with-agent-auth";
import { AppError } from "@/lib/errors";

export const GET = withAgentAuth(async ({ params }) => manifestsHeld({ sha256: params.sha256 ?? "" }), {
  tag: "agent protocol",
  summary: "Whether Wharf already holds the applied manifests of a SHA-256 digest (then the agent uploads nothing)",
  returns: "The digest and whether it is held.",
  response: ZManifestsStatus,
});

export const PUT = withAgentAuth(
  async ({ req, params }) => {
    const type = (req.headers.get("content-type") ?? "").toLowerCase();
    if (!type.startsWith("application/gzip") && !type.startsWith("application/octet-stream"))
      throw new AppError("UNSUPPORTED_MEDIA_TYPE", "Send the manifests gzip-compressed as application/gzip.");
    // Read with a bound: a declared or streamed body past the cap is 413 after at most one chunk, nothing stored.
    const gz = await readBodyBytes(req, MANIFESTS_GZ_MAX_BYTES);
    return storeAppliedManifests({ sha256: params.sha256 ?? "", gz });
  },
  {
    tag: "agent protocol",
    summary: `Applied manifests a sync applied, gzip-compressed (at most ${MANIFESTS_GZ_MAX_BYTES / (1024 * 1024)} MiB), stored once under the SHA-256 of their bytes`,
    returns:
      "The digest and whether this upload stored it (false: already held). 413 beyond the cap, 422 when the bytes do not have this digest; nothing is stored either way.",
    response: ZManifestsStored,
  },
);
