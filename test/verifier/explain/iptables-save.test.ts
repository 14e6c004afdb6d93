/**
 * The iptables-save reader and the walk on small hand-written rule sets in
 * kube-proxy's shapes, for cases the real capture does not show (unequal
 * probabilities, quoting, bad input).
 */
import { ExplainInputError, explain } from "../../../verifier/explain/explain";
import { followFor } from "../../../verifier/explain/flow";
import { parseIptablesSave, splitWords } from "../../../verifier/explain/iptables-save";
import { RulesFormatError } from "../../../verifier/explain/ruleset";
import { explainCommandLine } from "../../../verifier/explain";
import { objectsOf } from "./capture";

/** A ClusterIP Service whose chain gives 0.2, then 0.5 of the rest, then the rest: 20%, 40%, 40% — not 1/3 each. */
const UNEVEN = `*nat
:KUBE-SERVICES - [0:0]
:KUBE-MARK-MASQ - [0:0]
:KUBE-SVC-AAAA - [0:0]
:KUBE-SEP-A1 - [0:0]
:KUBE-SEP-A2 - [0:0]
:KUBE-SEP-A3 - [0:0]
-A KUBE-SERVICES -d 10.96.0.5/32 -p tcp -m comment --comment "demo/web:http cluster IP" -m tcp --dport 80 -j KUBE-SVC-AAAA
-A KUBE-SVC-AAAA ! -s 10.244.0.0/16 -d 10.96.0.5/32 -p tcp -m comment --comment "demo/web:http cluster IP" -m tcp --dport 80 -j KUBE-MARK-MASQ
-A KUBE-SVC-AAAA -m comment --comment "demo/web:http -> 10.244.1.2:8080" -m statistic --mode random --probability 0.20000000000 -j KUBE-SEP-A1
-A KUBE-SVC-AAAA -m comment --comment "demo/web:http -> 10.244.1.3:8080" -m statistic --mode random --probability 0.50000000000 -j KUBE-SEP-A2
-A KUBE-SVC-AAAA -m comment --comment "demo/web:http -> 10.244.2.2:8080" -j KUBE-SEP-A3
-A KUBE-SEP-A1 -p tcp -m comment --comment "demo/web:http" -m tcp -j DNAT --to-destination 10.244.1.2:8080
-A KUBE-SEP-A2 -p tcp -m comment --comment "demo/web:http" -m tcp -j DNAT --to-destination 10.244.1.3:8080
-A KUBE-SEP-A3 -p tcp -m comment --comment "demo/web:http" -m tcp -j DNAT --to-destination 10.244.2.2:8080
COMMIT
`;

describe("iptables-save reader", () => {
  it("gives each endpoint the share its statistic rule really gives, not 1/N", () => {
    const ruleset = parseIptablesSave(UNEVEN, "uneven.txt");
    const explanation = explain({ ruleset, namespace: "demo", service: "web" });
    if (explanation.kind !== "paths") throw new Error("no paths");
    const flow = explanation.ports[0]?.entries[0]?.flow;
    if (flow === undefined) throw new Error("no flow");
    const outcome = followFor(flow, "pod", ruleset.podRanges).outcome;
    if (outcome.kind !== "endpoints") throw new Error(outcome.kind);
    expect(outcome.choices.map((c) => [c.address, Number(c.share.toFixed(12))])).toEqual([
      ["10.244.1.2", 0.2],
      ["10.244.1.3", 0.4],
      ["10.244.2.2", 0.4],
    ]);
    expect(ruleset.podRanges).toEqual(["10.244.0.0/16"]);
  });

  it("splits words as iptables-save quotes them", () => {
    expect(splitWords('-A X -m comment --comment "ns/a:b has \\"quotes\\"" -j Y')).toEqual(["-A", "X", "-m", "comment", "--comment", 'ns/a:b has "quotes"', "-j", "Y"]);
  });

  it("names the first line that is not iptables-save output", () => {
    expect(() => parseIptablesSave("*nat\n:A - [0:0]\nhello there\nCOMMIT\n", "f.txt")).toThrow(
      new RulesFormatError('f.txt: line 3 is not iptables-save output ("hello there"); allowed: the output of iptables-save or nft list ruleset'),
    );
  });

  it("says when a Service exists but has no rules on the node, naming those that do", () => {
    const ruleset = parseIptablesSave(UNEVEN, "uneven.txt");
    expect(() => explain({ ruleset, namespace: "svclab", service: "backend", node: "n1", objects: objectsOf() })).toThrow(
      new ExplainInputError('service "svclab/backend": the Service exists but kube-proxy wrote no rules for it on node n1; Services with rules there: demo/web'),
    );
  });
});

describe("explainCommandLine", () => {
  it("gives the command a report links a path to, quoting only what a shell needs", () => {
    expect(explainCommandLine({ namespace: "svclab", service: "frontend-local", node: "svclab-worker", port: 30081 })).toBe(
      "svclab explain frontend-local --namespace svclab --node svclab-worker --port 30081",
    );
    expect(explainCommandLine({ namespace: "my ns", service: "web" })).toBe("svclab explain web --namespace 'my ns'");
  });
});
