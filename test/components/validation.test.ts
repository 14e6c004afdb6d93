import {
  assertDns1035Label,
  assertDns1123Subdomain,
  assertIntegerAtLeast,
  assertNodePort,
  assertOneOf,
  assertUnique,
  InvalidInputError,
  isDns1035Label,
  isDns1123Subdomain,
} from "../../components/validation";

describe("DNS-1035 labels", () => {
  it.each(["svclab", "a", "frontend-nodeport", "x1", "a".repeat(63)])("accepts %s", (name) => {
    expect(isDns1035Label(name)).toBe(true);
    expect(() => assertDns1035Label("name", name)).not.toThrow();
  });

  it.each(["", "1lab", "Lab", "lab-", "-lab", "la_b", "lab.x", "a".repeat(64)])("rejects %j", (name) => {
    expect(isDns1035Label(name)).toBe(false);
  });

  it("rejects a non-string", () => {
    expect(isDns1035Label(42)).toBe(false);
  });

  it("names the field, the bad value and the rule", () => {
    expect(() => assertDns1035Label("namespace", "Lab")).toThrow(
      'namespace must be a DNS-1035 label (at most 63 lowercase letters, digits or "-", ' +
        'starting with a letter and ending with a letter or digit); got "Lab"',
    );
  });

  it("throws an InvalidInputError carrying the field and value for programs", () => {
    try {
      assertDns1035Label("clusterName", "Bad");
      throw new Error("did not throw");
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidInputError);
      expect(error).toMatchObject({ field: "clusterName", value: "Bad", name: "InvalidInputError" });
    }
  });
});

describe("DNS-1123 subdomains", () => {
  it.each(["backend.svclab.svc.cluster.local", "example.invalid", "1.example"])("accepts %s", (name) => {
    expect(isDns1123Subdomain(name)).toBe(true);
  });

  it.each(["", "http://x", "a..b", "Example.com", "a-.b", `${"a".repeat(64)}.b`])("rejects %j", (name) => {
    expect(isDns1123Subdomain(name)).toBe(false);
  });

  it("says what a DNS name may contain", () => {
    expect(() => assertDns1123Subdomain("externalName", "a..b")).toThrow(
      'externalName must be a DNS name (lowercase letters, digits, "-" and ".", each label starting and ' +
        'ending with a letter or digit, at most 253 characters); got "a..b"',
    );
  });
});

describe("NodePorts", () => {
  it.each([30000, 30080, 32767])("accepts %d", (port) => {
    expect(() => assertNodePort("nodePort", port)).not.toThrow();
  });

  it.each([
    [29999, "29999"],
    [32768, "32768"],
    [30080.5, "30080.5"],
    ["30080", '"30080"'],
    [Number.NaN, "NaN"],
  ])("rejects %p", (port, shown) => {
    expect(() => assertNodePort("nodePort", port)).toThrow(
      `nodePort must be an integer in the NodePort range 30000-32767; got ${shown}`,
    );
  });
});

describe("integers with a minimum", () => {
  it("accepts the minimum itself", () => {
    expect(() => assertIntegerAtLeast("workers", 0, 0)).not.toThrow();
  });

  it("rejects a value below the minimum, a fraction and a string", () => {
    expect(() => assertIntegerAtLeast("replicas", 0, 1)).toThrow("replicas must be an integer of at least 1; got 0");
    expect(() => assertIntegerAtLeast("replicas", 2.5, 1)).toThrow("replicas must be an integer of at least 1; got 2.5");
    expect(() => assertIntegerAtLeast("replicas", "3", 1)).toThrow('replicas must be an integer of at least 1; got "3"');
  });
});

describe("enumerations", () => {
  it("lists what is allowed", () => {
    expect(() => assertOneOf("cluster", "eks", ["kind", "existing"])).toThrow('cluster must be one of "kind", "existing"; got "eks"');
    expect(() => assertOneOf("cluster", "kind", ["kind", "existing"])).not.toThrow();
  });
});

describe("uniqueness", () => {
  it("names both fields that share a value", () => {
    expect(() =>
      assertUnique("hostPort", [
        ["ports[0].hostPort", 8080],
        ["ports[1].hostPort", 8081],
        ["ports[2].hostPort", 8080],
      ]),
    ).toThrow("hostPort 8080 is used twice (ports[0].hostPort and ports[2].hostPort); each hostPort must be different");
  });

  it("accepts distinct values", () => {
    expect(() => assertUnique("nodePort", [["a", 30080], ["b", 30081]])).not.toThrow();
  });
});
