import { guarded } from "../../runner/cli";
import { EXIT_INTERRUPTED, LabError } from "../../runner/errors";
import { FakeBackend } from "./fake-backend";

let written: string[];
let restore: () => void;
beforeEach(() => {
  written = [];
  const spy = jest.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
  restore = () => spy.mockRestore();
});
afterEach(() => restore());

describe("guarded", () => {
  it("during a Pulumi operation, leaves the first Ctrl-C to Pulumi and aborts on the second", async () => {
    const before = process.listenerCount("SIGINT");
    const exits: number[] = [];
    const code = await guarded(
      "lab",
      async ({ signal, interrupted, tracked }) => {
        const backend = tracked(new FakeBackend());
        const running = backend.up(() => undefined, signal);
        process.emit("SIGINT");
        expect(interrupted()).toBe(true);
        expect(signal.aborted).toBe(false);
        process.emit("SIGINT");
        expect(signal.aborted).toBe(true);
        await running;
        return EXIT_INTERRUPTED;
      },
      (exitCode) => exits.push(exitCode),
    );
    expect(code).toBe(EXIT_INTERRUPTED);
    expect(exits).toEqual([]);
    expect(written.join("")).toContain("svclab lab: Ctrl-C: Pulumi finishes the steps in flight and saves its state (Ctrl-C again stops at once)");
    expect(process.listenerCount("SIGINT")).toBe(before);
  });

  it("outside a Pulumi operation (preflight, verifying), Ctrl-C exits with 130 at once", async () => {
    const exits: number[] = [];
    await guarded(
      "lab",
      async ({ tracked }) => {
        const backend = tracked(new FakeBackend());
        await backend.up(() => undefined);
        process.emit("SIGINT");
        return 0;
      },
      (exitCode) => exits.push(exitCode),
    );
    expect(exits).toEqual([EXIT_INTERRUPTED]);
    expect(written.join("")).toContain("svclab lab: interrupted");
  });

  it("aborts at once on SIGTERM", async () => {
    await guarded("down", async ({ signal }) => {
      process.emit("SIGTERM");
      expect(signal.aborted).toBe(true);
      return 0;
    });
  });

  it("prints a LabError as one line and returns its exit code", async () => {
    const code = await guarded("down", async () => {
      throw new LabError("pulumi destroy failed: error: boom", 2);
    });
    expect(code).toBe(2);
    expect(written).toEqual(["svclab down: pulumi destroy failed: error: boom\n"]);
  });

  it("turns any other failure into exit code 2 with its most telling line", async () => {
    const code = await guarded("lab", async () => {
      throw new Error("code: -2\n stderr: error: could not find plugin kubernetes");
    });
    expect(code).toBe(2);
    expect(written).toEqual(["svclab lab: error: could not find plugin kubernetes\n"]);
  });
});
