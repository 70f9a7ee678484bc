import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { createElement } from "react";
import { renderToString } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { EnvironmentMatrix } from "@/components/environments/environment-matrix";
import { matrixKeys } from "@/lib/applications/matrix-query";
import type { EnvironmentMatrix as Matrix, TMatrixEntry } from "@/lib/applications/matrix-schemas";

// The matrix as the server renders it from the prefetched page: cells link to their application, the cell that runs
// another revision than the environment before it says so (not only by colour), names stay pinned while the table
// scrolls in its own box, and Promote is offered only to those who may request deployments.
const entry = (id: string, target: string, sha: string | null, differs: boolean | null): TMatrixEntry => ({
  applicationId: id,
  target: { id: `t-${target}`, name: target },
  mode: "push",
  revision: sha
    ? { commitSha: sha, manifestsDigest: "sha256:abcdef0123", revisionId: null, deploymentId: "d", at: null }
    : null,
  result: { state: "succeeded", at: null, message: null },
  health: null,
  differsFromPrevious: differs,
});

const MATRIX: Matrix = {
  environments: ["dev", "staging", "prod"],
  rows: [
    {
      name: "web",
      cells: [
        [entry("w-dev", "dev-eu", "1111111aaaa", null)],
        [entry("w-staging", "staging-eu", "2222222bbbb", true)],
        [entry("w-prod", "prod-eu", "2222222bbbb", false)],
      ],
    },
    {
      name: "api",
      cells: [[], [entry("a-staging", "staging-eu", "3333333cccc", null)], [entry("a-prod", "prod-eu", null, null)]],
    },
  ],
  nextCursor: null,
};

function render(canPromote: boolean, matrix: Matrix = MATRIX): string {
  const client = new QueryClient();
  client.setQueryData(matrixKeys.page(50), { pages: [matrix], pageParams: [null] });
  // React separates adjacent text parts with comments; the assertions read the text as people see it.
  return renderToString(
    createElement(QueryClientProvider, { client }, createElement(EnvironmentMatrix, { limit: 50, canPromote })),
  ).replaceAll("<!-- -->", "");
}

describe("environments matrix view", () => {
  it("links cells, marks the differing one in words, and pins the names in a scrolling box", () => {
    const html = render(false);
    expect(html).toContain('href="/applications/w-staging"');
    expect(html.match(/data-differs="true"/g)).toHaveLength(1);
    expect(html.match(/differs from the previous environment/g)).toHaveLength(1);
    expect(html).toMatch(/<div class="overflow-x-auto" data-testid="matrix-scroll">/);
    expect(html).toMatch(/<th scope="row" class="sticky left-0/);
    expect(html).toContain("2222222 · manifests abcdef01");
    expect(html).not.toContain("Promote to");
  });

  it("offers Promote where the next environment runs another revision or nothing, to those who may deploy", () => {
    const html = render(true);
    // web: dev → staging differs (offered); staging → prod is the same commit (not offered). api: staging → prod.
    expect(html.match(/Promote to [a-z-]+/g)).toEqual(["Promote to staging-eu", "Promote to prod-eu"]);
  });

  it("offers pull cells promotion to the next environment's pull targets only (a pinned revision), never across modes", () => {
    const pull = (id: string, target: string, sha: string | null): TMatrixEntry => ({
      ...entry(id, target, null, null),
      mode: "pull",
      revision: sha
        ? { commitSha: sha, manifestsDigest: null, revisionId: `${sha}@d1`, deploymentId: null, at: null }
        : null,
    });
    const html = render(true, {
      environments: ["staging", "prod"],
      rows: [
        {
          name: "shop",
          cells: [
            [pull("s-staging", "web-staging", "4444444dddd")],
            [pull("s-prod", "edge-prod", "5555555eeee"), entry("s-push", "payments-prod", null, null)],
          ],
        },
      ],
      nextCursor: null,
    });
    expect(html.match(/Promote to [a-z-]+/g)).toEqual(["Promote to edge-prod"]);
  });

  it("says so when there is nothing to show", () => {
    expect(render(false, { environments: [], rows: [], nextCursor: null })).toContain("No applications yet");
  });
});
