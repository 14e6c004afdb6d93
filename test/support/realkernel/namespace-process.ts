/**
 * Entry point of the world's own processes, started compiled from dist/ with
 * `ip netns exec <namespace> node namespace-process.js <role> <objects.json> <host> <port>`:
 * `api` (the captured API server on the control-plane node) or `dns` (the
 * cluster DNS server in the DNS pod). The API's bearer token arrives in
 * SVCLAB_WORLD_TOKEN. Prints one JSON line `{"event":"listening",...}` once it
 * serves, and exits on SIGTERM/SIGINT.
 */
import { startCapturedApi } from "./captured-api";
import { startClusterDns } from "./cluster-dns-server";
import { ObjectsFile } from "./objects-file";

async function main(argv: readonly string[]): Promise<void> {
  const [role, file, host, portText] = argv;
  const port = Number(portText);
  if (!["api", "dns"].includes(role) || file === undefined || host === undefined || !Number.isInteger(port)) {
    throw new Error(`usage: namespace-process.js api|dns <objects.json> <host> <port>; got ${JSON.stringify(argv)}`);
  }
  const objects = new ObjectsFile(file);
  objects.current(); // fail at start on an unreadable file
  const token = process.env.SVCLAB_WORLD_TOKEN ?? "";
  if (role === "api" && token === "") throw new Error("SVCLAB_WORLD_TOKEN is empty; the API needs a bearer token");
  const running = role === "api" ? await startCapturedApi(objects, token, host, port) : await startClusterDns(objects, host, port);
  process.stdout.write(`${JSON.stringify({ event: "listening", role, address: host, port })}\n`);
  const stop = (): void => void running.close().then(() => process.exit(0));
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`namespace-process: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
