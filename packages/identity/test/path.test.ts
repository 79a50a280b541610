import { describe, expect, it } from "vitest";
import { normaliseAudiencePath, pathOfTarget } from "../src/path.js";

describe("normaliseAudiencePath", () => {
  // The table of restatedev/sdk-shared-core (src/request_identity.rs, test `normalise_path`).
  const sharedCoreTable: [string, string][] = [
    ["/invoke/a/b", "/invoke/a/b"],
    ["/foo/invoke/a/b", "/invoke/a/b"],
    ["/foo/bar/invoke/a/b", "/invoke/a/b"],
    ["/discover", "/discover"],
    ["/foo/discover", "/discover"],
    ["/foo/bar/discover", "/discover"],
    ["/foo", "/foo"],
    ["/invoke", "/invoke"],
    ["/foo/invoke", "/foo/invoke"],
    ["/invoke/a", "/invoke/a"],
    ["/foo/invoke/a", "/foo/invoke/a"],
    ["", ""],
    ["/", "/"],
    ["//", "//"],
    ["///", "///"],
    ["////", "////"],
    ["discover", "discover"],
    ["foo/discover", "/discover"],
    ["foo/invoke/a/b", "/invoke/a/b"],
  ];
  it.each(sharedCoreTable)("shared core: %j → %j", (path, expected) => {
    expect(normaliseAudiencePath(path)).toBe(expected);
  });

  const ourEdgeCases: [string, string][] = [
    ["/invoke/a/b/c", "/invoke/a/b/c"], // third-to-last segment is "a", not invoke: unchanged
    ["/x/invoke/a/b/c", "/x/invoke/a/b/c"],
    ["/invoke/invoke/a/b", "/invoke/a/b"],
    ["/invoke//", "/invoke//"], // empty service and handler segments still follow the rule
    ["/p/invoke//", "/invoke//"],
    ["/invokes/a/b", "/invokes/a/b"],
    ["/xinvoke/a/b", "/xinvoke/a/b"],
    ["/discover/", "/discover/"],
    ["/discovery", "/discovery"],
    ["/a/b/discover", "/discover"],
    ["/Invoke/a/b", "/Invoke/a/b"], // case-sensitive like the SDK
    ["/restate/invoke/Greeter/greet", "/invoke/Greeter/greet"],
    ["/invoke/S/h%2F", "/invoke/S/h%2F"], // percent-encoding is not decoded
  ];
  it.each(ourEdgeCases)("edge case: %j → %j", (path, expected) => {
    expect(normaliseAudiencePath(path)).toBe(expected);
  });
});

describe("pathOfTarget", () => {
  it.each([
    ["/invoke/S/h?x=1", "/invoke/S/h"],
    ["/discover#frag", "/discover"],
    ["/a?b#c", "/a"],
    ["/plain", "/plain"],
  ])("%j → %j", (target, expected) => {
    expect(pathOfTarget(target)).toBe(expected);
  });
});
