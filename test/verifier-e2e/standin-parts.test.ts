/**
 * The stand-in world's pure parts: label selectors as the API server parses
 * them, and spec validation that names the bad field.
 */
import { buildWorld, worldSpec } from "../support/standin";
import { parseLabelSelector } from "../support/standin/label-selector";

describe("label selectors", () => {
  const frontend = { "app.kubernetes.io/part-of": "svclab", "app.kubernetes.io/component": "frontend" };

  test.each([
    ["app.kubernetes.io/part-of=svclab", true],
    ["app.kubernetes.io/part-of==svclab,app.kubernetes.io/component=backend", false],
    ["app.kubernetes.io/component!=backend", true],
    ["app.kubernetes.io/component in (frontend, backend)", true],
    ["app.kubernetes.io/component notin (frontend)", false],
    ["app.kubernetes.io/part-of", true],
    ["!app.kubernetes.io/part-of", false],
    ["", true],
  ])("%s matches the frontend's labels: %s", (selector, matches) => {
    expect(parseLabelSelector(selector)(frontend)).toBe(matches);
  });

  test("a malformed selector is rejected naming the term", () => {
    expect(() => parseLabelSelector("a=b,=c")).toThrow('unable to parse requirement: "=c"');
  });
});

describe("world spec validation", () => {
  test("a fault naming an unknown node is rejected before anything starts", async () => {
    await expect(buildWorld(worldSpec({ faults: { silentNodePortNodes: ["nope"] } }))).rejects.toThrow(
      'spec.faults.silentNodePortNodes: unknown node "nope"; nodes are svclab-control-plane, svclab-worker, svclab-worker2',
    );
  });

  test("a nodePort outside 30000-32767 is rejected naming the Service", async () => {
    await expect(buildWorld({ services: [{ name: "x", kind: "NodePort", over: "frontend", nodePort: 80 }] })).rejects.toThrow(
      "spec.services[x].nodePort: got 80; allowed: 30000–32767",
    );
  });
});
