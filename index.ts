/**
 * The package entry of svclab (`import * as svclab from "svclab"`): the
 * reusable Pulumi components, exactly the `components/` barrel. Published as
 * `lib/index.js` + `lib/index.d.ts`; this source file is also the entry
 * Pulumi's component analyzer reads (it maps `lib/index.js` to no `.ts` file
 * and falls back to a root `index.ts`). The verifier is the `svclab/verifier`
 * subpath, never re-exported here: a program that only verifies does not load
 * Pulumi.
 */
export * from "./components";
