import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SOURCE_HASH_LENGTH, sourceHash } from "../../components/source-hash";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "svclab-hash-"));
  mkdirSync(join(dir, "src"));
  writeFileSync(join(dir, "Dockerfile"), "FROM node:20-alpine\n");
  writeFileSync(join(dir, "src", "server.ts"), "export {};\n");
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

test("the same content gives the same short hex tag", () => {
  const first = sourceHash(dir);
  expect(first).toMatch(new RegExp(`^[0-9a-f]{${SOURCE_HASH_LENGTH}}$`));
  expect(sourceHash(dir)).toBe(first);
});

test("changing a file's content changes the tag", () => {
  const before = sourceHash(dir);
  writeFileSync(join(dir, "src", "server.ts"), "export const x = 1;\n");
  expect(sourceHash(dir)).not.toBe(before);
});

test("renaming a file changes the tag", () => {
  const before = sourceHash(dir);
  rmSync(join(dir, "src", "server.ts"));
  writeFileSync(join(dir, "src", "main.ts"), "export {};\n");
  expect(sourceHash(dir)).not.toBe(before);
});

test("node_modules and dist do not change the tag", () => {
  const before = sourceHash(dir);
  mkdirSync(join(dir, "node_modules"));
  writeFileSync(join(dir, "node_modules", "x.js"), "1");
  mkdirSync(join(dir, "dist"));
  writeFileSync(join(dir, "dist", "server.js"), "1");
  expect(sourceHash(dir)).toBe(before);
});
