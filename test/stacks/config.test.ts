import * as pulumi from "@pulumi/pulumi";
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { messageThrownBy } from "../components/registration";
import { installMocks } from "../support/pulumi-mocks";
import { CONFIG_DEFAULTS, loadConfig, parseHostPort } from "../../stacks/config";

// Mocks set the project name ("svclab") that pulumi.Config reads keys under.
installMocks();

const savedEnv = { ...process.env };
afterEach(() => {
  process.env = { ...savedEnv };
});

/** Sets the stack config as `pulumi config set` would (every value a string). */
function withConfig(values: Record<string, string>) {
  pulumi.runtime.setAllConfig(Object.fromEntries(Object.entries(values).map(([k, v]) => [`svclab:${k}`, v])));
  return loadConfig();
}

describe("loadConfig", () => {
  test("with no keys set gives the documented defaults", () => {
    expect(withConfig({})).toEqual({
      cluster: "kind",
      clusterName: "svclab",
      workers: 2,
      nodeImage: CONFIG_DEFAULTS.nodeImage,
      ipFamily: "ipv4",
      kubeProxyMode: "iptables",
      podSubnet: "10.244.0.0/16",
      serviceSubnet: "10.96.0.0/16",
      kubeconfig: undefined,
      kubeContext: undefined,
      namespace: "svclab",
      frontendReplicas: 3,
      backendReplicas: 2,
      services: ["clusterip", "headless", "nodeport", "loadbalancer", "etp-local", "sticky", "itp-local", "externalname"],
      nodePort: 30080,
      localNodePort: 30081,
      hostPorts: [{ listenAddress: "127.0.0.1", hostPort: 30080, nodePort: 30080 }],
      listenAddress: "127.0.0.1",
      externalName: undefined,
      image: undefined,
      loadBalancer: "cloud-provider-kind",
    });
  });

  test("returns a frozen object", () => {
    const config = withConfig({});
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.services)).toBe(true);
    expect(Object.isFrozen(config.hostPorts[0])).toBe(true);
  });

  test("reads typed values: numbers, arrays and strings", () => {
    const config = withConfig({
      workers: "3",
      frontendReplicas: "5",
      services: '["nodeport","clusterip"]',
      hostPorts: '["8080:30080","0.0.0.0:8081:30081"]',
      listenAddress: "127.0.0.2",
      externalName: "example.invalid",
      image: "ghcr.io/example/svclab-demo:1.0",
      loadBalancer: "none",
    });
    expect(config.workers).toBe(3);
    expect(config.frontendReplicas).toBe(5);
    expect(config.services).toEqual(["nodeport", "clusterip"]);
    expect(config.hostPorts).toEqual([
      { listenAddress: "127.0.0.2", hostPort: 8080, nodePort: 30080 },
      { listenAddress: "0.0.0.0", hostPort: 8081, nodePort: 30081 },
    ]);
    expect(config.externalName).toBe("example.invalid");
    expect(config.image).toBe("ghcr.io/example/svclab-demo:1.0");
    expect(config.loadBalancer).toBe("none");
  });

  test("in existing mode takes the kubeconfig path and context, expanding ~/", () => {
    const config = withConfig({ cluster: "existing", kubeconfig: "~/.kube/config", kubeContext: "k3s", image: "ghcr.io/example/svclab-demo:1.0" });
    expect(config.cluster).toBe("existing");
    expect(config.kubeconfig).toBe(join(homedir(), ".kube", "config"));
    expect(config.kubeContext).toBe("k3s");
  });

  test("treats the declared empty defaults as unset, so a fresh stack needs none of them", () => {
    const config = withConfig({ kubeconfig: "", kubeContext: "", externalName: "", image: "" });
    expect([config.kubeconfig, config.kubeContext, config.externalName, config.image]).toEqual([undefined, undefined, undefined, undefined]);
  });

  test("in kind mode ignores the existing-cluster keys", () => {
    const config = withConfig({ kubeconfig: "/tmp/x", kubeContext: "k3s" });
    expect(config.kubeconfig).toBeUndefined();
    expect(config.kubeContext).toBeUndefined();
  });
});

describe("network settings of the kind cluster", () => {
  test("ipFamily and kubeProxyMode are read; the IPv4 subnet defaults stand for kind's defaults of the family", () => {
    const v6 = withConfig({ ipFamily: "ipv6", kubeProxyMode: "nftables" });
    expect([v6.ipFamily, v6.kubeProxyMode, v6.podSubnet, v6.serviceSubnet]).toEqual(["ipv6", "nftables", "fd00:10:244::/56", "fd00:10:96::/112"]);
    const dual = withConfig({ ipFamily: "dual", kubeProxyMode: "ipvs" });
    expect([dual.ipFamily, dual.kubeProxyMode, dual.podSubnet, dual.serviceSubnet]).toEqual([
      "dual", "ipvs", "10.244.0.0/16,fd00:10:244::/56", "10.96.0.0/16,fd00:10:96::/112",
    ]);
  });

  test("subnets given for the family are kept", () => {
    const dual = withConfig({ ipFamily: "dual", podSubnet: "10.20.0.0/16,fd00:20::/56", serviceSubnet: "10.30.0.0/16,fd00:30::/112" });
    expect([dual.podSubnet, dual.serviceSubnet]).toEqual(["10.20.0.0/16,fd00:20::/56", "10.30.0.0/16,fd00:30::/112"]);
  });
});

describe("bad config is refused with the key, the value and what is allowed", () => {
  test.each<[Record<string, string>, string]>([
    [{ cluster: "minikube" }, 'cluster must be one of "kind", "existing"; got "minikube"'],
    [
      { clusterName: "My_Lab" },
      'clusterName must be a DNS-1035 label (at most 63 lowercase letters, digits or "-", starting with a letter and ending with a letter or digit); got "My_Lab"',
    ],
    [{ workers: "0" }, "workers must be an integer of at least 1; got 0"],
    [{ nodeImage: "kindest/node v1.33" }, 'nodeImage must be an image reference without spaces; got "kindest/node v1.33"'],
    [{ podSubnet: "10.244.0.0/99" }, 'podSubnet must be a CIDR such as 10.244.0.0/16; got "10.244.0.0/99"'],
    [{ serviceSubnet: "services" }, 'serviceSubnet must be a CIDR such as 10.244.0.0/16; got "services"'],
    [{ podSubnet: "10.1.0.0/16", serviceSubnet: "10.1.0.0/16" }, 'serviceSubnet must differ from podSubnet; both are "10.1.0.0/16"'],
    [{ ipFamily: "IPv6" }, 'ipFamily must be one of "ipv4", "ipv6", "dual"; got "IPv6"'],
    [{ kubeProxyMode: "none" }, 'kubeProxyMode must be one of "iptables", "nftables", "ipvs"; got "none"'],
    [
      { ipFamily: "dual", podSubnet: "10.1.0.0/16" },
      'podSubnet must be an IPv4 CIDR and an IPv6 CIDR, comma-separated, IPv4 first, such as 10.244.0.0/16,fd00:10:244::/56 (ipFamily is dual); got "10.1.0.0/16"',
    ],
    [
      { cluster: "existing" },
      'kubeconfig is required when cluster is "existing": set it to the path of a kubeconfig file (pulumi config set kubeconfig ~/.kube/config); got undefined',
    ],
    [
      { cluster: "existing", kubeconfig: "/tmp/kubeconfig" },
      'kubeContext is required when cluster is "existing": set it to a context in /tmp/kubeconfig (kubectl config get-contexts); got undefined',
    ],
    [
      { cluster: "existing", kubeconfig: "/tmp/kubeconfig", kubeContext: "k3s", image: "" },
      'image is required when cluster is "existing": the cluster must pull the demo image from a registry; build and push apps/ (docker build -t <registry>/svclab-demo:<tag> apps && docker push <registry>/svclab-demo:<tag>) and set image to it; got undefined',
    ],
    [
      { namespace: "-lab" },
      'namespace must be a DNS-1035 label (at most 63 lowercase letters, digits or "-", starting with a letter and ending with a letter or digit); got "-lab"',
    ],
    [{ frontendReplicas: "0" }, "frontendReplicas must be an integer of at least 1; got 0"],
    [{ backendReplicas: "-1" }, "backendReplicas must be an integer of at least 1; got -1"],
    [{ services: '"nodeport"' }, 'services must be a JSON array of strings such as ["clusterip","nodeport"]; got "nodeport"'],
    [
      { services: '["nodeport","ingress"]' },
      'services[1] must be one of "clusterip", "headless", "nodeport", "loadbalancer", "etp-local", "sticky", "itp-local", "externalname"; got "ingress"',
    ],
    [
      { services: '["nodeport","nodeport"]' },
      'Service kind "nodeport" is used twice (services[0] and services[1]); each Service kind must be different',
    ],
    [{ nodePort: "80" }, "nodePort must be an integer in the NodePort range 30000-32767; got 80"],
    [{ localNodePort: "32768" }, "localNodePort must be an integer in the NodePort range 30000-32767; got 32768"],
    [
      { nodePort: "30100", localNodePort: "30100" },
      "nodePort 30100 is used twice (nodePort and localNodePort); each nodePort must be different",
    ],
    [
      { hostPorts: '["8080"]' },
      'hostPorts[0] must be "hostPort:nodePort" or "listenAddress:hostPort:nodePort" such as "30080:30080" or "127.0.0.1:8080:30080"; got "8080"',
    ],
    [{ hostPorts: '["8080:80"]' }, "hostPorts[0] nodePort must be an integer in the NodePort range 30000-32767; got 80"],
    [{ hostPorts: '["70000:30080"]' }, "hostPorts[0] host port must be a port from 1 to 65535; got 70000"],
    [
      { hostPorts: '["localhost:8080:30080"]' },
      'hostPorts[0] listen address must be an IPv4 address such as 127.0.0.1; got "localhost"',
    ],
    [
      { hostPorts: '["8080:30080","127.0.0.2:8080:30081"]' },
      "host port 8080 is used twice (hostPorts[0] and hostPorts[1]); each host port must be different",
    ],
    [{ listenAddress: "everywhere" }, 'listenAddress must be an IPv4 address such as 127.0.0.1; got "everywhere"'],
    [
      { externalName: "Not A Name" },
      'externalName must be a DNS name (lowercase letters, digits, "-" and ".", each label starting and ending with a letter or digit, at most 253 characters); got "Not A Name"',
    ],
    [{ image: "svclab demo" }, 'image must be an image reference without spaces; got "svclab demo"'],
    [{ loadBalancer: "metallb" }, 'loadBalancer must be one of "cloud-provider-kind", "none"; got "metallb"'],
    [
      { hostPorts: '["30081:30081"]', workers: "3", frontendReplicas: "2" },
      "hostPorts[0] forwards to localNodePort 30081 (frontend-local, externalTrafficPolicy Local), which answers only on a node running a frontend pod; " +
        "it is published from the first worker, so frontendReplicas must be at least workers (3) for the spread to put a pod there; got 2",
    ],
  ])("%j", (values, message) => {
    expect(messageThrownBy(() => withConfig(values))).toBe(message);
  });
});

test("a host port entry names its position", () => {
  expect(() => parseHostPort("hostPorts[3]", "1:2:3:4", "127.0.0.1")).toThrow(/^hostPorts\[3\] must be/);
});

test.each(["dev", "ci"])("the %s stack file is a valid configuration", (stack) => {
  const file = parse(readFileSync(join(__dirname, "..", "..", "stacks", `Pulumi.${stack}.yaml`), "utf8"));
  // The CLI hands arrays and numbers to the program as strings (JSON for arrays).
  const values = Object.fromEntries(
    Object.entries(file.config as Record<string, unknown>).map(([key, value]) => [key, typeof value === "string" ? value : JSON.stringify(value)]),
  );
  pulumi.runtime.setAllConfig(values);
  expect(() => loadConfig()).not.toThrow();
});
