import { libraryBuild } from "../../scripts/tsup-library.ts";

export default libraryBuild({
  packageDir: import.meta.dirname,
  library: { index: "src/index.ts", cdk: "src/cdk.ts", sts: "src/sts.ts" },
});
