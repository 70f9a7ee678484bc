export { GitClient, type CommitInfo, type GitClientOptions, type GitCredentials } from "./client";
export { GitError, type GitErrorCode } from "./error";
export {
  allowedProtocols,
  checkGitUrl,
  GIT_ENV,
  gitEnv,
  isMissingRef,
  runGit,
  ZGitLocalRoots,
  type GitRunOptions,
} from "./policy";
export {
  cleanRepoPath,
  GIT_MANIFESTS_MAX_BYTES,
  isManifestEntry,
  isRegularEntry,
  listSourcePath,
  listTree,
  MANIFEST_FILE,
  manifestEntries,
  readBlobs,
  readManifestFiles,
  type SourcePath,
  type TreeEntry,
} from "./tree";
