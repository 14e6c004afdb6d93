/**
 * The real v1.24 capture as a run sees it: the cluster the verifier's own
 * discovery makes of the captured objects, and a `docker` that answers
 * `docker exec <node> iptables-save` with that node's captured rules.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type * as k8s from "@kubernetes/client-node";
import { dataPlaneOf } from "../../../verifier/data-plane";
import { discoverOnce } from "../../../verifier/discover";
import type { RunProgram } from "../../../verifier/explain/sources";
import { RulesUnavailableError } from "../../../verifier/explain/sources";
import type { KubeLists } from "../../../verifier/kube/api";
import type { Cluster } from "../../../verifier/model";
import { parseLabelSelector } from "../../support/standin/label-selector";
import { CAPTURE_DIR, rulesFile } from "./capture";

/** The capture's kube-proxy ran in iptables mode (its kube-system objects were not captured: stated, as the real-kernel suite does). */
export const CAPTURED_DATA_PLANE = dataPlaneOf("iptables", "stated", "--data-plane iptables");

function items<T>(dir: string, file: string): T[] {
  return (JSON.parse(fs.readFileSync(path.join(dir, file), "utf8")) as { items: T[] }).items;
}

/** The capture's objects as the API would list them; `dir` holds the scenario's own endpointslices.json. */
function captureLists(dir: string): KubeLists {
  const pods = items<k8s.V1Pod>(CAPTURE_DIR, "pods.json");
  return {
    nodes: async () => items<k8s.V1Node>(CAPTURE_DIR, "nodes.json"),
    services: async () => items<k8s.V1Service>(CAPTURE_DIR, "services.json"),
    endpointSlices: async () => items<k8s.V1EndpointSlice>(dir, "endpointslices.json"),
    pods: async (_namespace, selector) => pods.filter((p) => parseLabelSelector(selector)(p.metadata?.labels ?? {})),
  };
}

/** The cluster the verifier discovers on the capture (or its `backend-not-ready/` scenario). */
export function captureCluster(dir: string = CAPTURE_DIR): Promise<Cluster> {
  return discoverOnce(captureLists(dir), { context: "captured-v1.24", server: "https://198.18.0.2:6443", namespace: "svclab", clusterDomain: "cluster.local" });
}

/** A `docker` that serves each node's captured rules and records its calls; `broken` nodes fail as a missing container does. */
export function captureDocker(dir: string = CAPTURE_DIR, broken: readonly string[] = []): { run: RunProgram; calls: string[] } {
  const calls: string[] = [];
  const run: RunProgram = async (program, args) => {
    calls.push([program, ...args].join(" "));
    const [verb, node, tool] = args;
    if (program !== "docker" || verb !== "exec" || node === undefined) throw new Error(`unexpected ${program} ${args.join(" ")}`);
    if (broken.includes(node)) throw new RulesUnavailableError(`\`docker ${args.join(" ")}\`: Error response from daemon: No such container: ${node}`);
    if (tool !== "iptables-save") throw new RulesUnavailableError(`\`docker ${args.join(" ")}\`: not captured`);
    return fs.readFileSync(rulesFile(node, dir), "utf8");
  };
  return { run, calls };
}
