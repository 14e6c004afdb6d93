/**
 * `svclab lab`/`down` run the stack program of the svclab checkout they were
 * built in; from the installed package (node_modules/svclab/lib/runner) they
 * must never take the consumer's own Pulumi project for the lab.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { findProjectDir } from "../../runner/cli";

let scratch: string;
beforeEach(() => {
  scratch = mkdtempSync(join(tmpdir(), "svclab-project-dir-"));
});
afterEach(() => rmSync(scratch, { recursive: true, force: true }));

test("from runner/ of the checkout it is the checkout", () => {
  expect(findProjectDir(resolve(__dirname, "..", "..", "runner"))).toBe(resolve(__dirname, "..", ".."));
});

test("from lib/runner/ of a built checkout it is the checkout", () => {
  writeFileSync(join(scratch, "Pulumi.yaml"), "name: svclab\nruntime: nodejs\n");
  mkdirSync(join(scratch, "lib", "runner"), { recursive: true });
  expect(findProjectDir(join(scratch, "lib", "runner"))).toBe(scratch);
});

test("from an installed package it passes the consumer's Pulumi project by and says to use a checkout", () => {
  writeFileSync(join(scratch, "Pulumi.yaml"), "name: my-infra\nruntime: nodejs\n");
  const runner = join(scratch, "node_modules", "svclab", "lib", "runner");
  mkdirSync(runner, { recursive: true });
  expect(() => findProjectDir(runner)).toThrow(
    `no Pulumi.yaml of project svclab found above ${runner}: run the lab from a checkout of the svclab repository (the npm package has no stack program)`,
  );
});
