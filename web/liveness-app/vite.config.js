// Builds the liveness page into ../liveness/ (git-ignored), which the local server serves
// at /liveness/index.html next to the camera page. Relative asset URLs, so the built folder
// works wherever it is hosted.
import { defineConfig } from "vite";

export default defineConfig({
  base: "./",
  // React without @vitejs/plugin-react (its current major needs Vite 8): esbuild compiles JSX.
  esbuild: { jsx: "automatic" },
  build: {
    outDir: "../liveness",
    emptyOutDir: true,
    // The Face Liveness component brings TensorFlow.js and the AWS SDK: a large chunk,
    // loaded only when the real detector is shown.
    chunkSizeWarningLimit: 4096,
    rollupOptions: {
      onwarn(warning, warn) {
        // Amplify UI's Radix parts say "use client" for React Server Components: moot here.
        if (warning.code !== "MODULE_LEVEL_DIRECTIVE") warn(warning);
      },
    },
  },
});
