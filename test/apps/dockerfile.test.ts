/**
 * The demo image's base images: both stages on a maintained Node.js LTS line,
 * never the end-of-life Node.js 20 images. (No Docker engine here to build it;
 * the file is read as text.)
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";

const dockerfile = readFileSync(join(__dirname, "..", "..", "apps", "Dockerfile"), "utf8");

/** The default of each `ARG NAME=value`. */
const args = Object.fromEntries([...dockerfile.matchAll(/^ARG (\w+)=(\S+)$/gm)].map((m) => [m[1], m[2]]));
/** Each stage's base, with `${ARG}` replaced by the ARG's default. */
const stages = [...dockerfile.matchAll(/^FROM (\S+)/gm)].map((m) => m[1].replace(/^\$\{(\w+)\}$/, (_, name: string) => args[name] ?? `unset ${name}`));

test("both stages build on Node.js 24 LTS, on one Debian release", () => {
  expect(stages).toEqual(["node:24-trixie-slim", "gcr.io/distroless/nodejs24-debian13:nonroot"]);
});

test("no stage uses an end-of-life Node.js image", () => {
  for (const image of stages) {
    expect([image, /node(js)?:?(1\d|20|21|23)\b|nodejs(1\d|20|21|23)-/.test(image)]).toEqual([image, false]);
  }
});

test("the runtime runs as the numeric distroless nonroot user, the app's compiled entry point", () => {
  expect(dockerfile).toMatch(/^USER 65532:65532$/m);
  expect(dockerfile).toMatch(/^CMD \["dist\/main\.js"\]$/m);
});
