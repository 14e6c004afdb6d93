/**
 * After `pulumi up`: proves the example's Services by real requests with
 * svclab's verifier library (`svclab/verifier`), prints the matrix and exits
 * with the verifier's code (0 all passed, 1 a probe failed, 2 could not run).
 *
 *   npm run verify                       # context kind-svclab-edge, namespace edge
 *   KUBE_CONTEXT=kind-other npm run verify
 */
import { KubeApiError, VerifyOptionError, renderReport, verify } from "svclab/verifier";

async function main(): Promise<0 | 1 | 2> {
  const report = await verify({ context: process.env.KUBE_CONTEXT ?? "kind-svclab-edge", namespace: "edge" });
  process.stdout.write(renderReport(report, "table"));
  return report.exitCode;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // Bad options and an unusable API server are one line, exit code 2.
    const known = error instanceof VerifyOptionError || error instanceof KubeApiError;
    process.stderr.write(`verify: ${known ? error.message : String(error)}\n`);
    process.exitCode = 2;
  },
);
