/**
 * Deployment metadata read from a CI environment, under the keys the Restate CLI and UI use. The
 * Restate CLI fills these from GitHub Actions' variables on every registration; so does `restate-admin`.
 */
export const CI_METADATA_VARIABLES = {
  GITHUB_REPOSITORY: "github.repository",
  GITHUB_RUN_ID: "github.actions.run.id",
  GITHUB_SHA: "git.commit.sha",
} as const;

/**
 * The metadata a CI environment describes (only non-empty variables), e.g. from GitHub Actions:
 * `{ "github.repository": "acme/greeter", "github.actions.run.id": "1234", "git.commit.sha": "3f1c…" }`.
 *
 * @example
 * await admin.deployments.register({ uri }, { metadata: { ...ciMetadata(process.env), "git.commit.sha": sha } });
 */
export function ciMetadata(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const metadata: Record<string, string> = {};
  for (const [variable, key] of Object.entries(CI_METADATA_VARIABLES)) {
    const value = env[variable];
    if (typeof value === "string" && value !== "") metadata[key] = value;
  }
  return metadata;
}
