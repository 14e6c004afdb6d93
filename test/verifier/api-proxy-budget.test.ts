import { applyApiProxyBudget, defaultApiProxyMax, selectApiProxied, serviceShape } from "../../verifier/api-proxy-budget";
import type { ServiceInfo } from "../../verifier/model";
import { planProbes } from "../../verifier/plan";
import type { Probe } from "../../verifier/types";
import { PLAN_DEFAULTS, cluster, nodePorts, service, state } from "./fixtures";

/** The lab's kinds of Service, each a shape of its own. */
const SHAPES: Record<string, (name: string) => ServiceInfo> = {
  clusterIP: (name) => service({ name }),
  headless: (name) => service({ name, clusterIP: "None", headless: true }),
  nodePort: (name) => service({ name, type: "NodePort", ports: nodePorts(30080) }),
  sticky: (name) => service({ name, sessionAffinity: "ClientIP" }),
  external: (name) => service({ name, type: "ExternalName", clusterIP: undefined, selector: undefined, ports: [], externalName: "backend.svclab.svc.cluster.local" }),
};

/** `copies` Services of every shape, named `<shape>-<n>`, interleaved as name order would put them by shape. */
function catalog(copies: number): ServiceInfo[] {
  const all: ServiceInfo[] = [];
  for (const [shape, make] of Object.entries(SHAPES)) for (let i = 1; i <= copies; i++) all.push(make(`${shape}-${i}`));
  return all;
}

const apiProxyIds = (probes: readonly Probe[]) => probes.filter((p) => p.target.kind === "api-proxy");

describe("serviceShape", () => {
  test("ignores the name and what the cluster allocated (clusterIP, nodePort, load-balancer address)", () => {
    const a = service({ name: "a", type: "LoadBalancer", clusterIP: "10.96.0.10", ports: nodePorts(30080), loadBalancerIngress: ["172.18.0.10"] });
    const b = service({ name: "b", type: "LoadBalancer", clusterIP: "10.96.0.99", ports: nodePorts(31999), loadBalancerIngress: [] });
    expect(serviceShape(a)).toBe(serviceShape(b));
  });

  test("tells apart type, ports, selector, affinity and traffic policies", () => {
    const base = service({ name: "a" });
    const variants = [
      service({ name: "a", type: "NodePort", ports: nodePorts(30080) }),
      service({ name: "a", clusterIP: "None", headless: true }),
      service({ name: "a", ports: [{ name: "web", port: 80, targetPort: 3000, nodePort: undefined, protocol: "TCP" }] }),
      service({ name: "a", ports: [{ name: "http", port: 8080, targetPort: 3000, nodePort: undefined, protocol: "TCP" }] }),
      service({ name: "a", ports: [{ name: "http", port: 80, targetPort: "http", nodePort: undefined, protocol: "TCP" }] }),
      service({ name: "a", selector: { "app.kubernetes.io/component": "backend" } }),
      service({ name: "a", sessionAffinity: "ClientIP" }),
      service({ name: "a", internalTrafficPolicy: "Local" }),
      service({ name: "a", externalTrafficPolicy: "Local" }),
    ];
    const shapes = new Set([base, ...variants].map(serviceShape));
    expect(shapes.size).toBe(variants.length + 1);
  });

  test("a selector is the same whatever the order of its labels", () => {
    expect(serviceShape(service({ name: "a", selector: { x: "1", y: "2" } }))).toBe(serviceShape(service({ name: "b", selector: { y: "2", x: "1" } })));
  });
});

describe("selectApiProxied", () => {
  test("covers every shape first, in discovery order, then the rest in discovery order up to the bound", () => {
    const services = catalog(3); // clusterIP-1..3, headless-1..3, nodePort-1..3, sticky-1..3, external-1..3
    const selection = selectApiProxied(services, 7);
    expect(selection.probed).toEqual(["clusterIP-1", "clusterIP-2", "clusterIP-3", "headless-1", "nodePort-1", "sticky-1", "external-1"]);
    expect(selection.leftOut.get("headless-2")).toBe("headless-1");
    expect(selection.leftOut.get("external-3")).toBe("external-1");
    expect(selection.leftOut.size).toBe(8);
    expect(selection).toMatchObject({ shapes: 5, shapesCovered: 5 });
  });

  test("is deterministic: the same Services and bound pick the same Services", () => {
    const services = catalog(4);
    expect(selectApiProxied(services, 9)).toEqual(selectApiProxied([...services], 9));
  });

  test("never probes more Services than the bound, even when there are more shapes", () => {
    const selection = selectApiProxied(catalog(2), 3);
    expect(selection.probed).toEqual(["clusterIP-1", "headless-1", "nodePort-1"]);
    expect(selection.leftOut.get("sticky-1")).toBeUndefined();
    expect(selection.leftOut.get("nodePort-2")).toBe("nodePort-1");
    expect(selection).toMatchObject({ shapes: 5, shapesCovered: 3 });
  });

  test('"all" and a bound at or above the count probe every Service', () => {
    const services = catalog(3);
    expect(selectApiProxied(services, "all").probed).toEqual(services.map((s) => s.name));
    expect(selectApiProxied(services, 15).leftOut.size).toBe(0);
  });

  test("the default is 8 Services per node discovered, at least one node's worth", () => {
    expect([defaultApiProxyMax(1), defaultApiProxyMax(2), defaultApiProxyMax(5), defaultApiProxyMax(0)]).toEqual([8, 16, 40, 8]);
  });
});

describe("applyApiProxyBudget", () => {
  const twoPorts = (name: string) =>
    service({
      name,
      ports: [
        { name: "http", port: 80, targetPort: 3000, nodePort: undefined, protocol: "TCP" },
        { name: "admin", port: 81, targetPort: 3001, nodePort: undefined, protocol: "TCP" },
      ],
    });
  const services = [twoPorts("a-multi"), twoPorts("b-multi"), twoPorts("c-multi"), service({ name: "d-single" })];
  const planned = planProbes(cluster(services.map((s) => state(s))), PLAN_DEFAULTS);

  test("counts per Service: every port of a probed Service is probed, every port of one left out is skipped", () => {
    const { probes } = applyApiProxyBudget(planned, services, 2);
    const status = Object.fromEntries(apiProxyIds(probes).map((p) => [p.id, p.skip === undefined ? "probed" : "skipped"]));
    expect(status).toEqual({
      "a-multi/proxy:http/api-proxy": "probed",
      "a-multi/proxy:admin/api-proxy": "probed",
      "b-multi/proxy:http/api-proxy": "skipped",
      "b-multi/proxy:admin/api-proxy": "skipped",
      "c-multi/proxy:http/api-proxy": "skipped",
      "c-multi/proxy:admin/api-proxy": "skipped",
      "d-single/proxy:http/api-proxy": "probed",
    });
  });

  test("keeps every probe, in order, with its id; only the left-out API-proxy probes change, and only by their skip reason", () => {
    const { probes } = applyApiProxyBudget(planned, services, 2);
    expect(probes.map((p) => p.id)).toEqual(planned.map((p) => p.id));
    probes.forEach((p, i) => {
      const before = planned[i] as Probe;
      if (p.skip === undefined) expect(p).toBe(before);
      else expect({ ...p, skip: undefined }).toEqual({ ...before, skip: undefined });
    });
    expect(probes.filter((p) => p.skip !== undefined).every((p) => p.target.kind === "api-proxy")).toBe(true);
  });

  test("a skipped probe says why, how to change it, and which Service of its shape was probed; one note sums it up", () => {
    const { probes, note } = applyApiProxyBudget(planned, services, 2);
    expect(probes.find((p) => p.id === "c-multi/proxy:admin/api-proxy")?.skip).toBe(
      "not probed through the API server's proxy: 2 of 4 Services are per run (--api-proxy-max 2, default 8 per node, to bound the API server's load; " +
        "raise it, or give all to probe every one); a Service of the same shape, a-multi, was",
    );
    expect(note).toBe(
      "API server proxy: 2 of 4 Services probed through it, covering every one of the 2 Service shapes; the other 2 are reported skipped " +
        "(--api-proxy-max 2, default 8 per node, to bound the API server's load; raise it, or give all to probe every one)",
    );
  });

  test("a shape the bound leaves out is named as such, with the bound that would cover it", () => {
    const { probes, note } = applyApiProxyBudget(planned, services, 1);
    expect(probes.find((p) => p.id === "d-single/proxy:http/api-proxy")?.skip).toMatch(
      /; no Service of the same shape was: the 2 shapes need --api-proxy-max 2 or more$/,
    );
    expect(note).toContain("covering 1 of the 2 Service shapes");
  });

  test("within the bound nothing changes and no note is added", () => {
    for (const max of [4, "all"] as const) {
      const { probes, note } = applyApiProxyBudget(planned, services, max);
      expect(probes).toEqual(planned);
      expect(note).toBeUndefined();
    }
  });

  test("only Services with an API-proxy probe left after the filters count against the bound", () => {
    const onlyCAndD = planned.filter((p) => p.service === "c-multi" || p.service === "d-single");
    const { probes, note } = applyApiProxyBudget(onlyCAndD, services, 2);
    expect(probes.filter((p) => p.skip !== undefined)).toEqual([]);
    expect(note).toBeUndefined();
  });
});
