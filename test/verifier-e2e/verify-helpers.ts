/**
 * Shared helpers for the verifier's end-to-end tests against the stand-in world.
 */
import { verify, type ProbeResult, type VerifyOptions } from "../../verifier";
import type { World } from "../support/standin";

/**
 * The verifier's outside DNS probe (`dns-not-outside`) asks this machine's
 * resolver, i.e. a DNS server that is not on loopback. The network rule of
 * these tests forbids any such packet, so those probes are left out; every
 * other probe targets only the world's 127.x addresses.
 */
export const SKIP_OUTSIDE_DNS = /\/dns:[^/]*\/outside$/;

/**
 * Limits for runs against a world, generous so that no verdict depends on the
 * machine's speed: on a loaded 2-core machine (load 10) the in-process pods
 * answer in hundreds of milliseconds, so an expected answer gets 3 s per
 * attempt (and the runner's minimum of tries); only expected "no"s wait a
 * whole attempt out, and they run at once, so a run costs about 3 s more than
 * its work. A world needs no settling time; the deadline only bounds retries
 * of answers that never come.
 */
export const FAST: Pick<VerifyOptions, "timeoutMs" | "deadlineMs"> = { timeoutMs: 3000, deadlineMs: 8000 };

/**
 * Every file that runs the verifier against worlds gets a generous jest limit:
 * a broken answer costs the runner's minimum tries of a 3 s attempt, and a
 * loaded machine makes everything slower — never a reason for a test to fail.
 */
jest.setTimeout(180000);

/** Runs the verifier against a world with the test defaults. */
export function verifyWorld(world: World, options: Partial<VerifyOptions> = {}) {
  return verify({ kubeconfig: world.kubeconfigPath, namespace: world.namespace, skip: SKIP_OUTSIDE_DNS, ...FAST, ...options });
}

/** One line per non-passing probe, so a failed assertion shows what the verifier saw. */
export function describeProblems(probes: readonly ProbeResult[]): string {
  return probes
    .filter((p) => p.status !== "pass")
    .map((p) => `${p.status} ${p.id} [${p.rule.id}] ${p.reason}`)
    .join("\n");
}

/** The probes that did not pass, as `{ id, rule, status }` for exact assertions. */
export function problems(probes: readonly ProbeResult[]): { id: string; rule: string; status: string }[] {
  return probes.filter((p) => p.status !== "pass").map((p) => ({ id: p.id, rule: p.rule.id, status: p.status }));
}
