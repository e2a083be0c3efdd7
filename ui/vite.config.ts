import { defineConfig } from "vitest/config";

// The window loads the built files (tauri.conf.json: frontendDist ../ui/dist); `npm run dev`
// serves them on the devUrl for a non-embedded debug build.
export default defineConfig({
  clearScreen: false,
  // Preact through esbuild's automatic JSX runtime: no Babel preset needed.
  esbuild: { jsx: "automatic", jsxImportSource: "preact" },
  build: { target: "safari15", outDir: "dist", emptyOutDir: true },
  test: { environment: "node" },
});
