/**
 * Probes, observations and results: the vocabulary shared by the planner,
 * the probe runners, the judge and the reports.
 */
import type { ProbeAgentInfo } from "./model";
import type { RuleId, Vantage } from "./rules";

export type { Vantage } from "./rules";

/** A pod a Service may legitimately answer from. */
export interface EndpointRef {
  readonly podName: string | undefined;
  readonly address: string;
  readonly nodeName: string | undefined;
}

/** What a probe sends, and to where. `label` is the target part of the probe id. */
export type Target =
  /** An HTTP GET of `url` (a pod IP, ClusterIP, node port, LoadBalancer address or DNS name). */
  | { readonly kind: "http"; readonly label: string; readonly url: string; readonly requests: number }
  /** A DNS lookup. */
  | { readonly kind: "resolve"; readonly label: string; readonly name: string; readonly recordType: "A" | "AAAA" | "CNAME" }
  /** A GET through the API server's service proxy; `path` is the API path. */
  | { readonly kind: "api-proxy"; readonly label: string; readonly path: string }
  /** A check of the discovered objects; no traffic. */
  | { readonly kind: "inspect"; readonly label: string };

/** What the rule says the probe must observe. */
export type Expectation =
  /**
   * Every answer comes from one of `endpoints`. Optional narrowing: the
   * answering container listens on `listenPort`; every answer comes from a pod
   * on `onNode`; the client address the pod saw is none of `clientNotIn`.
   */
  | {
      readonly kind: "reach";
      readonly endpoints: readonly EndpointRef[];
      readonly listenPort?: number;
      readonly onNode?: string;
      readonly clientNotIn?: readonly string[];
    }
  /**
   * None of `endpoints` answers: any connection failure passes, and so does an
   * answer from something that is not one of them ("answered, not the
   * Service"), with or without a workload identity. `endpoints` are the
   * Service's endpoints and the pods its selector matches, ready or not.
   */
  | {
      readonly kind: "no-reach";
      readonly endpoints: readonly EndpointRef[];
      /**
       * Pods whose answer passes too: the serving-but-terminating endpoints of
       * a Service with no ready ones, where it is unknown whether the data
       * plane falls back to them.
       */
      readonly mayAnswer?: readonly EndpointRef[];
    }
  /** The connection is refused (not timed out). */
  | { readonly kind: "refused" }
  /** `requests` answers, all from endpoints, from at least `minPods` different pods. */
  | { readonly kind: "spread"; readonly endpoints: readonly EndpointRef[]; readonly minPods: number }
  /** Every answer comes from one and the same endpoint pod. */
  | { readonly kind: "single-pod"; readonly endpoints: readonly EndpointRef[] }
  /** The name resolves to exactly these records (order ignored). */
  | { readonly kind: "resolves-to"; readonly records: readonly string[] }
  /** The name resolves to a CNAME naming `name`. */
  | { readonly kind: "cname"; readonly name: string }
  /** The name does not resolve. */
  | { readonly kind: "no-resolve" }
  /** The API server's proxy answers with an error status. */
  | { readonly kind: "proxy-fails" }
  /** A fact read from the discovered objects; `otherwise` is the status when it does not hold. */
  | { readonly kind: "fact"; readonly holds: boolean; readonly detail: string; readonly otherwise: "fail" | "error" };

/** One planned probe. */
export interface Probe {
  /** Stable id `<service>/<target>/<vantage>`; pod probes use `pod:<node>` as the vantage part. */
  readonly id: string;
  readonly rule: RuleId;
  readonly service: string;
  readonly vantage: Vantage;
  /** For pod probes: the node whose probe agent sends the request. */
  readonly from?: string;
  /** For pod probes: the agent to use; `undefined` when the node has none (the probe is an error). */
  readonly agent?: ProbeAgentInfo;
  readonly target: Target;
  readonly expect: Expectation;
  /** When set, the probe is not run and is reported `skipped` with this reason. */
  readonly skip?: string;
  /**
   * When set and every attempt is refused, the probe is reported `skipped`
   * with this reason instead of judged (a localhost stand-in for a node port
   * that kind may not have mapped).
   */
  readonly skipWhenRefused?: string;
  /**
   * What the target's stable label stands for in this run, for messages:
   * e.g. `pod frontend-7d9c5-x2x4q (10.244.1.5)` for `pod:kind-worker#1:3000`.
   */
  readonly subject?: string;
  /**
   * Which case of the rule decided the expectation, added to the verdict's
   * reason: e.g. that the Service has no ready endpoints and the data plane
   * falls back to its serving-but-terminating ones.
   */
  readonly because?: string;
}

/** How a request failed. The same vocabulary as the probe agent's `/dial`. */
export type FailureKind = "refused" | "timeout" | "dns" | "reset" | "unreachable" | "http-status" | "other";

/** The workload's identity JSON (`GET /` of the demo app). */
export interface Identity {
  readonly role?: string;
  readonly pod?: string;
  readonly namespace?: string;
  readonly node?: string;
  readonly podIP?: string;
  readonly listenPort?: number;
  readonly client?: { readonly address?: string; readonly port?: number; readonly forwardedFor?: string | null };
}

/** One HTTP attempt. */
export interface Attempt {
  readonly ok: boolean;
  /** HTTP status, when an answer came. */
  readonly status: number | null;
  /** The parsed identity when the body was a workload identity. */
  readonly identity: Identity | null;
  readonly error: FailureKind | null;
  readonly message?: string;
  readonly latencyMs: number;
  /** The address this machine's socket connected from (outside probes that got an answer). */
  readonly sourceAddress?: string;
}

/** What a probe saw. */
export type Observation =
  | { readonly kind: "http"; readonly attempts: readonly Attempt[] }
  | { readonly kind: "dns"; readonly ok: true; readonly records: readonly string[] }
  | { readonly kind: "dns"; readonly ok: false; readonly error: string }
  /**
   * The probe could not run (no agent, API or proxy failure): always an error.
   * `transient` when the hop was only slow or dropped, so a retry may still get through.
   */
  | { readonly kind: "broken"; readonly message: string; readonly transient?: boolean }
  | { readonly kind: "none" };

export type ProbeStatus = "pass" | "fail" | "error" | "skipped";

/** A judged probe, as reports show it. */
export interface ProbeResult {
  readonly id: string;
  readonly rule: { readonly id: RuleId; readonly sentence: string };
  readonly service: string;
  /** The target part of the id, e.g. `node-port:kind-worker:http`; stable across runs of the same lab. */
  readonly target: string;
  readonly vantage: Vantage;
  /** For pod probes: the node the request was sent from. */
  readonly from?: string;
  /** What the stable target label stands for in this run, e.g. `pod frontend-7d9c5-x2x4q (10.244.1.5)`. */
  readonly subject?: string;
  /** The expectation in words, e.g. `reach an endpoint pod`. */
  readonly expect: string;
  /** True when the rule expects nothing to answer; a pass then means "confirmed unreachable", not a reach. */
  readonly expectNo: boolean;
  readonly status: ProbeStatus;
  readonly observation: Observation;
  /** Why the status is what it is, in one line. */
  readonly reason: string;
  readonly durationMs: number;
}
