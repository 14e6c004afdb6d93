import { readFile } from "node:fs/promises";
import { isIPv4 } from "node:net";

/** Where the system keeps its static host table (hosts(5)). */
export const HOSTS_FILE = "/etc/hosts";

/**
 * The IPv4 addresses the hosts file gives `name` (case-insensitive, a trailing
 * dot ignored), in file order; empty when the name is absent or the file cannot
 * be read. Used where getaddrinfo must not be asked because it would go on to
 * the DNS servers in /etc/resolv.conf.
 *
 * @param path the hosts file; default {@link HOSTS_FILE}.
 */
export async function ipv4FromHostsFile(name: string, path: string = HOSTS_FILE): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch {
    return [];
  }
  const wanted = name.replace(/\.$/, "").toLowerCase();
  const addresses: string[] = [];
  for (const line of text.split("\n")) {
    // hosts(5): "address canonical-name [aliases...]", "#" starts a comment.
    const [address, ...names] = line.replace(/#.*/, "").trim().split(/\s+/);
    if (isIPv4(address) && names.some((entry) => entry.toLowerCase() === wanted) && !addresses.includes(address)) {
      addresses.push(address);
    }
  }
  return addresses;
}
