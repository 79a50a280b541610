/**
 * Next.js settings for the Restate route. Nothing special is needed: the SDK's fetch handler runs
 * in the Node.js runtime of an App Router route handler.
 * @type {import("next").NextConfig}
 */
const nextConfig = {
  poweredByHeader: false,
};

export default nextConfig;
