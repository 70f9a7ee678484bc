/** HTTP front of the sandbox API server: authentication, authorization, routing to discovery and REST verbs. */
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Authorizer, ResourceAttributes, TokenAuthority, UserInfo } from "./auth";
import { authenticate, forbiddenMessage, serviceAccountUser } from "./auth";
import type { Cluster, PatchType, WriteOptions } from "./cluster";
import { nowTimestamp } from "./cluster";
import { apiGroup, apiGroupList, apiResourceList, apiVersions, versionInfo } from "./discovery";
import {
  PlainTextError,
  StatusError,
  badRequest,
  invalid,
  methodNotAllowed,
  notFound,
  resourceNotFound,
  unauthorized,
  unsupportedMediaType,
} from "./errors";
import { jsonPatch, mergePatch } from "./patch";
import { parseAccept, readBody, readBodyBuffer, sendError, sendJson, successStatus } from "./http";
import { decodeKubernetesProtobuf } from "./protobuf";
import { openApiV2, openApiV3Index, openApiV3GroupVersion } from "./openapi";
import { apiVersionOf } from "./resources";
import type { ResourceDef, ResourceRegistry } from "./resources";
import {
  labelSelectorToString,
  matchesFields,
  matchesLabels,
  parseFieldSelector,
  parseLabelSelector,
} from "./selectors";
import type { KObject, Store, StoreEvent } from "./store";
import { toTable } from "./table";
import type { IncludeObject } from "./table";
import { parseYamlValue } from "../yaml";

type Obj = Record<string, unknown>;

export interface HandlerDeps {
  cluster: Cluster;
  store: Store;
  registry: ResourceRegistry;
  authority: TokenAuthority;
  authorizer: Authorizer;
  serverAddress: () => string;
  throttleEveryNth: number | undefined;
  bookmarkIntervalMs: number;
  issueServiceAccountToken: (
    namespace: string,
    name: string,
    expirationSeconds: number,
    audiences: string[] | undefined,
  ) => { token: string; exp: number };
}

interface ResourceRequest {
  def: ResourceDef;
  namespace: string | undefined;
  name: string | undefined;
  subresource: string | undefined;
  verb: string;
  watchPath: boolean;
  query: URLSearchParams;
}

const PUBLIC_PATHS = new Set(["/healthz", "/livez", "/readyz", "/version"]);

function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Default field manager from the User-Agent, as the API server derives it ("kubectl/v1.32 (...)" → "kubectl"). */
function managerFromUserAgent(ua: string | undefined): string {
  if (!ua) return "unknown";
  const first = ua.split("/")[0] ?? "unknown";
  return first.slice(0, 128) || "unknown";
}

export class ApiHandler {
  private requestCount = 0;

  constructor(private readonly d: HandlerDeps) {}

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    res.setHeader("Audit-Id", randomUUID());
    try {
      await this.route(req, res);
    } catch (e) {
      if (res.headersSent) {
        res.end();
        return;
      }
      if (e instanceof PlainTextError) {
        res.writeHead(e.code, { "Content-Type": "text/plain; charset=utf-8", "X-Content-Type-Options": "nosniff" });
        res.end(`${e.message}\n`);
        return;
      }
      // A body cut short at the size limit leaves unread bytes on the connection: close it, as Go's server does.
      if (e instanceof StatusError) sendError(res, e, e.code === 413 ? { Connection: "close" } : {});
      else
        sendError(
          res,
          new StatusError(500, "InternalError", `Internal error occurred: ${(e as Error).message ?? String(e)}`),
        );
    }
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "https://sandbox");
    const path = url.pathname.replace(/\/+$/, "") || "/";
    const method = req.method ?? "GET";

    if (path === "/healthz" || path === "/livez" || path === "/readyz") {
      res.writeHead(200, { "Content-Type": "text/plain; charset=utf-8" });
      res.end("ok");
      return;
    }

    const nth = this.d.throttleEveryNth;
    if (nth && nth > 0 && ++this.requestCount % nth === 0) {
      sendError(
        res,
        new StatusError(429, "TooManyRequests", "Too many requests, please try again later.", { retryAfterSeconds: 1 }),
        { "Retry-After": "1" },
      );
      return;
    }

    if (path === "/version") {
      sendJson(res, 200, versionInfo());
      return;
    }

    const authenticated = this.authenticate(req);
    if (!authenticated) {
      sendError(res, unauthorized());
      return;
    }
    const user = this.impersonate(req, authenticated);
    if (PUBLIC_PATHS.has(path)) return;

    const segments = path.split("/").filter(Boolean).map(decodeURIComponent);
    if (segments[0] === "api" || segments[0] === "apis") {
      const isCore = segments[0] === "api";
      const group = isCore ? "" : (segments[1] ?? "");
      const version = isCore ? segments[1] : segments[2];
      const rest = segments.slice(isCore ? 2 : 3);
      if (!version || (!isCore && !segments[1])) {
        this.authorizeNonResource(user, method, path);
        if (method !== "GET") throw methodNotAllowed();
        if (isCore) sendJson(res, 200, apiVersions(this.d.serverAddress()));
        else if (!segments[1]) sendJson(res, 200, apiGroupList(this.d.registry));
        else {
          const g = apiGroup(this.d.registry, group);
          if (!g) throw resourceNotFound();
          sendJson(res, 200, g);
        }
        return;
      }
      if (rest.length === 0) {
        this.authorizeNonResource(user, method, path);
        const doc = apiResourceList(this.d.registry, group, version);
        if (!doc) throw resourceNotFound();
        sendJson(res, 200, doc);
        return;
      }
      const rr = this.parseResourceRequest(method, group, version, rest, url.searchParams);
      await this.serveResource(req, res, user, rr);
      return;
    }

    if (segments[0] === "openapi") {
      this.authorizeNonResource(user, method, path);
      if (segments[1] === "v2") {
        const doc = openApiV2((req.headers.accept ?? "").includes("protobuf"));
        res.writeHead(200, { "Content-Type": doc.contentType, "Content-Length": Buffer.byteLength(doc.body) });
        res.end(doc.body);
      } else if (segments[1] === "v3" && segments.length === 2) sendJson(res, 200, openApiV3Index(this.d.registry));
      else if (segments[1] === "v3") {
        const doc = openApiV3GroupVersion(this.d.registry, segments.slice(2).join("/"));
        if (!doc) throw resourceNotFound();
        sendJson(res, 200, doc);
      } else throw resourceNotFound();
      return;
    }

    this.authorizeNonResource(user, method, path);
    throw resourceNotFound();
  }

  private authenticate(req: IncomingMessage): UserInfo | undefined {
    const header = req.headers.authorization;
    if (!header) return undefined;
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!m?.[1]) return undefined;
    return authenticate(this.d.authority, this.d.store, m[1]);
  }

  /**
   * kube-apiserver's impersonation filter: each Impersonate-User/-Group/-Uid/-Extra-* header needs the `impersonate`
   * verb on users (or the ServiceAccount), groups, uids or userextras for the requester; the request is then
   * authenticated and authorized as the impersonated user alone (a ServiceAccount gets its groups by default).
   */
  private impersonate(req: IncomingMessage, requester: UserInfo): UserInfo {
    const header = (name: string): string[] => {
      const v = req.headers[name];
      return v === undefined ? [] : Array.isArray(v) ? v : v.split(",").map((x) => x.trim());
    };
    const userName = req.headers["impersonate-user"];
    const username = typeof userName === "string" ? userName : undefined;
    const groups = header("impersonate-group");
    const uid = typeof req.headers["impersonate-uid"] === "string" ? req.headers["impersonate-uid"] : undefined;
    const extras = Object.keys(req.headers).filter((h) => h.startsWith("impersonate-extra-"));
    if (username === undefined) {
      if (groups.length || uid || extras.length) {
        // The filter answers with responsewriters.InternalError: plain text, 500, the request URI and Go's %v of the
        // requested ObjectReferences ({Kind Namespace Name UID APIVersion ResourceVersion FieldPath}).
        const what = [...groups.map((g) => `{Group  ${g}    }`), ...(uid ? [`{UID  ${uid}    }`] : [])].join(" ");
        throw new PlainTextError(
          500,
          `Internal Server Error: ${JSON.stringify(req.url ?? "/")}: requested [${what}] without impersonating a user`,
        );
      }
      return requester;
    }
    const check = (resource: string, name: string, namespace?: string) => {
      const attrs: ResourceAttributes = {
        verb: "impersonate",
        group: resource === "userextras" || resource === "uids" ? "authentication.k8s.io" : "",
        resource,
        name,
        namespace,
        subresource: undefined,
      };
      if (!this.d.authorizer.authorizeResource(requester, attrs).allowed) {
        throw new StatusError(403, "Forbidden", forbiddenMessage(requester, attrs), {
          name,
          ...(attrs.group ? { group: attrs.group } : {}),
          kind: resource,
        });
      }
    };
    const sa = /^system:serviceaccount:([^:]+):([^:]+)$/.exec(username);
    if (sa) check("serviceaccounts", sa[2] ?? "", sa[1]);
    else check("users", username);
    for (const g of groups) check("groups", g);
    if (uid) check("uids", uid);
    const extra: Record<string, string[]> = {};
    for (const h of extras) {
      const key = decodeURIComponent(h.slice("impersonate-extra-".length));
      for (const v of header(h)) check("userextras", v, undefined);
      extra[key] = header(h);
    }
    const impersonated: UserInfo = {
      username,
      groups: sa && groups.length === 0 ? serviceAccountUser(sa[1] ?? "", sa[2] ?? "").groups : [...groups],
    };
    if (username !== "system:anonymous" && !impersonated.groups.includes("system:authenticated"))
      impersonated.groups.push("system:authenticated");
    if (uid) impersonated.uid = uid;
    if (Object.keys(extra).length) impersonated.extra = extra;
    return impersonated;
  }

  private authorizeNonResource(user: UserInfo, method: string, path: string): void {
    const verb = method === "GET" || method === "HEAD" ? "get" : method.toLowerCase();
    const decision = this.d.authorizer.authorizeNonResource(user, { verb, path });
    if (!decision.allowed) {
      throw new StatusError(403, "Forbidden", `forbidden: User "${user.username}" cannot ${verb} path "${path}"`, {});
    }
  }

  private parseResourceRequest(
    method: string,
    group: string,
    version: string,
    parts: string[],
    query: URLSearchParams,
  ): ResourceRequest {
    let segs = parts;
    let watchPath = false;
    if (segs[0] === "watch") {
      watchPath = true;
      segs = segs.slice(1);
    }
    let namespace: string | undefined;
    if (segs[0] === "namespaces" && segs.length > 1) {
      namespace = segs[1];
      if (segs.length > 2 && segs[2] !== "status" && segs[2] !== "finalize") segs = segs.slice(2);
    }
    const [resource, name, subresource, ...extra] = segs as [
      string,
      string | undefined,
      string | undefined,
      ...string[],
    ];
    if (extra.length > 0) throw resourceNotFound();
    const def = this.d.registry.get(group, version, resource);
    if (!def) throw resourceNotFound();
    if (def.namespaced && namespace === undefined && name !== undefined && resource !== "namespaces")
      throw resourceNotFound();
    if (!def.namespaced && resource !== "namespaces" && namespace !== undefined) throw resourceNotFound();
    if (subresource && !(def.subresources ?? []).includes(subresource)) throw resourceNotFound();
    const isNamespaceObject = resource === "namespaces";
    const ns = def.namespaced ? namespace : isNamespaceObject ? undefined : undefined;
    let verb: string;
    const watchParam = query.get("watch");
    switch (method) {
      case "GET":
      case "HEAD":
        verb = name ? "get" : watchPath || watchParam === "1" || watchParam === "true" ? "watch" : "list";
        if (watchPath && name) verb = "watch";
        break;
      case "POST":
        verb = "create";
        break;
      case "PUT":
        verb = "update";
        break;
      case "PATCH":
        verb = "patch";
        break;
      case "DELETE":
        verb = name ? "delete" : "deletecollection";
        break;
      default:
        throw methodNotAllowed();
    }
    if (!subresource && !def.verbs.includes(verb) && !(verb === "watch" && def.verbs.includes("list")))
      throw methodNotAllowed();
    return { def, namespace: ns, name, subresource, verb, watchPath, query };
  }

  private authorize(user: UserInfo, rr: ResourceRequest, nameOverride?: string): void {
    const attrs: ResourceAttributes = {
      verb: rr.verb,
      namespace: rr.def.namespaced ? rr.namespace : undefined,
      group: rr.def.group,
      resource: rr.def.name,
      subresource: rr.subresource,
      name: nameOverride ?? rr.name,
    };
    const decision = this.d.authorizer.authorizeResource(user, attrs);
    if (!decision.allowed) {
      throw new StatusError(403, "Forbidden", forbiddenMessage(user, attrs), {
        ...(attrs.name ? { name: attrs.name } : {}),
        ...(attrs.group ? { group: attrs.group } : {}),
        kind: rr.def.name,
      });
    }
  }

  private writeOptions(req: IncomingMessage, q: URLSearchParams, subresource: string | undefined): WriteOptions {
    const dryRun = q.getAll("dryRun");
    for (const v of dryRun) if (v !== "All") throw badRequest(`Invalid dry run value: ${v}`);
    const fieldManager = q.get("fieldManager");
    if (fieldManager !== null && fieldManager.length > 128) {
      throw invalid("meta.k8s.io", "PatchOptions", "", [
        { type: "FieldValueTooLong", field: "fieldManager", detail: "may not be more than 128 characters" },
      ]);
    }
    const fv = q.get("fieldValidation");
    if (fv !== null && !["Ignore", "Warn", "Strict", ""].includes(fv)) {
      throw badRequest(`fieldValidation must be one of "Ignore", "Warn", or "Strict", got ${JSON.stringify(fv)}`);
    }
    const force = q.get("force");
    return {
      fieldValidation: fv === "Strict" || fv === "Ignore" ? fv : "Warn",
      warnings: [],
      fieldManager: fieldManager ?? "",
      dryRun: dryRun.length > 0,
      ...(force === "true" || force === "1" ? { force: true } : {}),
      subresource,
    };
  }

  private async readObject(req: IncomingMessage): Promise<unknown> {
    const buf = await readBodyBuffer(req);
    const ct = (req.headers["content-type"] ?? "application/json").split(";")[0]?.trim() ?? "application/json";
    if (ct === "application/vnd.kubernetes.protobuf") return decodeKubernetesProtobuf(buf);
    const raw = buf.toString("utf8");
    if (!raw.trim()) throw badRequest("the request body is empty");
    try {
      // Bodies as kubectl sends them; the bounded parser, so an alias bomb is a 400 like any undecodable body.
      if (ct === "application/yaml" || ct === "application/x-yaml") return parseYamlValue(raw);
      if (ct === "application/json" || ct === "*/*" || ct === "") return JSON.parse(raw) as unknown;
    } catch (e) {
      throw badRequest(`the object provided is unrecognized: ${(e as Error).message}`);
    }
    throw unsupportedMediaType(ct);
  }

  private async serveResource(
    req: IncomingMessage,
    res: ServerResponse,
    user: UserInfo,
    rr: ResourceRequest,
  ): Promise<void> {
    const { def, query: q } = rr;
    const cluster = this.d.cluster;
    const accept = parseAccept(req.headers.accept);
    const include = (q.get("includeObject") as IncludeObject | null) ?? "Metadata";
    const apiVersion = apiVersionOf(def.group, def.version);

    if (def.virtual) {
      if (rr.verb !== "create") throw methodNotAllowed();
      this.authorize(user, rr);
      const body = await this.readObject(req);
      sendJson(res, 201, this.review(def, rr, user, body));
      return;
    }
    if (rr.subresource === "token") {
      this.authorize(user, rr);
      const body = await this.readObject(req);
      sendJson(res, 201, this.tokenRequest(rr, body));
      return;
    }

    this.authorize(user, rr);
    const present = (o: KObject) => cluster.present(o, def);
    const single = (o: KObject, code = 200, warnings: string[] = []) => {
      // One Warning header per message, in RFC 7234 form with the "-" agent, as kube-apiserver writes them.
      if (warnings.length)
        res.setHeader(
          "Warning",
          warnings.map((w) => `299 - ${JSON.stringify(w)}`),
        );
      if (accept.table)
        sendJson(
          res,
          code,
          toTable([present(o)], def, { include, resourceVersion: o.metadata.resourceVersion ?? "", apiVersion }),
        );
      else if (accept.partialMetadata)
        sendJson(res, code, { kind: "PartialObjectMetadata", apiVersion: "meta.k8s.io/v1", metadata: o.metadata });
      else sendJson(res, code, present(o));
    };

    switch (rr.verb) {
      case "get": {
        const obj = cluster.get(def, rr.namespace, rr.name ?? "");
        if (rr.subresource === "scale") sendJson(res, 200, this.scaleOf(def, obj));
        else single(obj);
        return;
      }
      case "list": {
        const filter = this.filter(def, q);
        const limit = Number(q.get("limit") ?? "0") || undefined;
        const rv = q.get("resourceVersion");
        const match = q.get("resourceVersionMatch");
        if (rv && rv !== "0" && match === "Exact" && Number(rv) < this.d.store.compactedResourceVersion) {
          throw new StatusError(
            410,
            "Expired",
            `too old resource version: ${rv} (${this.d.store.compactedResourceVersion + 1})`,
          );
        }
        const result = cluster.list(def, rr.namespace, filter, limit, q.get("continue") ?? undefined);
        if (accept.table) {
          sendJson(
            res,
            200,
            toTable(result.items.map(present), def, {
              include,
              resourceVersion: result.resourceVersion,
              ...(result.continueToken ? { continueToken: result.continueToken } : {}),
              apiVersion,
            }),
          );
          return;
        }
        const metadata: Obj = { resourceVersion: result.resourceVersion };
        if (result.continueToken) {
          metadata.continue = result.continueToken;
          if (!q.get("labelSelector") && !q.get("fieldSelector"))
            metadata.remainingItemCount = result.remainingItemCount;
        }
        // Typed lists of built-in kinds omit each item's apiVersion/kind; custom resources keep them.
        const items = result.items.map((o) => {
          if (accept.partialMetadata)
            return { kind: "PartialObjectMetadata", apiVersion: "meta.k8s.io/v1", metadata: o.metadata };
          const p = present(o);
          if (def.crd) return p;
          const { apiVersion: _a, kind: _k, ...rest } = p;
          void _a;
          void _k;
          return rest;
        });
        sendJson(res, 200, {
          kind: accept.partialMetadata ? "PartialObjectMetadataList" : `${def.kind}List`,
          apiVersion: accept.partialMetadata ? "meta.k8s.io/v1" : apiVersion,
          metadata,
          items,
        });
        return;
      }
      case "watch":
        this.watch(req, res, rr, accept.table, include);
        return;
      case "create": {
        if (rr.name && !rr.subresource) throw methodNotAllowed();
        const body = await this.readObject(req);
        const opts = this.writeOptions(req, q, undefined);
        opts.fieldManager ||= managerFromUserAgent(req.headers["user-agent"]);
        if (isObj(body) && isObj(body.metadata) && typeof body.metadata.name === "string")
          this.authorize(user, rr, body.metadata.name);
        const obj = cluster.create(def, rr.namespace, body, opts);
        single(obj, 201, opts.warnings);
        return;
      }
      case "update": {
        const body = await this.readObject(req);
        const opts = this.writeOptions(req, q, rr.subresource);
        opts.fieldManager ||= managerFromUserAgent(req.headers["user-agent"]);
        if (rr.subresource === "scale") {
          sendJson(res, 200, this.writeScale(def, rr, body, opts, "update"));
          return;
        }
        const obj = cluster.update(
          def,
          rr.namespace,
          rr.name ?? "",
          body,
          rr.subresource === "finalize" ? { ...opts, subresource: undefined } : opts,
        );
        single(obj, 200, opts.warnings);
        return;
      }
      case "patch": {
        const ct = (req.headers["content-type"] ?? "").split(";")[0]?.trim() ?? "";
        const type: PatchType | undefined =
          ct === "application/json-patch+json"
            ? "json"
            : ct === "application/merge-patch+json"
              ? "merge"
              : ct === "application/strategic-merge-patch+json"
                ? "strategic"
                : ct === "application/apply-patch+yaml" || ct === "application/apply-patch+json"
                  ? "apply"
                  : undefined;
        if (!type) throw unsupportedMediaType(ct);
        const raw = await readBody(req);
        const opts = this.writeOptions(req, q, rr.subresource);
        if (type !== "apply") opts.fieldManager ||= managerFromUserAgent(req.headers["user-agent"]);
        if (
          type === "apply" &&
          !this.d.authorizer.authorizeResource(user, {
            verb: "create",
            namespace: rr.namespace,
            group: def.group,
            resource: def.name,
            name: rr.name,
          }).allowed &&
          !cluster.find(def, rr.namespace, rr.name ?? "")
        ) {
          this.authorize(user, { ...rr, verb: "create" });
        }
        if (rr.subresource === "scale") {
          sendJson(res, 200, this.writeScale(def, rr, raw, opts, type));
          return;
        }
        const { obj, created } = cluster.patch(def, rr.namespace, rr.name ?? "", type, raw, opts);
        single(obj, created ? 201 : 200, opts.warnings);
        return;
      }
      case "delete": {
        const opts = await this.deleteOptions(req, q);
        const { obj, finished } = cluster.delete(def, rr.namespace, rr.name ?? "", opts);
        if (finished && !(def.group === "" && (def.kind === "Pod" || def.kind === "Service"))) {
          sendJson(
            res,
            200,
            successStatus({
              name: obj.metadata.name,
              ...(def.group ? { group: def.group } : {}),
              kind: def.name,
              uid: obj.metadata.uid,
            }),
          );
        } else single(obj, finished ? 200 : opts.propagationPolicy === "Foreground" ? 202 : 200);
        return;
      }
      case "deletecollection": {
        const opts = await this.deleteOptions(req, q);
        const filter = this.filter(def, q);
        const items = cluster.list(def, rr.namespace, filter, undefined, undefined).items;
        const deleted: KObject[] = [];
        for (const o of items) {
          try {
            deleted.push(cluster.delete(def, o.metadata.namespace, o.metadata.name ?? "", opts).obj);
          } catch (e) {
            if (!(e instanceof StatusError && e.code === 404)) throw e;
          }
        }
        sendJson(res, 200, {
          kind: `${def.kind}List`,
          apiVersion,
          metadata: { resourceVersion: String(this.d.store.resourceVersion) },
          items: deleted.map(present),
        });
        return;
      }
      default:
        throw methodNotAllowed();
    }
  }

  private async deleteOptions(
    req: IncomingMessage,
    q: URLSearchParams,
  ): Promise<{
    dryRun: boolean;
    propagationPolicy?: "Orphan" | "Background" | "Foreground";
    preconditions?: { uid?: string; resourceVersion?: string };
  }> {
    const raw = await readBody(req);
    let body: Obj = {};
    if (raw.trim()) {
      try {
        const parsed = JSON.parse(raw) as unknown;
        if (isObj(parsed)) body = parsed;
      } catch {
        throw badRequest("the DeleteOptions body could not be decoded");
      }
    }
    const dryRunValues = [...q.getAll("dryRun"), ...(Array.isArray(body.dryRun) ? (body.dryRun as string[]) : [])];
    for (const v of dryRunValues) if (v !== "All") throw badRequest(`Invalid dry run value: ${v}`);
    let policy = (q.get("propagationPolicy") ?? body.propagationPolicy) as string | undefined;
    if (policy === undefined) {
      const orphan = q.get("orphanDependents") ?? body.orphanDependents;
      if (orphan === true || orphan === "true") policy = "Orphan";
    }
    if (policy !== undefined && !["Orphan", "Background", "Foreground"].includes(policy)) {
      throw invalid("meta.k8s.io", "DeleteOptions", "", [
        {
          type: "FieldValueNotSupported",
          field: "propagationPolicy",
          value: policy,
          detail: 'supported values: "Foreground", "Background", "Orphan", "nil"',
        },
      ]);
    }
    const pre = isObj(body.preconditions)
      ? (body.preconditions as { uid?: string; resourceVersion?: string })
      : undefined;
    return {
      dryRun: dryRunValues.length > 0,
      ...(policy ? { propagationPolicy: policy as "Orphan" | "Background" | "Foreground" } : {}),
      ...(pre ? { preconditions: pre } : {}),
    };
  }

  private filter(def: ResourceDef, q: URLSearchParams): (o: KObject) => boolean {
    const ls = q.get("labelSelector");
    const fs = q.get("fieldSelector");
    const labelSel = ls ? parseLabelSelector(ls) : undefined;
    const fieldSel = fs ? parseFieldSelector(fs, def.kind) : undefined;
    return (o) =>
      (!labelSel || matchesLabels(labelSel, o.metadata.labels)) && (!fieldSel || matchesFields(fieldSel, o));
  }

  private watch(
    req: IncomingMessage,
    res: ServerResponse,
    rr: ResourceRequest,
    asTable: boolean,
    include: IncludeObject,
  ): void {
    const { def, query: q } = rr;
    const cluster = this.d.cluster;
    const table = cluster.table(def);
    const baseFilter = this.filter(def, q);
    const nameFilter = rr.name;
    const matches = (o: KObject) =>
      (!def.namespaced || rr.namespace === undefined || o.metadata.namespace === rr.namespace) &&
      (!nameFilter || o.metadata.name === nameFilter) &&
      baseFilter(o);
    const rvParam = q.get("resourceVersion") ?? "";
    const apiVersion = apiVersionOf(def.group, def.version);
    const sendInitial = q.get("sendInitialEvents") === "true";
    let first = true;
    const encode = (type: string, o: KObject): string => {
      let object: unknown;
      if (asTable && type !== "BOOKMARK" && type !== "ERROR") {
        object = toTable([cluster.present(o, def)], def, {
          include,
          resourceVersion: o.metadata.resourceVersion ?? "",
          withColumns: first,
          apiVersion,
        });
        first = false;
      } else object = type === "ERROR" ? o : cluster.present(o, def);
      return `${JSON.stringify({ type, object })}\n`;
    };

    res.writeHead(200, {
      "Content-Type": "application/json",
      "Cache-Control": "no-cache, private",
      "Transfer-Encoding": "chunked",
    });
    res.flushHeaders();

    // Objects this watch has told the client about, so selector transitions become ADDED/DELETED like the watch cache does.
    const visible = new Set<string>();
    const keyOf = (o: KObject) => `${o.metadata.namespace ?? ""}/${o.metadata.name ?? ""}`;
    const deliver = (ev: StoreEvent) => {
      const key = keyOf(ev.obj);
      const now = ev.type !== "DELETED" && matches(ev.obj);
      const was = visible.has(key);
      if (ev.type === "DELETED") {
        if (was || matches(ev.obj)) {
          visible.delete(key);
          res.write(encode("DELETED", ev.obj));
        }
        return;
      }
      if (now && !was) {
        visible.add(key);
        res.write(encode("ADDED", ev.obj));
      } else if (now && was) res.write(encode("MODIFIED", ev.obj));
      else if (!now && was) {
        visible.delete(key);
        res.write(encode("DELETED", ev.obj));
      }
    };

    let replay: StoreEvent[] = [];
    let initial: KObject[] = [];
    try {
      if (rvParam === "" || rvParam === "0" || sendInitial)
        initial = this.d.store.list(table, def.namespaced ? rr.namespace : undefined).filter(matches);
      else {
        const rv = Number(rvParam);
        if (!Number.isFinite(rv)) throw badRequest(`invalid resource version: ${rvParam}`);
        replay = this.d.store.eventsSince(table, rv);
        // An object whose first later event is not ADDED existed at that revision, even if it is gone by now.
        const firstSeen = new Set<string>();
        for (const ev of replay) {
          const key = keyOf(ev.obj);
          if (firstSeen.has(key)) continue;
          firstSeen.add(key);
          if (ev.type !== "ADDED" && matches(ev.obj)) visible.add(key);
        }
        // Objects that existed at that revision are visible to the client already.
        for (const o of this.d.store.list(table, def.namespaced ? rr.namespace : undefined))
          if (Number(o.metadata.resourceVersion) <= rv && matches(o)) visible.add(keyOf(o));
        for (const ev of replay)
          if (Number(ev.obj.metadata.resourceVersion) > rv && ev.type === "ADDED") visible.delete(keyOf(ev.obj));
      }
    } catch (e) {
      if (e instanceof StatusError) {
        res.end(`${JSON.stringify({ type: "ERROR", object: e.toStatus() })}\n`);
        return;
      }
      throw e;
    }
    const unsubscribe = this.d.store.watch(table, deliver);
    for (const o of initial) {
      visible.add(keyOf(o));
      res.write(encode("ADDED", o));
    }
    for (const ev of replay) deliver(ev);

    const bookmark = () => {
      const obj = {
        kind: def.kind,
        apiVersion,
        metadata: { resourceVersion: String(this.d.store.resourceVersion) },
      } as unknown as KObject;
      return `${JSON.stringify({ type: "BOOKMARK", object: obj })}\n`;
    };
    const bookmarks = q.get("allowWatchBookmarks") === "true";
    if (sendInitial && bookmarks) {
      const obj = {
        kind: def.kind,
        apiVersion,
        metadata: {
          resourceVersion: String(this.d.store.resourceVersion),
          annotations: { "k8s.io/initial-events-end": "true" },
        },
      };
      res.write(`${JSON.stringify({ type: "BOOKMARK", object: obj })}\n`);
    }
    const timers: NodeJS.Timeout[] = [];
    if (bookmarks) timers.push(setInterval(() => res.write(bookmark()), this.d.bookmarkIntervalMs));
    const timeout = Number(q.get("timeoutSeconds") ?? "0");
    if (timeout > 0) timers.push(setTimeout(() => res.end(), timeout * 1000));
    const cleanup = () => {
      unsubscribe();
      for (const t of timers) clearTimeout(t);
    };
    res.on("close", cleanup);
    req.on("close", cleanup);
  }

  private scaleOf(def: ResourceDef, obj: KObject): Obj {
    const spec = (obj.spec ?? {}) as Obj;
    const status = (obj.status ?? {}) as Obj;
    let replicas = spec.replicas;
    let statusReplicas = status.replicas;
    let selector = labelSelectorToString(spec.selector);
    if (def.crd) {
      replicas = pathGet(obj, def.crd.scaleSpecReplicasPath);
      statusReplicas = pathGet(obj, def.crd.scaleStatusReplicasPath);
      selector = String(pathGet(obj, def.crd.scaleLabelSelectorPath) ?? "");
    } else if (def.kind === "ReplicationController") {
      selector = Object.entries((spec.selector ?? {}) as Record<string, string>)
        .map(([k, v]) => `${k}=${v}`)
        .join(",");
    }
    return {
      kind: "Scale",
      apiVersion: "autoscaling/v1",
      metadata: {
        name: obj.metadata.name,
        namespace: obj.metadata.namespace,
        uid: obj.metadata.uid,
        resourceVersion: obj.metadata.resourceVersion,
        creationTimestamp: obj.metadata.creationTimestamp,
      },
      spec: { replicas: typeof replicas === "number" ? replicas : 0 },
      status: { replicas: typeof statusReplicas === "number" ? statusReplicas : 0, ...(selector ? { selector } : {}) },
    };
  }

  private writeScale(
    def: ResourceDef,
    rr: ResourceRequest,
    body: unknown,
    opts: WriteOptions,
    type: PatchType | "update",
  ): Obj {
    const cluster = this.d.cluster;
    const obj = cluster.get(def, rr.namespace, rr.name ?? "");
    const current = this.scaleOf(def, obj);
    let next: unknown;
    if (type === "update") next = body;
    else {
      const raw = String(body);
      if (type === "apply") {
        try {
          next = parseYamlValue(raw);
        } catch (e) {
          throw badRequest(`error decoding YAML: ${(e as Error).message}`);
        }
      } else if (type === "json") next = jsonPatch(current, JSON.parse(raw) as unknown);
      else next = mergePatch(current, JSON.parse(raw) as unknown);
    }
    const replicas = isObj(next) && isObj(next.spec) ? next.spec.replicas : undefined;
    if (typeof replicas !== "number" || replicas < 0) {
      throw invalid("autoscaling", "Scale", rr.name ?? "", [
        {
          type: "FieldValueInvalid",
          field: "spec.replicas",
          value: replicas ?? null,
          detail: "must be greater than or equal to 0",
        },
      ]);
    }
    const rv = isObj(next) && isObj(next.metadata) ? next.metadata.resourceVersion : undefined;
    if (type === "update" && rv && rv !== obj.metadata.resourceVersion) {
      throw new StatusError(
        409,
        "Conflict",
        `Operation cannot be fulfilled on ${def.group ? `${def.name}.${def.group}` : def.name} "${rr.name ?? ""}": the object has been modified; please apply your changes to the latest version and try again`,
        { name: rr.name ?? "", ...(def.group ? { group: def.group } : {}), kind: def.name },
      );
    }
    const updated = structuredClone(obj);
    if (def.crd?.scaleSpecReplicasPath) pathSet(updated, def.crd.scaleSpecReplicasPath, replicas);
    else (updated.spec as Obj).replicas = replicas;
    const stored = cluster.commit(def, obj, updated, { ...opts, subresource: "scale" }, undefined);
    return this.scaleOf(def, stored);
  }

  private review(def: ResourceDef, rr: ResourceRequest, user: UserInfo, body: unknown): Obj {
    if (!isObj(body)) throw badRequest("the body of the request was not an object");
    const spec = (isObj(body.spec) ? body.spec : {}) as Obj;
    const base = {
      kind: def.kind,
      apiVersion: apiVersionOf(def.group, def.version),
      metadata: { creationTimestamp: null, ...(isObj(body.metadata) ? body.metadata : {}) },
      spec,
    };
    const authz = this.d.authorizer;
    const decide = (subject: UserInfo, namespaceOverride?: string): Obj => {
      const ra = spec.resourceAttributes as Obj | undefined;
      const nra = spec.nonResourceAttributes as Obj | undefined;
      let allowed = false;
      let reason = "";
      if (ra) {
        const d = authz.authorizeResource(subject, {
          verb: String(ra.verb ?? ""),
          namespace: namespaceOverride ?? (ra.namespace ? String(ra.namespace) : undefined),
          group: String(ra.group ?? ""),
          resource: String(ra.resource ?? ""),
          subresource: ra.subresource ? String(ra.subresource) : undefined,
          name: ra.name ? String(ra.name) : undefined,
        });
        allowed = d.allowed;
        reason = d.reason;
      } else if (nra) {
        const d = authz.authorizeNonResource(subject, { verb: String(nra.verb ?? ""), path: String(nra.path ?? "") });
        allowed = d.allowed;
        reason = d.reason;
      } else {
        throw invalid(def.group, def.kind, "", [
          {
            type: "FieldValueRequired",
            field: "spec.resourceAttributes",
            detail: "exactly one of nonResourceAttributes or resourceAttributes must be specified",
          },
        ]);
      }
      return { allowed, ...(reason ? { reason } : {}) };
    };
    switch (def.kind) {
      case "SelfSubjectAccessReview":
        return { ...base, status: decide(user) };
      case "LocalSubjectAccessReview":
      case "SubjectAccessReview": {
        const subject: UserInfo = {
          username: String(spec.user ?? ""),
          groups: Array.isArray(spec.groups) ? spec.groups.map(String) : [],
        };
        if (subject.username.startsWith("system:serviceaccount:")) {
          const [, , ns, name] = subject.username.split(":");
          subject.groups = [...new Set([...subject.groups, ...serviceAccountUser(ns ?? "", name ?? "").groups])];
        }
        return { ...base, status: decide(subject, def.kind === "LocalSubjectAccessReview" ? rr.namespace : undefined) };
      }
      case "SelfSubjectRulesReview": {
        const ns = String(spec.namespace ?? "");
        return { ...base, status: { ...authz.rulesFor(user, ns), incomplete: false } };
      }
      case "SelfSubjectReview":
        return {
          kind: def.kind,
          apiVersion: base.apiVersion,
          metadata: { creationTimestamp: nowTimestamp() },
          status: { userInfo: user },
        };
      case "TokenReview": {
        const token = String(spec.token ?? "");
        const claims = this.d.authority.verify(token);
        const who = token ? authenticate(this.d.authority, this.d.store, token) : undefined;
        const audiences =
          Array.isArray(spec.audiences) && spec.audiences.length ? spec.audiences.map(String) : (claims?.aud ?? []);
        return {
          ...base,
          status: who ? { authenticated: true, user: who, audiences } : { user: {}, error: "invalid bearer token" },
        };
      }
      default:
        throw notFound(def.group, def.name, "");
    }
  }

  private tokenRequest(rr: ResourceRequest, body: unknown): Obj {
    const name = rr.name ?? "";
    const namespace = rr.namespace ?? "";
    const spec = (isObj(body) && isObj(body.spec) ? body.spec : {}) as Obj;
    const saDef = this.d.registry.get("", "v1", "serviceaccounts");
    if (!saDef || !this.d.cluster.find(saDef, namespace, name)) throw notFound("", "serviceaccounts", name);
    const expirationSeconds =
      spec.expirationSeconds === undefined || spec.expirationSeconds === null ? 3600 : Number(spec.expirationSeconds);
    if (!Number.isInteger(expirationSeconds) || expirationSeconds < 600) {
      // The TokenRequest in the body has no name of its own: kube-apiserver reports it as "".
      throw invalid("authentication.k8s.io", "TokenRequest", "", [
        {
          type: "FieldValueInvalid",
          field: "spec.expirationSeconds",
          value: expirationSeconds,
          detail: "may not specify a duration less than 10 minutes",
        },
      ]);
    }
    if (expirationSeconds > 2 ** 32) {
      throw invalid("authentication.k8s.io", "TokenRequest", "", [
        {
          type: "FieldValueInvalid",
          field: "spec.expirationSeconds",
          value: expirationSeconds,
          detail: "may not specify a duration larger than 2^32 seconds",
        },
      ]);
    }
    const audiences = Array.isArray(spec.audiences) && spec.audiences.length ? spec.audiences.map(String) : undefined;
    const { token, exp } = this.d.issueServiceAccountToken(namespace, name, expirationSeconds, audiences);
    return {
      kind: "TokenRequest",
      apiVersion: "authentication.k8s.io/v1",
      metadata: { name, namespace, creationTimestamp: null },
      spec: {
        audiences: audiences ?? ["https://kubernetes.default.svc.cluster.local"],
        expirationSeconds,
        boundObjectRef: spec.boundObjectRef ?? null,
      },
      status: { token, expirationTimestamp: nowTimestamp(exp * 1000) },
    };
  }
}

function pathGet(obj: unknown, path: string | undefined): unknown {
  if (!path) return undefined;
  let cur: unknown = obj;
  for (const seg of path.replace(/^\./, "").split(".")) {
    if (!isObj(cur)) return undefined;
    cur = cur[seg];
  }
  return cur;
}

function pathSet(obj: Obj, path: string, value: unknown): void {
  const segs = path.replace(/^\./, "").split(".");
  let cur: Obj = obj;
  for (const seg of segs.slice(0, -1)) {
    if (!isObj(cur[seg])) cur[seg] = {};
    cur = cur[seg] as Obj;
  }
  const last = segs[segs.length - 1];
  if (last) cur[last] = value;
}
