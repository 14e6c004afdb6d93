/**
 * The real v1.24 capture (test/fixtures/real-cluster-v1.24): each node's
 * iptables-save parsed, and the objects as --objects reads them.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseIptablesSave } from "../../../verifier/explain/iptables-save";
import { readObjectsDir, type ClusterObjects } from "../../../verifier/explain/objects";
import type { Ruleset } from "../../../verifier/explain/ruleset";

export const CAPTURE_DIR = path.resolve(__dirname, "..", "..", "fixtures", "real-cluster-v1.24");
export const NOT_READY_DIR = path.join(CAPTURE_DIR, "backend-not-ready");

/** The capture's node names, from nodes.json. */
export function captureNodes(dir: string = CAPTURE_DIR): string[] {
  return readObjectsDir(dir).nodes as string[];
}

export function rulesFile(node: string, dir: string = CAPTURE_DIR): string {
  return path.join(dir, `kube-proxy-iptables.${node}.txt`);
}

export function rulesOf(node: string, dir: string = CAPTURE_DIR): Ruleset {
  const file = rulesFile(node, dir);
  return parseIptablesSave(fs.readFileSync(file, "utf8"), file);
}

/** The capture's objects; backend-not-ready/ holds only its own endpointslices.json, the rest is shared. */
export function objectsOf(dir: string = CAPTURE_DIR): ClusterObjects {
  const base = readObjectsDir(CAPTURE_DIR);
  if (dir === CAPTURE_DIR) return base;
  const slices = JSON.parse(fs.readFileSync(path.join(dir, "endpointslices.json"), "utf8")) as { items: ClusterObjects["slices"] };
  return { ...base, origin: `--objects ${dir}`, slices: slices.items };
}

/** Ready addresses (and their nodes) of a Service's EndpointSlices. */
export function readyEndpoints(objects: ClusterObjects, name: string): { address: string; node: string | undefined }[] {
  return objects.slices
    .filter((s) => s.metadata.labels?.["kubernetes.io/service-name"] === name)
    .flatMap((s) => s.endpoints ?? [])
    .filter((e) => e.conditions?.ready === true)
    .flatMap((e) => e.addresses.map((address) => ({ address, node: e.nodeName })));
}
