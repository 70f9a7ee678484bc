// Public API of lib/kube: the only place Wharf talks to clusters. Plain Node; safe for the agent and the dashboard.
export {
  kubeConfigFor,
  inClusterKubeConfig,
  kubeConfigFromFile,
  PooledKubeConfig,
  type ClusterConnection,
} from "./connection";
export { KubeClient, createKubeClient, type KubeClientOptions, type RequestOptions, type ResourceInfo } from "./client";
export {
  KubeError,
  toKubeError,
  isRetryable,
  isRetryableStatus,
  parseRetryAfter,
  type KubeErrorContext,
  type StatusCause,
} from "./errors";
export { withRetry, retryDelay, sleep, type RetryOptions } from "./retry";
export {
  parseManifests,
  parseManifestsDetailed,
  parseManifestFiles,
  validateObjects,
  sortForApply,
  sortForDelete,
  applyPhases,
  phaseOf,
  formatProblem,
  ManifestError,
  BUILT_IN_GROUPS,
  type ManifestProblem,
  type ParsedManifest,
  type ParseOptions,
} from "./manifests";
export { withWharfLabels } from "./objects";
export {
  applyManifests,
  observedFrom,
  waitForCrdEstablished,
  type ApplyAction,
  type ApplyOptions,
  type ApplyReport,
  type ApplyResult,
  type ObservedState,
} from "./apply";
export {
  pruneObjects,
  pruneApplySet,
  findPruneCandidates,
  isOwnedByInventory,
  inventorySelector,
  type PruneOptions,
  type PruneCandidates,
  type PruneResult,
} from "./prune";
export {
  applySetFor,
  applySetId,
  applySetParentRef,
  applySetSelector,
  groupKindOf,
  ownershipOf,
  readApplySetParent,
  APPLYSET_PART_OF_LABEL,
  APPLYSET_ID_LABEL,
  APPLYSET_TOOLING,
  APPLYSET_TOOLING_ANNOTATION,
  APPLYSET_GROUP_KINDS_ANNOTATION,
  APPLYSET_NAMESPACES_ANNOTATION,
  APPLICATION_ANNOTATION,
  type ApplySetRef,
  type ApplySetParent,
  type Ownership,
} from "./applyset";
export {
  diffManifests,
  diffObjects,
  comparable,
  type DiffAction,
  type DiffOptions,
  type DiffReport,
  type FieldChange,
  type ObjectDiff,
} from "./diff";
export { fieldOwner, fieldsV1Holds, type FieldOwner, type PathSegment } from "./field-owners";
export {
  syncStatusOf,
  valueText,
  SYNC_STATUS_DEFAULTS,
  type DriftedField,
  type ObjectSyncStatus,
  type SyncStatusBounds,
  type SyncStatusCode,
} from "./sync-status";
export {
  readObjectEvents,
  objectEventOf,
  OBJECT_EVENT_DEFAULTS,
  type ObjectEvent,
  type ObjectEventBounds,
} from "./object-events";
export {
  waitForRollout,
  assertRolloutSucceeded,
  isTrackedWorkload,
  deploymentStatus,
  statefulSetStatus,
  daemonSetStatus,
  jobStatus,
  RolloutError,
  WatchBudget,
  type RolloutOptions,
  type RolloutProgress,
  type RolloutReport,
  type RolloutResult,
} from "./rollout";
export {
  selfSubjectAccessReview,
  selfSubjectRulesReview,
  requestServiceAccountToken,
  type AccessCheck,
  type AccessDecision,
  type RulesReview,
  type ResourceRule,
  type ServiceAccountToken,
} from "./access";
export {
  MANAGED_BY_LABEL,
  MANAGED_BY_VALUE,
  INVENTORY_LABEL,
  refOf,
  refKey,
  formatRef,
  type KubeObject,
  type ObjectRef,
} from "./types";
export {
  assessHealth,
  aggregateHealth,
  isWorseHealth,
  HEALTH_ORDER,
  type HealthStatus,
  type HealthStatusCode,
} from "./health";
export {
  buildResourceTree,
  walkResourceTree,
  type PodSummary,
  type ResourceNode,
  type ResourceTree,
  type ResourceTreeOptions,
} from "./tree";
export { readLiveObjects, selectorText, OWNED_OBJECTS_MAX, type LiveRead } from "./live-objects";
