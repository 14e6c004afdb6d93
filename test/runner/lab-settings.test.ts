import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseHostPortEntry, readLabSettings } from "../../runner/lab-settings";

let projectDir: string;
beforeEach(() => {
  projectDir = fs.mkdtempSync(path.join(os.tmpdir(), "svclab-settings-"));
  fs.mkdirSync(path.join(projectDir, "stacks"));
  fs.writeFileSync(
    path.join(projectDir, "Pulumi.yaml"),
    [
      "name: svclab",
      "runtime: nodejs",
      "stackConfigDir: stacks",
      "config:",
      "  cluster: { type: string, default: kind }",
      "  clusterName: { type: string, default: svclab }",
      "  listenAddress: { type: string, default: 127.0.0.1 }",
      "  hostPorts:",
      "    type: array",
      "    items: { type: string }",
      '    default: ["30080:30080"]',
      "",
    ].join("\n"),
  );
});
afterEach(() => fs.rmSync(projectDir, { recursive: true, force: true }));

describe("readLabSettings", () => {
  it("takes Pulumi.yaml's defaults when the stack file sets nothing", () => {
    expect(readLabSettings(projectDir, "dev")).toEqual({
      clusterMode: "kind",
      clusterName: "svclab",
      hostPorts: [{ listenAddress: "127.0.0.1", hostPort: 30080 }],
      configFile: path.join("stacks", "Pulumi.dev.yaml"),
    });
  });

  it("lets the stack file override the name and the port mappings", () => {
    fs.writeFileSync(
      path.join(projectDir, "stacks", "Pulumi.ci.yaml"),
      ["config:", "  svclab:clusterName: svclab-ci", "  svclab:hostPorts:", '    - "8080:30080"', '    - "127.0.0.2:8081:30081"', ""].join("\n"),
    );
    const settings = readLabSettings(projectDir, "ci");
    expect(settings.clusterName).toBe("svclab-ci");
    expect(settings.hostPorts).toEqual([
      { listenAddress: "127.0.0.1", hostPort: 8080 },
      { listenAddress: "127.0.0.2", hostPort: 8081 },
    ]);
  });

  it("names the key that has neither a value nor a default", () => {
    fs.writeFileSync(path.join(projectDir, "Pulumi.yaml"), "name: svclab\nstackConfigDir: stacks\nconfig: {}\n");
    expect(() => readLabSettings(projectDir, "dev")).toThrow(`svclab:listenAddress is neither set in ${path.join("stacks", "Pulumi.dev.yaml")} nor given a default in Pulumi.yaml`);
  });

  it("says where to run from when there is no Pulumi.yaml", () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), "svclab-empty-"));
    try {
      expect(() => readLabSettings(empty, "dev")).toThrow(`no Pulumi.yaml in ${empty}: run the lab from the svclab checkout`);
    } finally {
      fs.rmSync(empty, { recursive: true, force: true });
    }
  });
});

describe("parseHostPortEntry", () => {
  it("reads both entry forms and leaves bad ones to the stack program", () => {
    expect(parseHostPortEntry("30080:30080", "127.0.0.1")).toEqual({ listenAddress: "127.0.0.1", hostPort: 30080 });
    expect(parseHostPortEntry("0.0.0.0:8080:30080", "127.0.0.1")).toEqual({ listenAddress: "0.0.0.0", hostPort: 8080 });
    expect(parseHostPortEntry("eighty:30080", "127.0.0.1")).toBeUndefined();
    expect(parseHostPortEntry("30080", "127.0.0.1")).toBeUndefined();
  });
});

describe("readLabSettings on the project itself", () => {
  it("reads the node image preflight checks kind against from Pulumi.yaml's default", () => {
    const projectRoot = path.resolve(__dirname, "..", "..");
    expect(readLabSettings(projectRoot, "dev").nodeImage).toMatch(/^kindest\/node:v1\.33\.1@sha256:050072256b9a903bd914c0b2866828150cb229cea0efe5892e2b644d5dd3b34f$/);
  });
});
