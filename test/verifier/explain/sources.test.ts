/**
 * Reading a kind node's rules through `docker exec` (the program runner
 * replaced): which tools are asked, in which order, and IPv6 rules
 * (hand-written in kube-proxy's ip6tables shapes).
 */
import { explain } from "../../../verifier/explain/explain";
import { followFor } from "../../../verifier/explain/flow";
import { readRulesFromKindNode, RulesUnavailableError } from "../../../verifier/explain/sources";

const IPV6 = `*nat
:KUBE-SERVICES - [0:0]
:KUBE-MARK-MASQ - [0:0]
:KUBE-SVC-V6 - [0:0]
:KUBE-SEP-V6A - [0:0]
:KUBE-SEP-V6B - [0:0]
-A KUBE-SERVICES -d fd00:10:96::5/128 -p tcp -m comment --comment "demo/web:http cluster IP" -m tcp --dport 80 -j KUBE-SVC-V6
-A KUBE-SVC-V6 ! -s fd00:10:244::/56 -d fd00:10:96::5/128 -p tcp -m comment --comment "demo/web:http cluster IP" -m tcp --dport 80 -j KUBE-MARK-MASQ
-A KUBE-SVC-V6 -m comment --comment "demo/web:http -> [fd00:10:244:1::2]:8080" -m statistic --mode random --probability 0.50000000000 -j KUBE-SEP-V6A
-A KUBE-SVC-V6 -m comment --comment "demo/web:http -> [fd00:10:244:2::2]:8080" -j KUBE-SEP-V6B
-A KUBE-SEP-V6A -s fd00:10:244:1::2/128 -m comment --comment "demo/web:http" -j KUBE-MARK-MASQ
-A KUBE-SEP-V6A -p tcp -m comment --comment "demo/web:http" -m tcp -j DNAT --to-destination [fd00:10:244:1::2]:8080
-A KUBE-SEP-V6B -s fd00:10:244:2::2/128 -m comment --comment "demo/web:http" -j KUBE-MARK-MASQ
-A KUBE-SEP-V6B -p tcp -m comment --comment "demo/web:http" -m tcp -j DNAT --to-destination [fd00:10:244:2::2]:8080
COMMIT
`;
const NO_KUBE_PROXY = "*filter\n:INPUT ACCEPT [0:0]\nCOMMIT\n";

function fakeDocker(answers: Record<string, string>) {
  const calls: string[] = [];
  const run = async (program: string, args: readonly string[]) => {
    const call = [program, ...args].join(" ");
    calls.push(call);
    const answer = answers[call];
    if (answer === undefined) throw new RulesUnavailableError(`\`${call}\`: no such command`);
    return answer;
  };
  return { calls, run };
}

describe("reading a kind node's rules", () => {
  it("an IPv6 Service's node is read with ip6tables-save first, and its paths use IPv6 addresses", async () => {
    const docker = fakeDocker({ "docker exec n1 ip6tables-save": IPV6 });
    const { ruleset, origin } = await readRulesFromKindNode("n1", docker.run, "IPv6");
    expect(docker.calls).toEqual(["docker exec n1 ip6tables-save"]);
    expect(origin).toBe("docker exec n1 ip6tables-save");
    const explanation = explain({ ruleset, namespace: "demo", service: "web" });
    if (explanation.kind !== "paths") throw new Error(explanation.kind);
    const [cluster] = explanation.ports[0]?.entries ?? [];
    expect(cluster?.entry.address).toBe("fd00:10:96::5");
    const outcome = followFor(cluster!.flow, "pod", ruleset.podRanges).outcome;
    if (outcome.kind !== "endpoints") throw new Error(outcome.kind);
    expect(outcome.choices.map((c) => [c.address, c.port, c.share, c.hairpin !== undefined])).toEqual([
      ["fd00:10:244:1::2", 8080, 0.5, true],
      ["fd00:10:244:2::2", 8080, 0.5, true],
    ]);
    expect(ruleset.podRanges).toEqual(["fd00:10:244::/56"]);
  });

  it("falls back to ip6tables-save when iptables-save holds no kube-proxy chains (an IPv6-only cluster)", async () => {
    const docker = fakeDocker({ "docker exec n1 iptables-save": NO_KUBE_PROXY, "docker exec n1 ip6tables-save": IPV6 });
    const { origin } = await readRulesFromKindNode("n1", docker.run);
    expect(docker.calls).toEqual(["docker exec n1 iptables-save", "docker exec n1 ip6tables-save"]);
    expect(origin).toBe("docker exec n1 ip6tables-save");
  });

  it("goes on to nftables when neither iptables family has kube-proxy chains", async () => {
    const docker = fakeDocker({
      "docker exec n1 iptables-save": NO_KUBE_PROXY,
      "docker exec n1 ip6tables-save": NO_KUBE_PROXY,
      "docker exec n1 nft list ruleset": "table ip filter {\n}\n",
    });
    await expect(readRulesFromKindNode("n1", docker.run)).rejects.toThrow(/node n1 has no kube-proxy rules \(no KUBE-SERVICES chain in iptables or ip6tables, no table kube-proxy in nftables\)/);
    expect(docker.calls).toEqual(["docker exec n1 iptables-save", "docker exec n1 ip6tables-save", "docker exec n1 nft list ruleset"]);
  });
});
