/**
 * Names of what a world creates on the machine. Every network namespace, the
 * root-namespace link and every /etc/netns directory starts with
 * `svlk<pid>-` (`svlk<pid>` for the link: interface names stop at 15
 * characters), so the leftovers of a killed run are found by the family
 * prefix and removed before the next world starts.
 */

/** The prefix every world's names share. */
export const FAMILY_PREFIX = "svlk";

/** The names of one run. */
export interface WorldNames {
  /** `svlk<pid>`: the prefix of this run, also the name of its link in the root namespace. */
  readonly prefix: string;
  /** The namespace holding the bridge all nodes and the root namespace plug into (kind's Docker network). */
  readonly network: string;
  node(name: string): string;
  pod(name: string): string;
}

export function worldNames(pid = process.pid): WorldNames {
  const prefix = `${FAMILY_PREFIX}${pid}`;
  return {
    prefix,
    network: `${prefix}-network`,
    node: (name) => `${prefix}-node-${name}`,
    pod: (name) => `${prefix}-pod-${name}`,
  };
}

/** True for a namespace, link or /etc/netns entry some world made (this run's or a leftover). */
export function isWorldName(name: string): boolean {
  return new RegExp(`^${FAMILY_PREFIX}\\d+(-|$)`).test(name);
}
