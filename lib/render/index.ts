export { describeValue, formatPlace, RenderError, type RenderErrorCode, type RenderProblem } from "./errors";
export { isRegularEntry, listTree, TREE_MAX_BYTES, writeTree, type TreeEntry } from "./git-tree";
export { helmCapabilities } from "./capabilities";
export { defaultReleaseName, type HelmOptions } from "./helm";
export { KUSTOMIZATION_FILES } from "./kustomize";
export {
  detectKind,
  parseRendered,
  RENDER_DEFAULTS,
  renderSource,
  type RenderedSource,
  type RenderLimits,
  type RenderSourceOptions,
  type SourceKind,
} from "./render-source";
export { findHelm, findKustomize, type RenderToolName, type RenderToolPaths } from "./tools";
