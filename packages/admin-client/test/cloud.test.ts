import { describe, expect, it } from "vitest";
import { restateCloudEnvironmentOf } from "../src/cloud.js";
import { InvalidOptionError, restateCloudEndpoints, restateCloudTunnelUrl } from "../src/index.js";

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

describe("restateCloudTunnelUrl", () => {
  const tunnel = { environmentId: "env_201hy10cd3h6426jy80tb32n6en", region: "eu", tunnelName: "laptop-1" };

  it("builds the URL the Restate CLI registers for --tunnel-name", () => {
    expect(restateCloudTunnelUrl(tunnel, "http://localhost:9080")).toBe(
      "https://tunnel.eu.restate.cloud:9080/201hy10cd3h6426jy80tb32n6en/laptop-1/http/localhost/9080/",
    );
    expect(restateCloudTunnelUrl(tunnel, "https://greeter.internal/restate/v1")).toBe(
      "https://tunnel.eu.restate.cloud:9080/201hy10cd3h6426jy80tb32n6en/laptop-1/https/greeter.internal/443/restate/v1",
    );
    expect(restateCloudTunnelUrl({ ...tunnel, proxyBaseUrl: "https://proxy.example" }, "http://10.0.0.7:8080/")).toBe(
      "https://proxy.example:9080/201hy10cd3h6426jy80tb32n6en/laptop-1/http/10.0.0.7/8080/",
    );
  });

  it.each([
    [{ ...tunnel, tunnelName: "" }, "http://localhost:9080", "tunnelName"],
    [{ ...tunnel, tunnelName: "a/../b" }, "http://localhost:9080", "tunnelName"],
    [{ ...tunnel, tunnelName: "UPPER" }, "http://localhost:9080", "tunnelName"],
    [{ ...tunnel, environmentId: "201hy" }, "http://localhost:9080", "environmentId"],
    [tunnel, "tunnel://laptop:9081", "destination"],
    [tunnel, "http://localhost:9080/?x=1", "destination"],
    [tunnel, "http://user:pw@localhost:9080", "destination"],
    [tunnel, "localhost:9080", "destination"],
  ])("rejects %j with %s", (input, destination, option) => {
    expect(() => restateCloudTunnelUrl(input, destination)).toThrow(new RegExp(`invalid ${option}`));
  });

  it("reads the environment from a Restate Cloud admin URL, and nothing from any other", () => {
    expect(restateCloudEnvironmentOf("https://201hy10cd3h6426jy80tb32n6en.env.us.restate.cloud:9070")).toEqual({
      environmentId: "env_201hy10cd3h6426jy80tb32n6en",
      region: "us",
    });
    for (const url of [
      "http://localhost:9070",
      "http://abc.env.us.restate.cloud:9070",
      "https://abc.env.us.restate.cloud.evil.com",
    ]) {
      expect(restateCloudEnvironmentOf(url)).toBeUndefined();
    }
  });
});
