/**
 * @kubernetes/client-node 1.x ships ESM only (and so do some of its
 * dependencies), so jest runs it through ts-jest with allowJs; everything else
 * in node_modules is left alone.
 */
const esmPackages = ["@kubernetes/client-node", "openid-client", "oauth4webapi", "jose", "jsonpath-plus", "rfc4648"];

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  transform: {
    "^.+\\.[tj]sx?$": ["ts-jest", { tsconfig: { allowJs: true, esModuleInterop: true, isolatedModules: true }, diagnostics: false }],
    "^.+\\.mjs$": ["ts-jest", { tsconfig: { allowJs: true, esModuleInterop: true, isolatedModules: true }, diagnostics: false }],
  },
  transformIgnorePatterns: [`node_modules/(?!(${esmPackages.join("|")})/)`],
  moduleFileExtensions: ["ts", "js", "mjs", "json"],
  testTimeout: 30000,
  setupFiles: ["<rootDir>/test/support/network-guard.ts"],
};
