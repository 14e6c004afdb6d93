import type { EngineEvent } from "@pulumi/pulumi/automation";
import { describeEngineEvent, resourceName } from "../../runner/progress";

const urn = "urn:pulumi:dev::svclab::svclab:index:DemoApp$kubernetes:apps/v1:Deployment::frontend";
const base = { sequence: 1, timestamp: 0 };
const metadata = (op: "create" | "same" | "delete") => ({ op, urn, type: "kubernetes:apps/v1:Deployment", provider: "" });

describe("describeEngineEvent", () => {
  it("names the resource being created and the one that is done", () => {
    expect(describeEngineEvent({ ...base, resourcePreEvent: { metadata: metadata("create") } })).toBe("creating frontend (kubernetes:apps/v1:Deployment)");
    expect(describeEngineEvent({ ...base, resOutputsEvent: { metadata: metadata("create") } })).toBe("created frontend");
    expect(describeEngineEvent({ ...base, resourcePreEvent: { metadata: metadata("delete") } })).toBe("deleting frontend (kubernetes:apps/v1:Deployment)");
  });

  it("stays quiet about unchanged resources and the preview pass", () => {
    expect(describeEngineEvent({ ...base, resourcePreEvent: { metadata: metadata("same") } })).toBeUndefined();
    expect(describeEngineEvent({ ...base, resourcePreEvent: { metadata: metadata("create"), planning: true } })).toBeUndefined();
  });

  it("shows what the Kubernetes provider is waiting on", () => {
    const event: EngineEvent = { ...base, diagnosticEvent: { urn, message: "[1/2] Waiting for app ReplicaSet to be available (0/3 Pods available)\n", color: "never", severity: "info", ephemeral: true } };
    expect(describeEngineEvent(event)).toBe("waiting on frontend: [1/2] Waiting for app ReplicaSet to be available (0/3 Pods available)");
  });

  it("reports errors and the final summary", () => {
    expect(describeEngineEvent({ ...base, diagnosticEvent: { urn, message: "boom", color: "never", severity: "error" } })).toBe("error: frontend: boom");
    expect(
      describeEngineEvent({ ...base, summaryEvent: { maybeCorrupt: false, durationSeconds: 95, resourceChanges: { create: 24, same: 3, update: 0 }, policyPacks: {} } as never }),
    ).toBe("finished in 95 s: 24 created, 3 unchanged");
  });

  it("takes the resource name from the end of the URN", () => {
    expect(resourceName(urn)).toBe("frontend");
  });
});
