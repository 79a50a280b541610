import { libraryBuild } from "../../scripts/tsup-library.ts";

export default libraryBuild({
  packageDir: import.meta.dirname,
  library: {
    index: "src/index.ts",
    "adapters/fetch": "src/adapters/fetch.ts",
    "adapters/node": "src/adapters/node.ts",
    "adapters/lambda": "src/adapters/lambda.ts",
    "adapters/hono": "src/adapters/hono.ts",
  },
  esmOnly: ["@noble/ed25519", "@noble/hashes", "@scure/base"],
});
