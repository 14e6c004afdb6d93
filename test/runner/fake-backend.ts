/**
 * A stand-in for the Automation API boundary ({@link LabBackend}) that keeps
 * a tiny in-memory stack: `up` adds resources, `destroy` removes them, and
 * each call is recorded so tests can assert the runner's sequencing.
 */
import type { CommandResult, CommandRunner } from "../../runner/exec";
import type { StackLock } from "../../runner/locks";
import type { LabBackend, LabDestroyOptions, LabOutputs } from "../../runner/pulumi";
import { EMPTY_SNAPSHOT, StackSnapshot } from "../../runner/stack-state";

export const SAMPLE_OUTPUTS: LabOutputs = {
  clusterMode: "kind",
  clusterName: "svclab",
  namespace: "svclab",
  kubeconfig: "apiVersion: v1\nkind: Config\ncurrent-context: kind-svclab\n",
  nodes: [{ name: "svclab-control-plane", role: "control-plane", internalIP: "172.18.0.2" }],
  services: {
    backend: { type: "ClusterIP", clusterIP: "10.96.0.10", port: 80, nodePort: null, loadBalancerAddress: null },
    "frontend-nodeport": { type: "NodePort", clusterIP: "10.96.0.11", port: 80, nodePort: 30080, loadBalancerAddress: null },
    "frontend-lb": { type: "LoadBalancer", clusterIP: "10.96.0.12", port: 80, nodePort: 31234, loadBalancerAddress: "172.18.0.9" },
  },
  nodePortUrls: { "frontend-nodeport": ["http://172.18.0.2:30080", "http://172.18.0.3:30080"] },
  localhostUrls: { "frontend-nodeport": ["http://127.0.0.1:30080"] },
  apiProxyUrls: { backend: "http://localhost:8001/api/v1/namespaces/svclab/services/backend:http/proxy/" },
  loadBalancer: "cloud-provider-kind",
};

export class FakeBackend implements LabBackend {
  readonly backendUrl = "file:///fake/.pulumi-state";
  readonly calls: string[] = [];
  /** `undefined`: no stack yet. */
  stack: StackSnapshot | undefined;
  lockList: StackLock[] = [];
  upError: Error | undefined;
  destroyError: Error | undefined;
  /** Called during `up`, e.g. to simulate Ctrl-C arriving while it runs. */
  duringUp: (() => void) | undefined;
  outputsValue: LabOutputs = SAMPLE_OUTPUTS;

  constructor(stack?: StackSnapshot) {
    this.stack = stack;
  }

  async snapshot() {
    this.calls.push("snapshot");
    return this.stack;
  }

  locks() {
    this.calls.push("locks");
    return this.lockList;
  }

  async cancel() {
    this.calls.push("cancel");
    this.lockList = [];
  }

  async clearPendingOperations() {
    this.calls.push("clearPendingOperations");
    if (this.stack !== undefined) {
      this.stack = { ...this.stack, pendingOperations: [], pendingClusterNames: [], pendingContainerNames: [] };
    }
  }

  async up(onProgress: (line: string) => void, signal?: AbortSignal) {
    this.calls.push("up");
    this.duringUp?.();
    // A failed or interrupted up still leaves what it created in the state.
    this.stack = { ...(this.stack ?? EMPTY_SNAPSHOT), resourceCount: 5, clusterNames: ["svclab"], containerNames: ["cloud-provider-kind"] };
    if (signal?.aborted === true) {
      throw new Error("code: 255\n stderr: error: update canceled");
    }
    if (this.upError !== undefined) {
      throw this.upError;
    }
    onProgress("created svclab-kind");
    return this.outputsValue;
  }

  /** The options of each destroy call. */
  readonly destroyOptions: LabDestroyOptions[] = [];

  async destroy(onProgress: (line: string) => void, options: LabDestroyOptions = {}) {
    this.calls.push("destroy");
    this.destroyOptions.push(options);
    if (this.destroyError !== undefined) {
      throw this.destroyError;
    }
    onProgress("deleted svclab-kind");
    this.stack = { ...(this.stack ?? EMPTY_SNAPSHOT), resourceCount: 0, clusterNames: [], containerNames: [] };
  }

  async outputs() {
    this.calls.push("outputs");
    return this.stack === undefined || this.stack.resourceCount === 0 ? undefined : this.outputsValue;
  }
}

/** Answers for an in-memory command runner, keyed by `program arg arg…`. */
export type CommandAnswers = Record<string, Partial<CommandResult>>;

/** An in-memory {@link CommandRunner} recording its calls; unknown commands are "not found". */
export function fakeRunner(answers: CommandAnswers): CommandRunner & { calls: string[] } {
  const calls: string[] = [];
  const runner = async (file: string, args: readonly string[]): Promise<CommandResult> => {
    const key = [file, ...args].join(" ");
    calls.push(key);
    const answer = answers[key];
    return answer === undefined ? { outcome: "not-found", code: undefined, stdout: "", stderr: "" } : { outcome: "ok", code: 0, stdout: "", stderr: "", ...answer };
  };
  return Object.assign(runner, { calls });
}

/** Collects what `lab`/`down` print, per stream. */
export function captureIo(): { out: string[]; err: string[]; io: { out: (text: string) => void; err: (text: string) => void } } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (text) => out.push(text), err: (text) => err.push(text) } };
}
