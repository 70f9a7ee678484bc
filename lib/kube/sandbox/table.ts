/** meta.k8s.io/v1 Table rendering for `kubectl get` (server-side printing). */
import type { ResourceDef } from "./resources";
import type { KObject } from "./store";

interface Column {
  name: string;
  type: string;
  format: string;
  description: string;
  priority: number;
}

type Cell = string | number | boolean;
type Obj = Record<string, unknown>;

/** duration.HumanDuration from k8s.io/apimachinery. */
export function humanDuration(seconds: number): string {
  if (seconds < -1) return "<invalid>";
  if (seconds < 0) return "0s";
  const s = Math.floor(seconds);
  if (s < 120) return `${s}s`;
  const minutes = Math.floor(s / 60);
  if (minutes < 10) return s % 60 === 0 ? `${minutes}m` : `${minutes}m${s % 60}s`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8)
    return hours % 24 === 0 ? `${Math.floor(hours / 24)}d` : `${Math.floor(hours / 24)}d${hours % 24}h`;
  const days = Math.floor(hours / 24);
  if (hours < 24 * 365 * 2) return `${days}d`;
  if (hours < 24 * 365 * 8)
    return days % 365 === 0 ? `${Math.floor(days / 365)}y` : `${Math.floor(days / 365)}y${days % 365}d`;
  return `${Math.floor(days / 365)}y`;
}

function age(o: KObject, now: number): string {
  const ts = o.metadata.creationTimestamp;
  if (!ts) return "<unknown>";
  return humanDuration((now - Date.parse(ts)) / 1000);
}

const col = (name: string, type = "string", description = "", priority = 0, format = ""): Column => ({
  name,
  type,
  format,
  description,
  priority,
});
const NAME = col(
  "Name",
  "string",
  "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names",
  0,
  "name",
);
const AGE = col(
  "Age",
  "string",
  "CreationTimestamp is a timestamp representing the server time when this object was created.",
);

function n(v: unknown): number {
  return typeof v === "number" ? v : 0;
}

function containersOf(template: unknown): Obj[] {
  const spec = ((template ?? {}) as Obj).spec as Obj | undefined;
  return Array.isArray(spec?.containers) ? (spec.containers as Obj[]) : [];
}

function selectorString(sel: unknown): string {
  const ml = ((sel ?? {}) as Obj).matchLabels as Record<string, string> | undefined;
  const parts = Object.entries(ml ?? {}).map(([k, v]) => `${k}=${v}`);
  return parts.length ? parts.join(",") : "<none>";
}

function jsonPathValue(o: unknown, path: string): unknown {
  let cur: unknown = o;
  for (const seg of path.replace(/^\./, "").split(".")) {
    if (!seg) continue;
    if (!cur || typeof cur !== "object") return undefined;
    cur = (cur as Obj)[seg];
  }
  return cur;
}

interface Printer {
  columns: Column[];
  cells: (o: KObject, now: number) => Cell[];
}

function printerFor(def: ResourceDef): Printer {
  if (def.crd) {
    const cols = def.crd.printerColumns;
    if (!cols?.length) return { columns: [NAME, AGE], cells: (o, now) => [o.metadata.name ?? "", age(o, now)] };
    return {
      columns: [NAME, ...cols.map((c) => col(c.name, c.type, c.description ?? "", c.priority ?? 0, c.format ?? ""))],
      cells: (o, now) => [
        o.metadata.name ?? "",
        ...cols.map((c): Cell => {
          if (c.jsonPath === ".metadata.creationTimestamp" && c.type === "date") return age(o, now);
          const v = jsonPathValue(o, c.jsonPath);
          if (v === undefined || v === null) return "";
          if (c.type === "date" && typeof v === "string") return humanDuration((now - Date.parse(v)) / 1000);
          return typeof v === "object" ? JSON.stringify(v) : (v as Cell);
        }),
      ],
    };
  }
  switch (`${def.group}/${def.kind}`) {
    case "/Namespace":
      return {
        columns: [NAME, col("Status", "string", "The status of the namespace"), AGE],
        cells: (o, now) => [o.metadata.name ?? "", String(((o.status ?? {}) as Obj).phase ?? ""), age(o, now)],
      };
    case "apps/Deployment":
      return {
        columns: [
          NAME,
          col("Ready", "string", "Number of the pod with ready state"),
          col(
            "Up-to-date",
            "integer",
            "Total number of non-terminated pods targeted by this deployment that have the desired template spec.",
          ),
          col(
            "Available",
            "integer",
            "Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.",
          ),
          AGE,
          col("Containers", "string", "Names of each container in the template.", 1),
          col("Images", "string", "Images referenced by each container in the template.", 1),
          col(
            "Selector",
            "string",
            "Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment.",
            1,
          ),
        ],
        cells: (o, now) => {
          const spec = (o.spec ?? {}) as Obj;
          const st = (o.status ?? {}) as Obj;
          const cs = containersOf(spec.template);
          return [
            o.metadata.name ?? "",
            `${n(st.readyReplicas)}/${n(spec.replicas)}`,
            n(st.updatedReplicas),
            n(st.availableReplicas),
            age(o, now),
            cs.map((c) => c.name).join(","),
            cs.map((c) => c.image).join(","),
            selectorString(spec.selector),
          ];
        },
      };
    case "apps/StatefulSet":
      return {
        columns: [
          NAME,
          col("Ready", "string", "Number of the pod with ready state"),
          AGE,
          col("Containers", "string", "Names of each container in the template.", 1),
          col("Images", "string", "Images referenced by each container in the template.", 1),
        ],
        cells: (o, now) => {
          const spec = (o.spec ?? {}) as Obj;
          const st = (o.status ?? {}) as Obj;
          const cs = containersOf(spec.template);
          return [
            o.metadata.name ?? "",
            `${n(st.readyReplicas)}/${n(spec.replicas)}`,
            age(o, now),
            cs.map((c) => c.name).join(","),
            cs.map((c) => c.image).join(","),
          ];
        },
      };
    case "apps/DaemonSet":
      return {
        columns: [
          NAME,
          col("Desired", "integer"),
          col("Current", "integer"),
          col("Ready", "integer"),
          col("Up-to-date", "integer"),
          col("Available", "integer"),
          col("Node Selector", "string"),
          AGE,
        ],
        cells: (o, now) => {
          const st = (o.status ?? {}) as Obj;
          const ns = ((((o.spec ?? {}) as Obj).template ?? {}) as Obj).spec as Obj | undefined;
          const sel = Object.entries((ns?.nodeSelector ?? {}) as Record<string, string>)
            .map(([k, v]) => `${k}=${v}`)
            .join(",");
          return [
            o.metadata.name ?? "",
            n(st.desiredNumberScheduled),
            n(st.currentNumberScheduled),
            n(st.numberReady),
            n(st.updatedNumberScheduled),
            n(st.numberAvailable),
            sel || "<none>",
            age(o, now),
          ];
        },
      };
    case "apps/ReplicaSet":
      return {
        columns: [NAME, col("Desired", "integer"), col("Current", "integer"), col("Ready", "integer"), AGE],
        cells: (o, now) => {
          const st = (o.status ?? {}) as Obj;
          return [
            o.metadata.name ?? "",
            n(((o.spec ?? {}) as Obj).replicas),
            n(st.replicas),
            n(st.readyReplicas),
            age(o, now),
          ];
        },
      };
    case "batch/Job":
      return {
        columns: [NAME, col("Status", "string"), col("Completions", "string"), col("Duration", "string"), AGE],
        cells: (o, now) => {
          const st = (o.status ?? {}) as Obj;
          const conds = (st.conditions ?? []) as Obj[];
          const status = conds.some((c) => c.type === "Complete" && c.status === "True")
            ? "Complete"
            : conds.some((c) => c.type === "Failed" && c.status === "True")
              ? "Failed"
              : "Running";
          const start = typeof st.startTime === "string" ? Date.parse(st.startTime) : undefined;
          const end = typeof st.completionTime === "string" ? Date.parse(st.completionTime) : now;
          return [
            o.metadata.name ?? "",
            status,
            `${n(st.succeeded)}/${n(((o.spec ?? {}) as Obj).completions)}`,
            start ? humanDuration((end - start) / 1000) : "",
            age(o, now),
          ];
        },
      };
    case "batch/CronJob":
      return {
        columns: [
          NAME,
          col("Schedule", "string"),
          col("Timezone", "string"),
          col("Suspend", "boolean"),
          col("Active", "integer"),
          col("Last Schedule", "string"),
          AGE,
        ],
        cells: (o, now) => {
          const spec = (o.spec ?? {}) as Obj;
          const st = (o.status ?? {}) as Obj;
          return [
            o.metadata.name ?? "",
            String(spec.schedule ?? ""),
            String(spec.timeZone ?? "<none>"),
            Boolean(spec.suspend),
            Array.isArray(st.active) ? st.active.length : 0,
            typeof st.lastScheduleTime === "string"
              ? humanDuration((now - Date.parse(st.lastScheduleTime)) / 1000)
              : "<none>",
            age(o, now),
          ];
        },
      };
    case "/Pod":
      return {
        columns: [
          NAME,
          col("Ready", "string"),
          col("Status", "string"),
          col("Restarts", "string"),
          AGE,
          col("IP", "string", "", 1),
          col("Node", "string", "", 1),
          col("Nominated Node", "string", "", 1),
          col("Readiness Gates", "string", "", 1),
        ],
        cells: (o, now) => {
          const st = (o.status ?? {}) as Obj;
          const cs = (st.containerStatuses ?? []) as Obj[];
          const total = containersOf({ spec: o.spec }).length;
          // The Status column shows a waiting or terminated container's reason (CrashLoopBackOff, Completed…), as kubectl's printer does.
          let reason = String(st.phase ?? "Pending");
          for (const c of cs) {
            const state = (c.state ?? {}) as Obj;
            const why = ((state.waiting ?? state.terminated ?? {}) as Obj).reason;
            if (typeof why === "string" && why) reason = why;
          }
          if (o.metadata.deletionTimestamp) reason = "Terminating";
          const spec = (o.spec ?? {}) as Obj;
          return [
            o.metadata.name ?? "",
            `${cs.filter((c) => c.ready).length}/${total}`,
            reason,
            String(cs.reduce((a, c) => a + n(c.restartCount), 0)),
            age(o, now),
            String(st.podIP ?? "<none>"),
            String(spec.nodeName ?? "<none>"),
            "<none>",
            "<none>",
          ];
        },
      };
    case "/Event":
      return {
        columns: [
          col("Last Seen", "string"),
          col("Type", "string"),
          col("Reason", "string"),
          col("Object", "string"),
          col("Subobject", "string", "", 1),
          col("Source", "string", "", 1),
          col("Message", "string"),
          col("First Seen", "string", "", 1),
          col("Count", "string", "", 1),
          col("Name", "string", "", 1),
        ],
        cells: (o, now) => {
          const involved = (o.involvedObject ?? {}) as Obj;
          const source = (o.source ?? {}) as Obj;
          const seen = (v: unknown) =>
            typeof v === "string" ? humanDuration((now - Date.parse(v)) / 1000) : "<unknown>";
          return [
            seen(o.lastTimestamp),
            String(o.type ?? ""),
            String(o.reason ?? ""),
            `${String(involved.kind ?? "").toLowerCase()}/${String(involved.name ?? "")}`,
            String(involved.fieldPath ?? ""),
            [source.component, source.host].filter(Boolean).join(", "),
            String(o.message ?? ""),
            seen(o.firstTimestamp),
            String(o.count ?? 1),
            o.metadata.name ?? "",
          ];
        },
      };
    case "apps/ControllerRevision":
      return {
        columns: [NAME, col("Controller", "string"), col("Revision", "integer"), AGE],
        cells: (o, now) => {
          const ref = (o.metadata.ownerReferences ?? []).find((r) => r.controller);
          const group = ref?.apiVersion.includes("/") ? `.${ref.apiVersion.split("/")[0] ?? ""}` : "";
          return [
            o.metadata.name ?? "",
            ref ? `${ref.kind.toLowerCase()}${group}/${ref.name}` : "<none>",
            n(o.revision),
            age(o, now),
          ];
        },
      };
    case "/Service":
      return {
        columns: [
          NAME,
          col("Type", "string"),
          col("Cluster-IP", "string"),
          col("External-IP", "string"),
          col("Port(s)", "string"),
          AGE,
          col("Selector", "string", "", 1),
        ],
        cells: (o, now) => {
          const spec = (o.spec ?? {}) as Obj;
          const ports = ((spec.ports ?? []) as Obj[])
            .map((p) => `${String(p.port)}${p.nodePort ? `:${String(p.nodePort)}` : ""}/${String(p.protocol ?? "TCP")}`)
            .join(",");
          const ext =
            spec.type === "ExternalName"
              ? String(spec.externalName ?? "")
              : spec.type === "LoadBalancer"
                ? "<pending>"
                : "<none>";
          const sel = Object.entries((spec.selector ?? {}) as Record<string, string>)
            .map(([k, v]) => `${k}=${v}`)
            .join(",");
          return [
            o.metadata.name ?? "",
            String(spec.type ?? "ClusterIP"),
            String(spec.clusterIP ?? "<none>"),
            ext,
            ports || "<none>",
            age(o, now),
            sel || "<none>",
          ];
        },
      };
    case "/ConfigMap":
      return {
        columns: [NAME, col("Data", "integer"), AGE],
        cells: (o, now) => [
          o.metadata.name ?? "",
          Object.keys((o.data ?? {}) as Obj).length + Object.keys((o.binaryData ?? {}) as Obj).length,
          age(o, now),
        ],
      };
    case "/Secret":
      return {
        columns: [NAME, col("Type", "string"), col("Data", "integer"), AGE],
        cells: (o, now) => [
          o.metadata.name ?? "",
          String(o.type ?? "Opaque"),
          Object.keys((o.data ?? {}) as Obj).length,
          age(o, now),
        ],
      };
    case "/ServiceAccount":
      return {
        columns: [NAME, col("Secrets", "integer"), AGE],
        cells: (o, now) => [o.metadata.name ?? "", Array.isArray(o.secrets) ? o.secrets.length : 0, age(o, now)],
      };
    case "/Node":
      return {
        columns: [NAME, col("Status", "string"), col("Roles", "string"), AGE, col("Version", "string")],
        cells: (o, now) => {
          const conds = (((o.status ?? {}) as Obj).conditions ?? []) as Obj[];
          const ready = conds.find((c) => c.type === "Ready")?.status === "True" ? "Ready" : "NotReady";
          const roles = Object.keys(o.metadata.labels ?? {})
            .filter((k) => k.startsWith("node-role.kubernetes.io/"))
            .map((k) => k.slice("node-role.kubernetes.io/".length));
          const info = (((o.status ?? {}) as Obj).nodeInfo ?? {}) as Obj;
          return [
            o.metadata.name ?? "",
            ready,
            roles.join(",") || "<none>",
            age(o, now),
            String(info.kubeletVersion ?? ""),
          ];
        },
      };
    case "networking.k8s.io/Ingress":
      return {
        columns: [
          NAME,
          col("Class", "string"),
          col("Hosts", "string"),
          col("Address", "string"),
          col("Ports", "string"),
          AGE,
        ],
        cells: (o, now) => {
          const spec = (o.spec ?? {}) as Obj;
          const hosts = ((spec.rules ?? []) as Obj[]).map((r) => String(r.host ?? "*"));
          return [
            o.metadata.name ?? "",
            String(spec.ingressClassName ?? "<none>"),
            hosts.join(",") || "*",
            "",
            spec.tls ? "80, 443" : "80",
            age(o, now),
          ];
        },
      };
    case "autoscaling/HorizontalPodAutoscaler":
      return {
        columns: [
          NAME,
          col("Reference", "string"),
          col("Targets", "string"),
          col("MinPods", "string"),
          col("MaxPods", "integer"),
          col("Replicas", "integer"),
          AGE,
        ],
        cells: (o, now) => {
          const spec = (o.spec ?? {}) as Obj;
          const ref = (spec.scaleTargetRef ?? {}) as Obj;
          return [
            o.metadata.name ?? "",
            `${String(ref.kind ?? "")}/${String(ref.name ?? "")}`,
            "<unknown>",
            String(spec.minReplicas ?? 1),
            n(spec.maxReplicas),
            n(((o.status ?? {}) as Obj).currentReplicas),
            age(o, now),
          ];
        },
      };
    case "rbac.authorization.k8s.io/RoleBinding":
    case "rbac.authorization.k8s.io/ClusterRoleBinding":
      return {
        columns: [NAME, col("Role", "string"), AGE],
        cells: (o, now) => {
          const ref = (o.roleRef ?? {}) as Obj;
          return [o.metadata.name ?? "", `${String(ref.kind ?? "")}/${String(ref.name ?? "")}`, age(o, now)];
        },
      };
    case "/PersistentVolumeClaim":
      return {
        columns: [
          NAME,
          col("Status", "string"),
          col("Volume", "string"),
          col("Capacity", "string"),
          col("Access Modes", "string"),
          col("StorageClass", "string"),
          AGE,
        ],
        cells: (o, now) => {
          const spec = (o.spec ?? {}) as Obj;
          return [
            o.metadata.name ?? "",
            String(((o.status ?? {}) as Obj).phase ?? "Pending"),
            String(spec.volumeName ?? ""),
            "",
            ((spec.accessModes ?? []) as string[])
              .map((m) =>
                m.replace("ReadWriteOnce", "RWO").replace("ReadOnlyMany", "ROX").replace("ReadWriteMany", "RWX"),
              )
              .join(","),
            String(spec.storageClassName ?? "<unset>"),
            age(o, now),
          ];
        },
      };
    case "policy/PodDisruptionBudget":
      return {
        columns: [
          NAME,
          col("Min Available", "string"),
          col("Max Unavailable", "string"),
          col("Allowed Disruptions", "integer"),
          AGE,
        ],
        cells: (o, now) => {
          const spec = (o.spec ?? {}) as Obj;
          return [
            o.metadata.name ?? "",
            String(spec.minAvailable ?? "N/A"),
            String(spec.maxUnavailable ?? "N/A"),
            n(((o.status ?? {}) as Obj).disruptionsAllowed),
            age(o, now),
          ];
        },
      };
    case "networking.k8s.io/NetworkPolicy":
      return {
        columns: [NAME, col("Pod-Selector", "string"), AGE],
        cells: (o, now) => [
          o.metadata.name ?? "",
          selectorString(((o.spec ?? {}) as Obj).podSelector).replace("<none>", "<none>"),
          age(o, now),
        ],
      };
    case "apiextensions.k8s.io/CustomResourceDefinition":
    case "rbac.authorization.k8s.io/Role":
    case "rbac.authorization.k8s.io/ClusterRole":
      return {
        columns: [NAME, col("Created At", "date")],
        cells: (o) => [o.metadata.name ?? "", o.metadata.creationTimestamp ?? ""],
      };
    default:
      return { columns: [NAME, AGE], cells: (o, now) => [o.metadata.name ?? "", age(o, now)] };
  }
}

export type IncludeObject = "None" | "Metadata" | "Object";

function rowObject(o: KObject, include: IncludeObject, apiVersion: string, kind: string): unknown {
  if (include === "None") return undefined;
  if (include === "Object") return { apiVersion, kind, ...o };
  const { managedFields: _ignored, ...metadata } = o.metadata;
  void _ignored;
  return { kind: "PartialObjectMetadata", apiVersion: "meta.k8s.io/v1", metadata };
}

/** Renders objects as a Table; `withColumns` is false for watch events after the first, as the real server does. */
export function toTable(
  objs: KObject[],
  def: ResourceDef,
  opts: {
    include: IncludeObject;
    resourceVersion?: string;
    continueToken?: string;
    withColumns?: boolean;
    apiVersion: string;
  },
): Record<string, unknown> {
  const printer = printerFor(def);
  const now = Date.now();
  const table: Record<string, unknown> = {
    kind: "Table",
    apiVersion: "meta.k8s.io/v1",
    metadata: {
      ...(opts.resourceVersion ? { resourceVersion: opts.resourceVersion } : {}),
      ...(opts.continueToken ? { continue: opts.continueToken } : {}),
    },
    columnDefinitions: opts.withColumns === false ? null : printer.columns,
    rows: objs.map((o) => {
      const row: Record<string, unknown> = { cells: printer.cells(o, now) };
      const object = rowObject(o, opts.include, opts.apiVersion, def.kind);
      if (object !== undefined) row.object = object;
      return row;
    }),
  };
  return table;
}
