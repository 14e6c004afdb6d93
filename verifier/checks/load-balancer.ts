/**
 * LoadBalancer address checks, from outside and from a pod.
 */
import type { Expectation, Probe, Target } from "../types";
import { noReach, noReachOrTerminating, probe, httpTarget, firstVantage, usableEndpoints, type PlanContext } from "./context";
import { ingressNames } from "./stable-names";

/** Each load-balancer ingress address on the Service port: from outside and from a pod. */
export function planLoadBalancer(ctx: PlanContext): Probe[] {
  const { state, options } = ctx;
  const service = state.service;
  const probes: Probe[] = [];
  for (const port of service.ports) {
    const usable = usableEndpoints(ctx, port);
    const endpoints = usable.endpoints;
    // With only serving-but-terminating endpoints, what the data plane does with them decides (context.ts).
    const fallback = usable.fallback === "terminating" || usable.fallback === "unknown";
    const rule = (ruleWithEndpoints: "lb-from-outside" | "lb-from-pod") => (fallback ? "terminating-fallback" : ruleWithEndpoints);
    const because = usable.because;
    const expect: Expectation =
      usable.fallback === "unknown" ? noReachOrTerminating(state, usable.terminating) : endpoints.length > 0 ? { kind: "reach", endpoints } : noReach(state);
    if (service.loadBalancerIngress.length === 0) {
      const skip = `no load-balancer address assigned to ${ctx.cluster.namespace}/${service.name} (status.loadBalancer.ingress is empty)`;
      const target: Target = { kind: "inspect", label: `lb:pending:${port.port}` };
      probes.push(probe({ rule: "lb-from-outside", service: service.name, vantage: "outside", target, expect, skip }));
      continue;
    }
    const names = ingressNames(service.loadBalancerIngress);
    service.loadBalancerIngress.forEach((address, index) => {
      // Named by ordinal: a new lab may get another address (stable-names.ts).
      const { label, subject } = names[index] as { label: string; subject: string };
      const target = httpTarget(`${label}:${port.port}`, address, port.port);
      const outsideSkip =
        options.outside.kind === "localhost" ? `${options.outside.reason}; load-balancer addresses live on the same network` : undefined;
      probes.push(probe({ rule: rule("lb-from-outside"), service: service.name, vantage: "outside", target, subject, expect, skip: outsideSkip, because }));
      const from = firstVantage(ctx);
      if (from !== undefined) probes.push(probe({ rule: rule("lb-from-pod"), service: service.name, vantage: "pod", from, target, subject, expect, because }));
    });
  }
  return probes;
}
