import { parse } from "yaml";
import {
  DEFAULT_NODE_IMAGE,
  buildKindConfig,
  isCidr,
  isLoopbackAddress,
  resolveKindConfig,
} from "../../components/kind-config";

const parsed = (options: Parameters<typeof resolveKindConfig>[0]) => parse(buildKindConfig(resolveKindConfig(options)));

describe("the kind config", () => {
  test("has one control-plane node and two workers by default, all on the pinned node image", () => {
    const config = parsed({});
    expect(config.kind).toBe("Cluster");
    expect(config.apiVersion).toBe("kind.x-k8s.io/v1alpha4");
    expect(config.nodes.map((n: any) => n.role)).toEqual(["control-plane", "worker", "worker"]);
    expect(new Set(config.nodes.map((n: any) => n.image))).toEqual(new Set([DEFAULT_NODE_IMAGE]));
    expect(DEFAULT_NODE_IMAGE).toMatch(/^kindest\/node:v1\.\d+\.\d+@sha256:[0-9a-f]{64}$/);
  });

  test("adds as many workers as asked", () => {
    expect(parsed({ workers: 4 }).nodes.filter((n: any) => n.role === "worker")).toHaveLength(4);
  });

  test("sets the pod and service subnets, IPv4 and kube-proxy in iptables mode by default", () => {
    expect(parsed({}).networking).toEqual({ ipFamily: "ipv4", kubeProxyMode: "iptables", podSubnet: "10.244.0.0/16", serviceSubnet: "10.96.0.0/16" });
    expect(parsed({ podSubnet: "10.200.0.0/16", serviceSubnet: "10.100.0.0/16" }).networking).toEqual({
      ipFamily: "ipv4",
      kubeProxyMode: "iptables",
      podSubnet: "10.200.0.0/16",
      serviceSubnet: "10.100.0.0/16",
    });
  });

  test("passes the kube-proxy mode to kind", () => {
    expect(parsed({ kubeProxyMode: "nftables" }).networking.kubeProxyMode).toBe("nftables");
    expect(parsed({ kubeProxyMode: "ipvs" }).networking.kubeProxyMode).toBe("ipvs");
  });

  test("an IPv6 or dual-stack cluster gets kind's subnets of that family unless others are given", () => {
    expect(parsed({ ipFamily: "ipv6" }).networking).toEqual({
      ipFamily: "ipv6", kubeProxyMode: "iptables", podSubnet: "fd00:10:244::/56", serviceSubnet: "fd00:10:96::/112",
    });
    expect(parsed({ ipFamily: "dual" }).networking).toEqual({
      ipFamily: "dual", kubeProxyMode: "iptables", podSubnet: "10.244.0.0/16,fd00:10:244::/56", serviceSubnet: "10.96.0.0/16,fd00:10:96::/112",
    });
    expect(parsed({ ipFamily: "dual", podSubnet: "10.10.0.0/16,fd00:1::/56" }).networking.podSubnet).toBe("10.10.0.0/16,fd00:1::/56");
  });

  test("puts the port mappings on the control-plane node, on 127.0.0.1 over TCP unless asked otherwise", () => {
    const config = parsed({
      portMappings: [
        { containerPort: 30080, hostPort: 30080 },
        { containerPort: 30081, hostPort: 8081, listenAddress: "0.0.0.0" },
      ],
    });
    expect(config.nodes[0].extraPortMappings).toEqual([
      { containerPort: 30080, hostPort: 30080, listenAddress: "127.0.0.1", protocol: "TCP" },
      { containerPort: 30081, hostPort: 8081, listenAddress: "0.0.0.0", protocol: "TCP" },
    ]);
    expect(config.nodes.slice(1).some((n: any) => "extraPortMappings" in n)).toBe(false);
  });

  test("publishes a mapping marked first-worker from the first worker only", () => {
    const config = parsed({
      workers: 2,
      portMappings: [
        { containerPort: 30080, hostPort: 30080 },
        { containerPort: 30081, hostPort: 30081, node: "first-worker" },
      ],
    });
    expect(config.nodes.map((n: any) => [n.role, n.extraPortMappings])).toEqual([
      ["control-plane", [{ containerPort: 30080, hostPort: 30080, listenAddress: "127.0.0.1", protocol: "TCP" }]],
      ["worker", [{ containerPort: 30081, hostPort: 30081, listenAddress: "127.0.0.1", protocol: "TCP" }]],
      ["worker", undefined],
    ]);
  });

  test("has no extraPortMappings key when nothing is mapped", () => {
    expect("extraPortMappings" in parsed({}).nodes[0]).toBe(false);
  });
});

describe("bad kind config input", () => {
  test.each([
    [{ workers: 0 }, "workers must be an integer of at least 1; got 0"],
    [{ workers: 1.5 }, "workers must be an integer of at least 1; got 1.5"],
    [{ nodeImage: "kindest/node v1" }, `nodeImage must be an image reference such as ${DEFAULT_NODE_IMAGE}; got "kindest/node v1"`],
    [{ podSubnet: "10.244.0.0" }, 'podSubnet must be a CIDR such as 10.244.0.0/16; got "10.244.0.0"'],
    [{ serviceSubnet: "10.96.0.0/33" }, 'serviceSubnet must be a CIDR such as 10.244.0.0/16; got "10.96.0.0/33"'],
    [{ podSubnet: "10.1.0.0/16", serviceSubnet: "10.1.0.0/16" }, 'serviceSubnet must differ from podSubnet; both are "10.1.0.0/16"'],
    [{ ipFamily: "ipv5" }, 'ipFamily must be one of "ipv4", "ipv6", "dual"; got "ipv5"'],
    [{ kubeProxyMode: "userspace" }, 'kubeProxyMode must be one of "iptables", "nftables", "ipvs"; got "userspace"'],
    [{ podSubnet: "fd00::/56" }, 'podSubnet must be an IPv4 CIDR such as 10.244.0.0/16 (ipFamily is ipv4); got "fd00::/56"'],
    [{ ipFamily: "ipv6", serviceSubnet: "10.96.0.0/16" }, 'serviceSubnet must be an IPv6 CIDR such as fd00:10:96::/112 (ipFamily is ipv6); got "10.96.0.0/16"'],
    [
      { ipFamily: "dual", podSubnet: "10.244.0.0/16" },
      'podSubnet must be an IPv4 CIDR and an IPv6 CIDR, comma-separated, IPv4 first, such as 10.244.0.0/16,fd00:10:244::/56 (ipFamily is dual); got "10.244.0.0/16"',
    ],
    [
      { ipFamily: "dual", serviceSubnet: "fd00:10:96::/112,10.96.0.0/16" },
      'serviceSubnet must be an IPv4 CIDR and an IPv6 CIDR, comma-separated, IPv4 first, such as 10.96.0.0/16,fd00:10:96::/112 (ipFamily is dual); got "fd00:10:96::/112,10.96.0.0/16"',
    ],
    [{ portMappings: [{ containerPort: 30080, hostPort: 0 }] }, "portMappings[0].hostPort must be an integer from 1 to 65535; got 0"],
    [
      { portMappings: [{ containerPort: 30080, hostPort: 80, listenAddress: "localhost" }] },
      'portMappings[0].listenAddress must be an IP address such as 127.0.0.1; got "localhost"',
    ],
    [
      { portMappings: [{ containerPort: 30080, hostPort: 8080 }, { containerPort: 30081, hostPort: 8080, listenAddress: "127.0.0.2" }] },
      "host port 8080 is used twice (portMappings[0].hostPort and portMappings[1].hostPort); each host port must be different",
    ],
    [
      // Another language's SDK may send any string where TypeScript checks the PortProtocol enum.
      { portMappings: [{ containerPort: 30080, hostPort: 8080, protocol: "tcp" }] },
      'portMappings[0].protocol must be one of "TCP", "UDP", "SCTP"; got "tcp"',
    ],
  ])("%j is refused: %s", (options, message) => {
    expect(() => resolveKindConfig(options as any)).toThrow(message);
  });
});

test("CIDRs and loopback addresses are recognised", () => {
  expect(["10.0.0.0/8", "fd00::/64"].every(isCidr)).toBe(true);
  expect(["10.0.0.0", "10.0.0.0/", "300.0.0.0/8", "x/8"].some(isCidr)).toBe(false);
  expect(["127.0.0.1", "127.1.2.3", "::1"].every(isLoopbackAddress)).toBe(true);
  expect(["0.0.0.0", "192.168.1.10"].some(isLoopbackAddress)).toBe(false);
});
