import { describe, expect, it } from "vitest";
import { InvalidOptionError, restateCloudEndpoints } from "../src/index.js";

describe("restateCloudEndpoints", () => {
  it("builds the admin (9070) and ingress (8080) URLs Restate Cloud documents", () => {
    expect(restateCloudEndpoints({ environmentId: "env_201hy10cd3h6426jy80tb32n6en", region: "us" })).toEqual({
      adminUrl: "https://201hy10cd3h6426jy80tb32n6en.env.us.restate.cloud:9070",
      ingressUrl: "https://201hy10cd3h6426jy80tb32n6en.env.us.restate.cloud:8080",
    });
  });

  it.each([
    [{ environmentId: "201hy10cd3h6426jy80tb32n6en", region: "us" }, "environmentId"],
    [{ environmentId: "env_", region: "us" }, "environmentId"],
    [{ environmentId: "env_abc.evil.com/", region: "us" }, "environmentId"],
    [{ environmentId: "env_abc", region: "" }, "region"],
    [{ environmentId: "env_abc", region: "us.evil.com" }, "region"],
  ])("rejects %j", (input, argument) => {
    expect(() => restateCloudEndpoints(input)).toThrow(InvalidOptionError);
    expect(() => restateCloudEndpoints(input)).toThrow(new RegExp(`invalid ${argument}`));
  });
});
