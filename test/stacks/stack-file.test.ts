/**
 * The runner's check of a stack file: the stack program's own rules and
 * messages, read from stacks/Pulumi.<stack>.yaml without Pulumi.
 */
import * as pulumi from "@pulumi/pulumi";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { messageThrownBy } from "../components/registration";
import { installMocks } from "../support/pulumi-mocks";
import { CONFIG_KEYS, loadConfig } from "../../stacks/config";
import { checkStackConfig, stackNames } from "../../stacks/stack-file";

// Mocks set the project name ("svclab") that pulumi.Config reads keys under.
installMocks();

const repo = path.resolve(__dirname, "..", "..");
let projectDir: string;

beforeEach(() => {
  projectDir = fs.mkdtempSync(path.join(os.tmpdir(), "svclab-stack-file-"));
  fs.copyFileSync(path.join(repo, "Pulumi.yaml"), path.join(projectDir, "Pulumi.yaml"));
  fs.mkdirSync(path.join(projectDir, "stacks"));
  for (const stack of ["dev", "ci"]) {
    fs.copyFileSync(path.join(repo, "stacks", `Pulumi.${stack}.yaml`), path.join(projectDir, "stacks", `Pulumi.${stack}.yaml`));
  }
});
afterEach(() => fs.rmSync(projectDir, { recursive: true, force: true }));

function writeStack(name: string, yaml: string): void {
  fs.writeFileSync(path.join(projectDir, "stacks", `Pulumi.${name}.yaml`), yaml);
}

test("the checkout's dev and ci stacks pass, with their values read as the program reads them", () => {
  expect(stackNames(repo)).toEqual(["ci", "dev"]);
  expect(checkStackConfig(repo, "dev").hostPorts.map((m) => m.hostPort)).toContain(30080);
  expect(checkStackConfig(repo, "ci")).toMatchObject({ clusterName: "svclab-ci", workers: 1, hostPorts: [] });
});

test("a stack without a config file is refused, naming the stacks that exist", () => {
  expect(messageThrownBy(() => checkStackConfig(projectDir, "prod"))).toBe(
    `there is no stack "prod": ${path.join("stacks", "Pulumi.prod.yaml")} does not exist; the stacks are ci, dev (--stack ci), or create ${path.join("stacks", "Pulumi.prod.yaml")} to make a new one`,
  );
});

test("keys may be written with or without the project prefix; other namespaces are left alone", () => {
  writeStack("mixed", "config:\n  workers: 3\n  svclab:namespace: lab\n  kubernetes:context: elsewhere\n");
  expect(checkStackConfig(projectDir, "mixed")).toMatchObject({ workers: 3, namespace: "lab" });
});

describe("a bad stack file is refused with the stack program's own message, prefixed by the file", () => {
  const cases: Array<[string, Record<string, unknown>, string]> = [
    ["a nodePort out of range", { nodePort: 3008 }, "nodePort must be an integer in the NodePort range 30000-32767; got 3008"],
    [
      "a host port mapped twice",
      { hostPorts: ["8080:30080", "8080:30081"] },
      "host port 8080 is used twice (hostPorts[0] and hostPorts[1]); each host port must be different",
    ],
    [
      "one nodePort for two Services",
      { nodePort: 30100, localNodePort: 30100 },
      "nodePort 30100 is used twice (nodePort and localNodePort); each nodePort must be different",
    ],
    [
      "a bad cluster name",
      { clusterName: "My_Lab" },
      'clusterName must be a DNS-1035 label (at most 63 lowercase letters, digits or "-", starting with a letter and ending with a letter or digit); got "My_Lab"',
    ],
    [
      "an unknown key",
      { hostPort: ["8080:30080"] },
      `"hostPort" in the stack config is not a config key of svclab; did you mean "hostPorts"? The keys are ${CONFIG_KEYS.join(", ")}`,
    ],
    [
      "an existing-cluster stack without a kubeconfig",
      { cluster: "existing" },
      'kubeconfig is required when cluster is "existing": set it to the path of a kubeconfig file (pulumi config set kubeconfig ~/.kube/config); got undefined',
    ],
    ["a number that is not one", { workers: "two" }, "Configuration 'svclab:workers' value 'two' is not a valid number"],
  ];

  test.each(cases)("%s", (_what, values, message) => {
    writeStack("bad", `config:\n${Object.entries(values).map(([key, value]) => `  svclab:${key}: ${JSON.stringify(value)}\n`).join("")}`);
    expect(messageThrownBy(() => checkStackConfig(projectDir, "bad"))).toBe(`${path.join("stacks", "Pulumi.bad.yaml")}: ${message}`);
  });

  test.each(cases)("the stack program says the same of %s", (_what, values, message) => {
    // The CLI hands every value to the program as a string (JSON for arrays).
    pulumi.runtime.setAllConfig(
      Object.fromEntries(Object.entries(values).map(([key, value]) => [`svclab:${key}`, typeof value === "string" ? value : JSON.stringify(value)])),
    );
    expect(messageThrownBy(() => loadConfig())).toBe(message);
  });
});

describe("an existing-cluster stack is checked against its kubeconfig file, in the component's words", () => {
  const kubeconfig = () => path.join(projectDir, "kubeconfig");
  const existing = (context: string) =>
    writeStack("remote", `config:\n  svclab:cluster: existing\n  svclab:kubeconfig: ${kubeconfig()}\n  svclab:kubeContext: ${context}\n  svclab:image: ghcr.io/example/svclab-demo:1.0\n`);
  const file = path.join("stacks", "Pulumi.remote.yaml");

  test("a kubeconfig that cannot be read", () => {
    existing("k3s");
    expect(messageThrownBy(() => checkStackConfig(projectDir, "remote"))).toBe(
      `${file}: kubeconfig must be the path of a readable kubeconfig file; "${kubeconfig()}" could not be read (ENOENT)`,
    );
  });

  test("a context the file does not have", () => {
    fs.writeFileSync(kubeconfig(), "apiVersion: v1\nkind: Config\ncontexts:\n  - { name: k3s, context: { cluster: k3s, user: me } }\n");
    existing("gke");
    expect(messageThrownBy(() => checkStackConfig(projectDir, "remote"))).toBe(
      `${file}: context must name a context in ${kubeconfig()}; got "gke", the file has "k3s"`,
    );
    existing("k3s");
    expect(checkStackConfig(projectDir, "remote")).toMatchObject({ cluster: "existing", kubeContext: "k3s" });
  });
});

test("a file that is not YAML is refused with the parser's first line", () => {
  writeStack("broken", "config:\n  svclab:workers: [1\n");
  expect(messageThrownBy(() => checkStackConfig(projectDir, "broken"))).toMatch(/^stacks\/Pulumi\.broken\.yaml is not valid YAML: /);
});
