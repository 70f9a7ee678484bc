// Types for gotools/binaries.mjs, so TypeScript (lib/kube/real-cluster, tests) can import it without allowJs.
export interface ToolModule {
  /** The cache directory's prefix, and the folder under gotools/ unless `dir` names another. */
  name: string;
  /** The wrapper module (folder under gotools/) it builds in, when not its own: helm builds in kubernetes. */
  dir?: string;
  module: string;
  version: string;
  /** Output file name → package whose main it builds. */
  commands: Record<string, string>;
  ldflags: string[];
  /** Output file name → files inside the module, concatenated as YAML documents. */
  files?: Record<string, string[]>;
}
export declare const GOTOOLS_DIR: string;
export declare const COMPLETE_MARKER: string;
export declare function toolModules(): ToolModule[];
export declare function cacheRoot(): string;
export declare function moduleDir(tool: ToolModule): string;
export declare function toolDir(tool: ToolModule): string;
export declare function findToolBinaries(): { paths: Partial<Record<string, string>>; missing: string[] };
/** The go command's environment: explicit and minimal, never the caller's whole environment. */
export declare function goEnv(): Record<string, string>;
