/**
 * docs/verifier.md lists every rule of the catalogue once, with the basis the
 * code gives it: a Kubernetes guarantee, a data-plane property, or the lab's.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { RULES } from "../../verifier/rules";

const doc = readFileSync(join(__dirname, "..", "..", "docs", "verifier.md"), "utf8");

test("docs/verifier.md's rule table names every rule with the basis rules.ts gives it", () => {
  const rows = new Map(
    doc
      .split("\n")
      .filter((line) => /^\| `[a-z0-9-]+` \|/.test(line) && line.split("|").length === 6)
      .map((line) => {
        const cells = line.split("|").map((c) => c.trim());
        return [cells[1]?.replace(/`/g, "") ?? "", (cells[4] ?? "").split(" ")[0]?.toLowerCase() ?? ""] as const;
      }),
  );
  const wanted = RULES.map((rule) => [rule.id, rule.basis === "data-plane" ? "data" : rule.basis]);
  expect(RULES.map((rule) => [rule.id, rows.get(rule.id)])).toEqual(wanted);
});
