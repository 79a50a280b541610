/**
 * Next.js settings for the Restate route. Nothing special is needed for the SDK: its fetch handler
 * runs in the Node.js runtime of an App Router route handler.
 * @type {import("next").NextConfig}
 */
const nextConfig = {
  poweredByHeader: false,
  // `next build` type-checks the app with Next's generated route types; tests are checked by `tsc`.
  typescript: { tsconfigPath: "tsconfig.next.json" },
};

export default nextConfig;
