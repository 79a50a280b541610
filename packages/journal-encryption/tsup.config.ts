import { libraryBuild } from "../../scripts/tsup-library.ts";

export default libraryBuild({
  packageDir: import.meta.dirname,
  library: { index: "src/index.ts", kms: "src/kms.ts", state: "src/state/index.ts" },
  esmOnly: ["@noble/ciphers"],
});
