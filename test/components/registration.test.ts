import * as pulumi from "@pulumi/pulumi";
import { installMocks } from "../support/pulumi-mocks";
import { messageThrownBy, registeredBesidesSentinel } from "./registration";

const world = installMocks();
beforeEach(() => world.reset());

describe("the no-resource-registered check used by the bad-input tests", () => {
  it("sees a component whose registration was still in flight", async () => {
    new pulumi.ComponentResource("svclab:test:Probe", "in-flight");
    expect(await registeredBesidesSentinel(world)).toEqual(["svclab:test:Probe in-flight"]);
  });

  it("reports nothing when nothing else was created", async () => {
    expect(await registeredBesidesSentinel(world)).toEqual([]);
  });

  it("fails when the constructor does not throw", () => {
    expect(() => messageThrownBy(() => 1)).toThrow("expected the constructor to throw, but it returned");
  });
});
