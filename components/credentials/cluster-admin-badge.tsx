import { Badge } from "@/components/ui/badge";

/**
 * The cluster-admin check's verdict next to a credential (the stored `scopeClusterAdmin`, the same one the
 * comparison's Exposure block counts): a warning when it can do anything in its cluster, nothing otherwise, so a
 * green rotation status never reads as "this credential is fine".
 */
export function ClusterAdminBadge({ clusterAdmin }: { clusterAdmin: boolean | null }) {
  if (clusterAdmin !== true) return null;
  return (
    <Badge tone="red" title="This credential can do anything in the cluster; prefer a namespaced service account">
      <span data-testid="cluster-admin-warning">cluster-admin</span>
    </Badge>
  );
}
