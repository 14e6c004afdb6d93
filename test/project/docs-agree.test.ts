/**
 * Statements in the docs that name a value the code defines: they must name
 * the code's value.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { LIMITS } from "../../verifier/options";

const repo = join(__dirname, "..", "..");
const read = (file: string) => readFileSync(join(repo, file), "utf8").replace(/\s+/g, " ");

test("docs/standin.md names the verifier's real default concurrency", () => {
  expect(read("docs/standin.md")).toContain(`concurrency 1, ${LIMITS.concurrency.default} (the default`);
});

test("docs/apps.md says, as README does, that test DNS goes to a loopback DNS server only", () => {
  const apps = read("docs/apps.md");
  expect(apps).not.toMatch(/to the machine's resolver/);
  expect(apps).toContain("every DNS question, `.invalid` names too, goes to a small DNS server on 127.0.0.1");
  expect(read("README.md")).toContain("DNS in the tests is answered by a small DNS server on 127.0.0.1");
});

test("docs/apps.md and README name the Dockerfile's base images", () => {
  const dockerfile = read("apps/Dockerfile");
  const images = [...dockerfile.matchAll(/ARG (?:BUILD|RUNTIME)_IMAGE=(\S+)/g)].map((m) => m[1]);
  expect(images).toHaveLength(2);
  for (const image of images) expect([image, read("docs/apps.md").includes(image)]).toEqual([image, true]);
  expect(read("README.md")).toContain("nodejs24-debian13:nonroot");
});

test("README says the first lab may download the Pulumi CLI and that npm test takes minutes", () => {
  const readme = read("README.md");
  expect(readme).toMatch(/installs v[\d.]+ into `\.pulumi-cli\/` on first use \(a download from get\.pulumi\.com, so internet is needed once\)/);
  expect(readme).toContain("It takes minutes, not seconds");
});
