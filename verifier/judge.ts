/**
 * The judge: pass / fail / error for one probe from what it observed. Pure.
 *
 * An answer reaches a Service only when the workload identity in it names one
 * of the Service's endpoint pods (by pod name or pod IP); an answer from
 * anything else is recorded as "answered by something that is not an
 * endpoint" and is not a reach.
 */
import type { Attempt, EndpointRef, Expectation, Identity, Observation, Probe, ProbeStatus } from "./types";

/** A verdict and its one-line reason. */
export interface Verdict {
  readonly status: ProbeStatus;
  readonly reason: string;
}

/** True when the rule expects nothing to answer (proven by one bounded attempt, never retried). */
export function expectsNo(expect: Expectation): boolean {
  return expect.kind === "no-reach" || expect.kind === "refused" || expect.kind === "no-resolve" || expect.kind === "proxy-fails";
}

/** The expectation in a few words, for reports. */
export function describeExpectation(expect: Expectation): string {
  switch (expect.kind) {
    case "reach": {
      const extras = [
        expect.listenPort !== undefined ? `listening on ${expect.listenPort}` : "",
        expect.onNode !== undefined ? `on node ${expect.onNode}` : "",
        expect.clientNotIn !== undefined ? "seeing a non-cluster client address" : "",
      ].filter((s) => s !== "");
      return ["reach an endpoint pod", ...extras].join(", ");
    }
    case "no-reach":
      return expect.mayAnswer !== undefined && expect.mayAnswer.length > 0 ? "no endpoint answers, or a serving-but-terminating one" : "no endpoint answers";
    case "refused":
      return "connection refused";
    case "spread":
      return `answers from at least ${expect.minPods} pods`;
    case "single-pod":
      return "every answer from one pod";
    case "resolves-to":
      return `resolves to [${[...expect.records].sort().join(", ")}]`;
    case "cname":
      return `CNAME to ${expect.name}`;
    case "no-resolve":
      return "does not resolve";
    case "proxy-fails":
      return "API proxy answers with an error";
    case "fact":
      return "holds";
  }
}

/** Judges one probe from its observation; the reason ends with which case of the rule applied (`probe.because`). */
export function judge(probe: Probe, observation: Observation): Verdict {
  const verdict = judgeObservation(probe, observation);
  return probe.because === undefined ? verdict : { ...verdict, reason: `${verdict.reason} — ${probe.because}` };
}

function judgeObservation(probe: Probe, observation: Observation): Verdict {
  const expect = probe.expect;
  if (expect.kind === "fact") return { status: expect.holds ? "pass" : expect.otherwise, reason: expect.detail };
  if (observation.kind === "broken") return { status: "error", reason: observation.message };
  if (observation.kind === "none") return { status: "error", reason: "the probe produced no observation" };
  if (observation.kind === "dns") return judgeDns(expect, observation);
  const attempts = observation.attempts;
  if (attempts.length === 0) return { status: "error", reason: "the probe made no attempt" };
  if (probe.skipWhenRefused !== undefined && attempts.every((a) => a.error === "refused")) {
    return { status: "skipped", reason: probe.skipWhenRefused };
  }
  switch (expect.kind) {
    case "reach":
      return judgeReach(expect, attempts);
    case "no-reach":
      return judgeNoReach(expect, attempts);
    case "refused":
      return judgeRefused(attempts);
    case "spread":
    case "single-pod":
      return judgeDistribution(expect, attempts);
    case "proxy-fails":
      return judgeProxyFails(attempts);
    default:
      return { status: "error", reason: `an HTTP observation cannot prove "${describeExpectation(expect)}"` };
  }
}

// ---- HTTP --------------------------------------------------------------------

/** The endpoint an attempt's identity names, or undefined. */
function endpointOf(identity: Identity | null, endpoints: readonly EndpointRef[]): EndpointRef | undefined {
  if (identity === null) return undefined;
  return endpoints.find(
    (e) => (identity.pod !== undefined && e.podName === identity.pod) || (identity.podIP !== undefined && e.address === identity.podIP),
  );
}

function who(identity: Identity): string {
  return `pod ${identity.pod ?? identity.podIP ?? "?"}${identity.node !== undefined ? ` on ${identity.node}` : ""}`;
}

/** Why an attempt is not a reach of `endpoints`, in words. */
function notReached(attempt: Attempt, endpoints: readonly EndpointRef[]): string {
  if (attempt.identity !== null) return `answered by ${who(attempt.identity)}, which is not an endpoint of this Service`;
  if (attempt.status !== null && attempt.error === null) return `answered HTTP ${attempt.status} by something that is not an endpoint (no workload identity)`;
  if (attempt.error === "http-status") return `answered HTTP ${attempt.status ?? "?"}${endpoints.length === 0 ? "" : " without a workload identity"}`;
  return `no answer: ${attempt.error ?? "other"}${attempt.message !== undefined ? ` (${attempt.message})` : ""}`;
}

function isReach(attempt: Attempt, endpoints: readonly EndpointRef[]): boolean {
  return attempt.ok && endpointOf(attempt.identity, endpoints) !== undefined;
}

function judgeReach(expect: Extract<Expectation, { kind: "reach" }>, attempts: readonly Attempt[]): Verdict {
  for (const attempt of attempts) {
    if (!isReach(attempt, expect.endpoints)) return { status: "fail", reason: notReached(attempt, expect.endpoints) };
    const identity = attempt.identity as Identity;
    if (expect.listenPort !== undefined && identity.listenPort !== expect.listenPort) {
      return { status: "fail", reason: `answered by ${who(identity)} listening on ${identity.listenPort ?? "?"}, not on targetPort ${expect.listenPort}` };
    }
    if (expect.onNode !== undefined) {
      const endpoint = endpointOf(identity, expect.endpoints);
      const node = identity.node ?? endpoint?.nodeName;
      if (node !== expect.onNode) return { status: "fail", reason: `answered by ${who(identity)}; only pods on ${expect.onNode} may answer` };
    }
    if (expect.clientNotIn !== undefined) {
      const seen = normaliseAddress(identity.client?.address);
      if (seen === undefined) return { status: "fail", reason: `${who(identity)} did not report the client address it saw` };
      if (expect.clientNotIn.includes(seen)) {
        return { status: "fail", reason: `${who(identity)} saw client address ${seen}, a cluster address: the source was rewritten` };
      }
      // Stronger where known: the pod must see exactly the address we sent from
      // (a SNAT to, say, the node's pod-network gateway is neither a node nor a pod IP).
      const sent = normaliseAddress(attempt.sourceAddress);
      if (sent !== undefined && seen !== sent) {
        return { status: "fail", reason: `${who(identity)} saw client address ${seen}, but the request came from ${sent}: the source was rewritten` };
      }
    }
  }
  const identity = attempts[0]?.identity as Identity;
  const seen = expect.clientNotIn !== undefined ? `, client address seen ${normaliseAddress(identity.client?.address) ?? "?"}` : "";
  const port = expect.listenPort !== undefined ? ` listening on ${identity.listenPort ?? "?"}` : "";
  return { status: "pass", reason: `answered by ${who(identity)}${port}${seen}` };
}

/** `::ffff:10.0.0.1` → `10.0.0.1`. */
function normaliseAddress(address: string | undefined): string | undefined {
  return address?.replace(/^::ffff:/i, "");
}

/**
 * Expected "no": only an answer from one of the Service's own pods is a reach.
 * An answer from anything else — plain text or another workload's identity —
 * is recorded as "answered, not the Service" and passes, as the docs promise.
 */
function judgeNoReach(expect: Extract<Expectation, { kind: "no-reach" }>, attempts: readonly Attempt[]): Verdict {
  for (const attempt of attempts) {
    if (attempt.identity !== null && endpointOf(attempt.identity, expect.endpoints) !== undefined) {
      return { status: "fail", reason: `answered by ${who(attempt.identity)}` };
    }
  }
  const first = attempts[0] as Attempt;
  // A serving-but-terminating pod the data plane may fall back to: its answer is allowed, and said as such.
  if (first.identity !== null && expect.mayAnswer !== undefined && endpointOf(first.identity, expect.mayAnswer) !== undefined) {
    return { status: "pass", reason: `answered by ${who(first.identity)}, a serving-but-terminating endpoint` };
  }
  return { status: "pass", reason: notReached(first, expect.endpoints) };
}

/**
 * Expected refusal (kube-proxy REJECTs a Service without endpoints). The
 * refusal travels as an ICMP port-unreachable, which the kernel rate-limits
 * (`net.ipv4.icmp_ratelimit`, 1/s): in a burst some attempts see nothing and
 * time out. So one refusal among timeouts proves the REJECT; only attempts
 * that all time out (a DROP) or any answer fail.
 */
function judgeRefused(attempts: readonly Attempt[]): Verdict {
  const other = attempts.find((a) => a.error !== "refused" && a.error !== "timeout");
  if (other !== undefined) {
    if (other.identity !== null) return { status: "fail", reason: `answered by ${who(other.identity)}; expected a refusal` };
    return { status: "fail", reason: `${notReached(other, [])}; expected a refusal` };
  }
  const refused = attempts.filter((a) => a.error === "refused").length;
  if (refused === 0) {
    const tries = attempts.length > 1 ? ` in all ${attempts.length} attempts` : "";
    return { status: "fail", reason: `no answer: timeout${tries}; expected a refusal (connections are dropped, not rejected)` };
  }
  if (refused === attempts.length) return { status: "pass", reason: "connection refused" };
  return {
    status: "pass",
    reason: `connection refused (${refused} of ${attempts.length} attempts; the others timed out, as the kernel rate-limits the ICMP that carries a refusal)`,
  };
}

/** An attempt that got no HTTP answer at all (a connection-level failure). */
function unanswered(attempt: Attempt): boolean {
  return attempt.status === null && attempt.identity === null;
}

/**
 * Spread and affinity are judged on the requests that were answered: a
 * request with no answer says nothing about which pod would have answered
 * (the runner sends those again). An answer from anything but an endpoint
 * fails at once, as does the wrong number of pods.
 */
function judgeDistribution(expect: Extract<Expectation, { kind: "spread" | "single-pod" }>, attempts: readonly Attempt[]): Verdict {
  const shares = new Map<string, number>();
  let wrong = 0;
  let firstWrong = "";
  let silent = 0;
  for (const attempt of attempts) {
    if (unanswered(attempt)) {
      silent++;
      continue;
    }
    const endpoint = endpointOf(attempt.identity, expect.endpoints);
    if (!attempt.ok || endpoint === undefined) {
      wrong++;
      if (firstWrong === "") firstWrong = notReached(attempt, expect.endpoints);
      continue;
    }
    const key = endpoint.podName ?? endpoint.address;
    shares.set(key, (shares.get(key) ?? 0) + 1);
  }
  const total = attempts.length;
  const answered = total - silent;
  const shareText = [...shares.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([pod, n]) => `${pod} ${n}/${answered}`)
    .join(", ");
  const silentText = silent > 0 ? `; ${silent}/${total} requests got no answer` : "";
  if (wrong > 0) return { status: "fail", reason: `${wrong}/${total} requests did not reach an endpoint (${firstWrong})${shareText ? `; ${shareText}` : ""}${silentText}` };
  if (answered === 0) return { status: "fail", reason: `none of ${total} requests was answered (${notReached(attempts[0] as Attempt, expect.endpoints)})` };
  if (expect.kind === "spread") {
    if (shares.size >= expect.minPods) return { status: "pass", reason: `${shares.size} pods answered: ${shareText}${silentText}` };
    return { status: "fail", reason: `all ${answered} answered requests reached one pod: ${shareText}${silentText}` };
  }
  if (shares.size > 1) return { status: "fail", reason: `requests spread over ${shares.size} pods despite session affinity: ${shareText}${silentText}` };
  // Stickiness is only shown by enough answers: at least half the requests, and two.
  if (answered < Math.max(2, Math.ceil(total / 2))) return { status: "fail", reason: `only ${answered} of ${total} requests were answered: too few to show affinity${silentText}` };
  return { status: "pass", reason: `all ${answered} answered requests reached one pod: ${shareText}${silentText}` };
}

function judgeProxyFails(attempts: readonly Attempt[]): Verdict {
  const attempt = attempts[0] as Attempt;
  if (attempt.ok) {
    return { status: "fail", reason: attempt.identity !== null ? `the proxy reached ${who(attempt.identity)}` : `the proxy answered HTTP ${attempt.status ?? "?"}` };
  }
  return { status: "pass", reason: `the proxy answered ${attempt.message ?? `HTTP ${attempt.status ?? "?"}`}` };
}

/**
 * Whether sending the probe's request again could still change a verdict that
 * is not a pass: only an expected answer that is not there yet (no answer, a
 * non-workload error page, a name not yet resolvable, a hop that was only
 * slow) or a refusal hidden by the ICMP rate limit. A wrong answer — another
 * pod, another port, a rewritten client, one pod where two are due — stays
 * wrong, and so does a broken probe and every other expected "no".
 */
export function mayStillChange(probe: Probe, observation: Observation, verdict: Verdict): boolean {
  if (verdict.status === "pass" || verdict.status === "skipped") return false;
  const expect = probe.expect;
  if (expect.kind === "fact" || observation.kind === "none") return false;
  if (observation.kind === "broken") return observation.transient === true;
  if (observation.kind === "dns") return !observation.ok && (expect.kind === "resolves-to" || expect.kind === "cname");
  const attempts = observation.attempts;
  switch (expect.kind) {
    case "refused":
      return attempts.length > 0 && attempts.every((a) => a.error === "timeout");
    case "reach":
      return attempts.some((a) => a.identity === null);
    case "spread":
    case "single-pod": {
      if (!attempts.some(unanswered) || attempts.some((a) => !unanswered(a) && !isReach(a, expect.endpoints))) return false;
      const pods = new Set(attempts.map((a) => endpointOf(a.identity, expect.endpoints)).filter((e) => e !== undefined));
      // More answers can add a second pod to a spread, or enough answers to an affinity; never undo two pods.
      return expect.kind === "spread" ? pods.size < expect.minPods : pods.size <= 1;
    }
    default:
      return false;
  }
}

// ---- DNS ---------------------------------------------------------------------

/** DNS failures that mean no server answered, rather than "no such name". */
const UNANSWERED_DNS: ReadonlySet<string> = new Set(["timeout", "refused"]);

function trimDot(name: string): string {
  return name.replace(/\.$/, "").toLowerCase();
}

function judgeDns(expect: Expectation, observation: Extract<Observation, { kind: "dns" }>): Verdict {
  switch (expect.kind) {
    case "no-resolve":
      if (observation.ok) return { status: "fail", reason: `resolved to [${observation.records.join(", ")}]` };
      // A resolver that cannot be asked proves nothing about the name.
      if (UNANSWERED_DNS.has(observation.error)) return { status: "error", reason: `the DNS server did not answer (${observation.error})` };
      return { status: "pass", reason: `does not resolve (${observation.error})` };
    case "resolves-to": {
      if (!observation.ok) {
        // A headless name with no ready pods has no records: CoreDNS answers NXDOMAIN.
        const empty = expect.records.length === 0 && (observation.error === "nxdomain" || observation.error === "nodata");
        return empty
          ? { status: "pass", reason: `no records (${observation.error}), as there are no ready pods` }
          : { status: "fail", reason: `did not resolve (${observation.error})` };
      }
      const want = [...expect.records].sort().join(", ");
      const got = [...observation.records].sort().join(", ");
      return want === got
        ? { status: "pass", reason: `resolved to [${got}]` }
        : { status: "fail", reason: `resolved to [${got}], expected [${want}]` };
    }
    case "cname": {
      if (!observation.ok) return { status: "fail", reason: `no CNAME (${observation.error})` };
      const found = observation.records.some((r) => trimDot(r) === trimDot(expect.name));
      return found
        ? { status: "pass", reason: `CNAME ${trimDot(expect.name)}` }
        : { status: "fail", reason: `CNAME [${observation.records.join(", ")}], expected ${expect.name}` };
    }
    default:
      return { status: "error", reason: `a DNS observation cannot prove "${describeExpectation(expect)}"` };
  }
}
