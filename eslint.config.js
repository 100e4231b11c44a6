// ESLint flat config: typescript-eslint's type-aware recommended rules over all TypeScript sources.
import eslint from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  // examples/jobs/wasm/ is AssemblyScript (compiled by asc, not tsc): its types (u64, usize, load<u8>) are not TypeScript's.
  { ignores: ["node_modules/", "artifacts/", "cache/", "types/", "coverage/", "bench-results/", "deploy/deployments/", "scripts/bench/orbitdb/", ".scratch-*/", ".data/", "test-output/", "examples/jobs/wasm/", "**/*.js", "**/*.mjs", "**/*.cjs"] },
  eslint.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/no-floating-promises": "error",
    },
  },
  {
    files: ["test/**/*.ts"],
    rules: {
      // chai's property assertions (`expect(x).to.be.true`) are expressions by design.
      "@typescript-eslint/no-unused-expressions": "off",
    },
  },
);
