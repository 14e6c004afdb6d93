/**
 * `npm run bench:verifier` flags and its last line: bad values are refused
 * naming what is allowed, and the line a script reads keeps its keys.
 */
import { CommanderError } from "commander";
import { parseBenchArgs } from "../../bench/verifier-bench-args";
import { benchLine } from "../../bench/verifier-bench-line";

const quiet = { writeErr: () => undefined, writeOut: () => undefined };

function refusal(args: string[]): string {
  try {
    parseBenchArgs(args, quiet);
  } catch (error) {
    if (error instanceof CommanderError) return error.message;
    throw error;
  }
  throw new Error(`${args.join(" ")} was accepted`);
}

describe("bench:verifier flags", () => {
  test("without a size it runs the comparison on the lab, 1000 ms per attempt unless told", () => {
    expect(parseBenchArgs([], quiet)).toEqual({ mode: "compare", timeoutMs: 1000 });
    expect(parseBenchArgs(["--timeout", "400"], quiet)).toEqual({ mode: "compare", timeoutMs: 400 });
  });

  test("a size runs the stand-in of that size with the verifier's own defaults", () => {
    expect(parseBenchArgs(["--services", "200", "--nodes", "5"], quiet)).toEqual({ mode: "sized", services: 200, nodes: 5, timeoutMs: 1500, concurrency: 32 });
    expect(parseBenchArgs(["--services", "50"], quiet)).toMatchObject({ mode: "sized", services: 50, nodes: 3 });
  });

  test("--api-proxy-max is passed to the verifier as the CLI parses it", () => {
    expect(parseBenchArgs(["--services", "200", "--nodes", "5", "--api-proxy-max", "all"], quiet)).toMatchObject({ mode: "sized", apiProxyMax: "all" });
    expect(parseBenchArgs(["--services", "200", "--api-proxy-max", "12"], quiet)).toMatchObject({ apiProxyMax: 12 });
    expect(refusal(["--services", "200", "--api-proxy-max", "none"])).toBe("error: option '--api-proxy-max <n|all>' argument 'none' is invalid. An integer from 1 up, or all (no bound), is allowed.");
  });

  test("bad values are refused naming the value and what is allowed", () => {
    expect(refusal(["--services", "abc"])).toBe("error: option '--services <n>' argument 'abc' is invalid. An integer from 1 to 1000 is allowed (the stand-in's limit).");
    expect(refusal(["--services", "1001", "--nodes", "5"])).toBe("error: option '--services <n>' argument '1001' is invalid. An integer from 1 to 1000 is allowed (the stand-in's limit).");
    expect(refusal(["--nodes", "17"])).toBe("error: option '--nodes <m>' argument '17' is invalid. An integer from 1 to 16 is allowed (the stand-in's limit).");
    expect(refusal(["--timeout", "10"])).toBe("error: option '--timeout <ms>' argument '10' is invalid. An integer from 50 to 60000 is allowed.");
    expect(refusal(["--sizes", "3"])).toBe("error: unknown option '--sizes'");
  });
});

describe("the bench's last line", () => {
  test("has every key, in order, with the ratio of wall time to the timeout", () => {
    expect(benchLine({ probes: 6880, wallSeconds: 4.5, timeoutSeconds: 1.5, apiRequests: 48, rssMiB: 150.04, pass: 6720, fail: 0, error: 0, skipped: 160 })).toBe(
      "probes=6880 wall=4.50 timeout=1.50 ratio=3.00 api-requests=48 rss=150.0 pass=6720 fail=0 error=0 skipped=160",
    );
  });
});
